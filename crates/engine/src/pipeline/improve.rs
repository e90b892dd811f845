//! A person's own GitHub workflow, improved in place: actions on retired runtimes or floating
//! tags pinned to the dated table's commit hashes, and read-only token permissions where none
//! are set. Every other line stays byte for byte; each changed line gets a `# Slipway:`
//! comment above it saying why.

use super::versions;

/// The improved workflow and the reasons, or `None` when nothing needs changing (or the file
/// is not YAML: it is then reported by the checks, never rewritten).
pub fn improve_workflow(existing: &str) -> Option<(String, Vec<String>)> {
    serde_yaml_ng::from_str::<serde_yaml_ng::Value>(existing).ok()?;
    let mut out = String::with_capacity(existing.len() + 256);
    let mut reasons = Vec::new();
    let has_permissions = existing.lines().any(|l| l.starts_with("permissions:"));
    // A workflow that publishes or pushes may rely on the default write token: leave it.
    let writes = [
        "git push",
        "packages",
        "gh release",
        "gh pr",
        "contents: write",
        "docker push",
        "push: true",
    ]
    .iter()
    .any(|w| existing.contains(w));
    for line in existing.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        if !has_permissions && !writes && body.starts_with("jobs:") {
            out.push_str("# Slipway: the workflow's token gets read-only access; a job that needs more asks for it\n");
            out.push_str("permissions:\n  contents: read\n\n");
            reasons.push("set read-only token permissions".to_string());
        }
        if let Some((replaced, why)) = pin_line(body) {
            let indent = body.len() - body.trim_start().len();
            out.push_str(&" ".repeat(indent));
            out.push_str(&format!("# Slipway: {why}\n"));
            out.push_str(&replaced);
            out.push_str(ending);
            reasons.push(why);
            continue;
        }
        out.push_str(line);
    }
    (!reasons.is_empty()).then_some((out, reasons))
}

fn pin_line(line: &str) -> Option<(String, String)> {
    let at = line.find("uses:")?;
    let (head, rest) = line.split_at(at + "uses:".len());
    let before = head[..at].trim();
    if !(before.is_empty() || before == "-") {
        return None;
    }
    let value = rest.trim();
    let (value, _comment) = match value.split_once(" #") {
        Some((v, c)) => (v.trim(), Some(c)),
        None => (value, None),
    };
    let value = value.trim_matches(['"', '\'']);
    let (name, reference) = value.split_once('@')?;
    let action = versions::actions().iter().find(|a| a.name.eq_ignore_ascii_case(name))?;
    let hashed = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
    if hashed {
        return None;
    }
    let major = |t: &str| {
        t.trim_start_matches('v')
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
    };
    if let (Some(theirs), Some(ours)) = (major(reference), major(&action.tag)) {
        if theirs > ours {
            return None;
        }
    }
    let why = if major(reference).is_some_and(|m| major(&action.tag).is_some_and(|o| m < o)) {
        format!("{name}@{reference} is replaced by {} (pinned by commit hash): older majors run on retired runtimes or miss fixes", action.tag)
    } else {
        format!(
            "{name}@{reference} pinned to the commit hash of {}: a tag can be moved",
            action.tag
        )
    };
    let quote_free = format!("{head} {}@{} # {}", action.name, action.sha, action.tag);
    Some((quote_free, why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retired_and_floating_actions_are_pinned_and_the_rest_stays_byte_for_byte() {
        let text = "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v7.0.0\n        with:\n          node-version: 22\n      - run: npm test   # the suite\n      - uses: some/other-action@v1\n";
        let (out, reasons) = improve_workflow(text).expect("something to improve");
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(out.contains("permissions:\n  contents: read\n"), "{out}");
        assert!(
            out.contains("      # Slipway: actions/checkout@v4 is replaced by v7.0.1"),
            "{out}"
        );
        assert!(
            out.contains("      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n"),
            "{out}"
        );
        assert!(
            out.contains("      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0\n"),
            "{out}"
        );
        // The person's own lines and actions Slipway does not know stay as they are.
        for kept in [
            "      - run: npm test   # the suite\n",
            "      - uses: some/other-action@v1\n",
            "          node-version: 22\n",
        ] {
            assert!(out.contains(kept), "{kept:?} kept in {out}");
        }
        let parsed: serde_yaml_ng::Value = serde_yaml_ng::from_str(&out).unwrap();
        assert_eq!(parsed["permissions"]["contents"], "read");
        // Improving again changes nothing.
        assert_eq!(improve_workflow(&out), None);
    }

    #[test]
    fn a_workflow_that_pushes_keeps_its_token_and_broken_yaml_is_left_alone() {
        let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: git push origin HEAD\n";
        assert_eq!(improve_workflow(text), None);
        assert_eq!(improve_workflow("on: push\njobs: [\n"), None);
    }
}
