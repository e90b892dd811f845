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
    let all: Vec<&str> = existing.split_inclusive('\n').collect();
    let mut skip_to = 0;
    for (n, line) in all.iter().enumerate() {
        if n < skip_to {
            continue;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        // A checkout that leaves the token in .git/config, where later steps and uploaded
        // artifacts can read it: keep it out unless the workflow pushes with git.
        if !writes && is_checkout(body) {
            let key_indent = body.find("uses:").unwrap_or(0);
            let (pinned, why) = match pin_line(body) {
                Some((l, w)) => (l, Some(w)),
                None => (body.to_string(), None),
            };
            let mut block: Vec<&str> = Vec::new();
            let mut j = n + 1;
            while j < all.len() {
                let l = all[j].trim_end_matches(['\n', '\r']);
                let ind = l.len() - l.trim_start().len();
                if !l.trim().is_empty() && ind < key_indent || l.trim_start().starts_with("- ") && ind <= key_indent {
                    break;
                }
                block.push(all[j]);
                j += 1;
            }
            let has_with = block.iter().any(|l| l.trim_start().starts_with("with:"));
            let persists = block.iter().any(|l| l.contains("persist-credentials"));
            if !persists {
                let indent = body.len() - body.trim_start().len();
                if let Some(w) = &why {
                    out.push_str(&format!("{}# Slipway: {w}\n", " ".repeat(indent)));
                    reasons.push(w.clone());
                }
                out.push_str(&format!(
                    "{}# Slipway: the checkout keeps no token on disk (persist-credentials: false)\n",
                    " ".repeat(indent)
                ));
                out.push_str(&pinned);
                out.push_str(ending);
                let pad = " ".repeat(key_indent);
                if has_with {
                    for l in &block {
                        out.push_str(l);
                        if l.trim_start().starts_with("with:") {
                            out.push_str(&format!("{pad}  persist-credentials: false\n"));
                        }
                    }
                } else {
                    out.push_str(&format!("{pad}with:\n{pad}  persist-credentials: false\n"));
                    for l in &block {
                        out.push_str(l);
                    }
                }
                reasons.push("the checkout keeps no token on disk".to_string());
                skip_to = j;
                continue;
            }
        }
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

fn is_checkout(line: &str) -> bool {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    t.strip_prefix("uses:")
        .map(|r| {
            r.trim()
                .trim_matches(['"', '\''])
                .to_ascii_lowercase()
                .starts_with("actions/checkout@")
        })
        .unwrap_or(false)
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
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(out.contains("      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          persist-credentials: false\n"), "{out}");
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
    fn a_checkout_with_inputs_gets_persist_credentials_in_its_with_block() {
        let text = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - name: Get the code\n        uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          fetch-depth: 0\n      - run: make\n";
        let (out, reasons) = improve_workflow(text).unwrap();
        assert_eq!(reasons, ["the checkout keeps no token on disk"]);
        assert!(
            out.contains(
                "        with:\n          persist-credentials: false\n          fetch-depth: 0\n      - run: make\n"
            ),
            "{out}"
        );
        let parsed: serde_yaml_ng::Value = serde_yaml_ng::from_str(&out).unwrap();
        assert_eq!(parsed["jobs"]["a"]["steps"][0]["with"]["persist-credentials"], false);
        assert_eq!(improve_workflow(&out), None);
    }

    #[test]
    fn a_workflow_that_pushes_keeps_its_token_and_broken_yaml_is_left_alone() {
        let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: git push origin HEAD\n";
        assert_eq!(improve_workflow(text), None);
        assert_eq!(improve_workflow("on: push\njobs: [\n"), None);
    }
}
