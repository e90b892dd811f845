//! A person's own `.gitlab-ci.yml`, extended rather than replaced: GitLab reads one pipeline
//! file, so writing Slipway's beside it is not an option. Their jobs stay byte for byte; the
//! jobs Slipway adds (the image and the deploys, and the lint and test jobs the file lacks)
//! go below them under a `# Slipway:` comment, wait for the person's own check jobs, and run
//! in stages added to theirs.

use serde_yaml_ng::{Mapping, Value};

fn jobs(doc: &Value) -> Vec<(String, Value)> {
    doc.as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
        .filter(|(k, _)| super::gitlab::is_job_key(k))
        .collect()
}

/// The stage a job runs in: GitLab's default is `test`.
fn stage_of(job: &Value) -> String {
    job["stage"].as_str().unwrap_or("test").to_string()
}

fn is_lint(id: &str, job: &Value) -> bool {
    let script = serde_yaml_ng::to_string(&job["script"]).unwrap_or_default();
    stage_of(job) == "lint"
        || id.contains("lint")
        || ["ruff", "eslint", "flake8", "golangci", "clippy"]
            .iter()
            .any(|t| script.contains(t))
}

/// The person's pipeline with Slipway's missing jobs added, and what was added, or `None`
/// when it needs nothing (or is not YAML: the checks report that, and it is never rewritten).
pub fn extend_gitlab(existing: &str, generated: &str) -> Option<(String, Vec<String>)> {
    let theirs: Value = serde_yaml_ng::from_str(existing).ok()?;
    let ours: Value = serde_yaml_ng::from_str(generated).ok()?;
    theirs.as_mapping()?;
    let their_jobs = jobs(&theirs);
    let their_lint: Vec<String> = their_jobs
        .iter()
        .filter(|(id, j)| is_lint(id, j))
        .map(|(id, _)| id.clone())
        .collect();
    let their_tests: Vec<String> = their_jobs
        .iter()
        .filter(|(id, j)| !is_lint(id, j) && stage_of(j) == "test")
        .map(|(id, _)| id.clone())
        .collect();
    let their_checks: Vec<String> = their_lint.iter().chain(&their_tests).cloned().collect();

    let mut added: Vec<(String, Value)> = Vec::new();
    let mut replaced_by_theirs: Vec<String> = Vec::new();
    for (id, job) in jobs(&ours) {
        if their_jobs.iter().any(|(t, _)| *t == id) {
            continue;
        }
        let covered =
            (id.starts_with("lint-") && !their_lint.is_empty()) || (id.starts_with("test-") && !their_tests.is_empty());
        if covered {
            replaced_by_theirs.push(id);
            continue;
        }
        added.push((id, job));
    }
    if !added
        .iter()
        .any(|(id, _)| id.starts_with("image-") || id.starts_with("deploy-"))
    {
        return None;
    }
    let added_ids: Vec<String> = added.iter().map(|(id, _)| id.clone()).collect();
    // The added jobs wait for the person's checks where Slipway's own would have run.
    for (_, job) in added.iter_mut() {
        let Some(needs) = job.get_mut("needs").and_then(Value::as_sequence_mut) else {
            continue;
        };
        let mut kept: Vec<Value> = Vec::new();
        let mut lost_checks = false;
        for n in needs.iter() {
            let name = n.as_str().or_else(|| n["job"].as_str()).unwrap_or("").to_string();
            if replaced_by_theirs.contains(&name) {
                lost_checks = true;
            } else if added_ids.contains(&name) || their_jobs.iter().any(|(t, _)| *t == name) {
                kept.push(n.clone());
            }
        }
        if lost_checks {
            for c in &their_checks {
                let mut m = Mapping::new();
                m.insert("job".into(), c.as_str().into());
                kept.push(Value::Mapping(m));
            }
        }
        *needs = kept;
    }

    // Stages: theirs (or GitLab's defaults), then what the added jobs need. `needs` may only
    // point at earlier stages, so the image goes in a stage of its own after their tests.
    let defaults = ["build", "test", "deploy"];
    let mut stages: Vec<String> = match theirs["stages"].as_sequence() {
        Some(s) => s.iter().filter_map(|v| v.as_str().map(String::from)).collect(),
        None => defaults.iter().map(|s| s.to_string()).collect(),
    };
    let test_at = stages.iter().position(|s| s == "test");
    for (_, job) in added.iter_mut() {
        if job["stage"].as_str() == Some("build") {
            if let Some(m) = job.as_mapping_mut() {
                m.insert("stage".into(), "package".into());
            }
        }
    }
    let mut new_stages = Vec::new();
    for (_, job) in &added {
        let s = stage_of(job);
        if stages.contains(&s) || new_stages.contains(&s) {
            continue;
        }
        new_stages.push(s.clone());
        let at = match s.as_str() {
            "lint" => test_at.unwrap_or(0),
            "package" => stages
                .iter()
                .position(|x| x == "test")
                .map(|i| i + 1)
                .unwrap_or(stages.len()),
            _ => stages.len(),
        };
        stages.insert(at.min(stages.len()), s);
    }

    let mut text = String::new();
    let mut reasons = Vec::new();
    if !new_stages.is_empty() {
        let block = format!(
            "# Slipway: added the stage{} {} for the jobs below.\nstages:\n{}",
            if new_stages.len() == 1 { "" } else { "s" },
            new_stages.join(", "),
            stages.iter().map(|s| format!("  - {s}\n")).collect::<String>()
        );
        match stages_span(existing) {
            Some((from, to)) => {
                text.push_str(&existing[..from]);
                text.push_str(&block);
                text.push_str(&existing[to..]);
            }
            None => {
                text.push_str(&block);
                text.push('\n');
                text.push_str(existing);
            }
        }
        reasons.push(format!("added the stages {}", new_stages.join(", ")));
    } else {
        text.push_str(existing);
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut block = Mapping::new();
    for (id, job) in &added {
        block.insert(id.as_str().into(), job.clone());
    }
    let rendered = serde_yaml_ng::to_string(&Value::Mapping(block)).ok()?;
    text.push_str(&format!(
        "\n# Slipway: the jobs below build and push the image and deploy it from the deploy branch{};\n# your jobs above are kept as they were.\n",
        if their_checks.is_empty() {
            String::new()
        } else {
            format!(", after your own checks ({})", their_checks.join(", "))
        }
    ));
    text.push_str(&rendered);
    reasons.push(format!("added the jobs {}", added_ids.join(", ")));
    if !replaced_by_theirs.is_empty() {
        reasons.push(format!(
            "left out {}: your own jobs already check the code",
            replaced_by_theirs.join(", ")
        ));
    }
    Some((text, reasons))
}

/// Where the top-level `stages:` key and its list are in `text`, as byte offsets.
fn stages_span(text: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        match start {
            None if body.starts_with("stages:") => {
                start = Some(offset);
                if body.contains('[') {
                    return Some((offset, offset + line.len()));
                }
            }
            Some(s)
                if !(body.is_empty() || line.starts_with(' ') || line.starts_with('-') || line.starts_with('\t')) =>
            {
                return Some((s, offset));
            }
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| (s, text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEIRS: &str = "# Our own CI.\nstages: [test]\n\nmy-tests:\n  stage: test\n  image: python:3.13\n  script:\n    - pip install -r requirements.txt\n    - pytest   # the whole suite\n";
    const OURS: &str = "stages:\n  - lint\n  - test\n  - build\n  - deploy\n\nlint-app:\n  stage: lint\n  script:\n    - ruff check .\ntest-app:\n  stage: test\n  script:\n    - pytest\nimage-app:\n  stage: build\n  needs:\n    - job: lint-app\n    - job: test-app\n  script:\n    - docker build .\ndeploy-app-fly:\n  stage: deploy\n  needs:\n    - job: image-app\n      artifacts: true\n  script:\n    - flyctl deploy\n";

    #[test]
    fn their_jobs_stay_byte_for_byte_and_the_deploy_waits_for_them() {
        let (text, reasons) = extend_gitlab(THEIRS, OURS).expect("the pipeline gains a deploy");
        // Every line of theirs is still there, their job untouched.
        let job = &THEIRS[THEIRS.find("my-tests:").unwrap()..];
        assert!(text.contains(job), "{text}");
        assert!(text.starts_with("# Our own CI.\n"));
        let doc: Value = serde_yaml_ng::from_str(&text).unwrap();
        let stages: Vec<&str> = doc["stages"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(stages, ["lint", "test", "package", "deploy"]);
        assert_eq!(doc["image-app"]["stage"].as_str(), Some("package"));
        // Their tests replace Slipway's; its lint job is added since they have none.
        assert!(doc["test-app"].is_null());
        assert!(!doc["lint-app"].is_null());
        let needs: Vec<&str> = doc["image-app"]["needs"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|n| n["job"].as_str().unwrap())
            .collect();
        assert_eq!(needs, ["lint-app", "my-tests"]);
        assert!(reasons.iter().any(|r| r.contains("test-app")), "{reasons:?}");
    }

    #[test]
    fn a_pipeline_that_already_deploys_or_is_not_yaml_is_left_alone() {
        let deploying =
            format!("{THEIRS}image-app:\n  script: [docker build .]\ndeploy-app-fly:\n  script: [flyctl deploy]\n");
        assert!(extend_gitlab(&deploying, OURS).is_none());
        assert!(extend_gitlab("stages: [\n", OURS).is_none());
    }

    #[test]
    fn without_stages_the_defaults_are_written_out_with_the_new_ones() {
        let theirs = "unit:\n  script:\n    - make test\n";
        let (text, _) = extend_gitlab(theirs, OURS).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&text).unwrap();
        let stages: Vec<&str> = doc["stages"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(stages, ["build", "lint", "test", "package", "deploy"]);
        assert!(text.contains(theirs));
    }
}
