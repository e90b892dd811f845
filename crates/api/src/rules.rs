//! The project's own rules: agent rule files and contribution guides.

use std::path::Path;

use serde::{Deserialize, Serialize};
use slipway_scan::GitCommitSummary;

/// Files a project may keep its rules for agents and contributors in, in reading order.
const RULE_FILES: &[&str] = &[
    "AGENTS.md",
    "CLAUDE.md",
    "CONTRIBUTING.md",
    ".github/CONTRIBUTING.md",
    "docs/CONTRIBUTING.md",
];
/// Folders of rule files.
const RULE_DIRS: &[&str] = &[".claude/knowledge", ".claude/rules"];
/// Rule files above this size are read only up to it.
const MAX_RULE_BYTES: usize = 256 * 1024;

/// How the project writes commit messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitStyle {
    /// `type(scope): summary`, as in Conventional Commits.
    Conventional,
    /// A plain sentence.
    Plain,
}

/// What Slipway learned from the project's rule files and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRules {
    /// Rule files read, relative to the root.
    pub read: Vec<String>,
    /// The commit message style to follow.
    pub commit_style: CommitStyle,
    /// Why that style was chosen.
    pub commit_style_reason: String,
    /// Set when the rules forbid committing to the main branch: the file that says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_rule: Option<String>,
}

impl ProjectRules {
    /// Reads the rule files under `root` and looks at the recent commit messages.
    pub fn read(root: &Path, recent: &[GitCommitSummary]) -> ProjectRules {
        let mut files: Vec<String> = RULE_FILES
            .iter()
            .filter(|f| root.join(f).is_file())
            .map(|f| f.to_string())
            .collect();
        for dir in RULE_DIRS {
            if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
                let mut names: Vec<String> = rd
                    .filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".md"))
                    .collect();
                names.sort();
                files.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
            }
        }
        let mut says_conventional = None;
        let mut branch_rule = None;
        let protects_main = regex_lite::Regex::new(
            r"(never|don't|do not|must not|no)\s+(commit|push)(ting)?\s+(directly\s+)?(to|on|into)\s+`?(main|master)\b|(work|commit)\s+on\s+a\s+(feature\s+|new\s+|separate\s+)?branch",
        )
        .expect("valid regex");
        for f in &files {
            let Ok(bytes) = std::fs::read(root.join(f)) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RULE_BYTES)]).to_lowercase();
            if says_conventional.is_none()
                && (text.contains("conventional commit") || text.contains("conventionalcommits"))
            {
                says_conventional = Some(f.clone());
            }
            if branch_rule.is_none() && protects_main.is_match(&text) {
                branch_rule = Some(f.clone());
            }
            tracing::info!(file = %f, "read project rules");
        }
        let pattern = regex_lite::Regex::new(r"^[a-z]+(\([^)]+\))?!?: \S").expect("valid regex");
        let conventional_commits = recent.iter().filter(|c| pattern.is_match(&c.summary)).count();
        let (commit_style, commit_style_reason) = if let Some(f) = says_conventional {
            (CommitStyle::Conventional, format!("{f} asks for Conventional Commits"))
        } else if !recent.is_empty() && conventional_commits * 2 > recent.len() {
            (
                CommitStyle::Conventional,
                format!(
                    "{conventional_commits} of the last {} commits follow Conventional Commits",
                    recent.len()
                ),
            )
        } else {
            (
                CommitStyle::Plain,
                "no commit convention found: plain sentences".to_string(),
            )
        };
        ProjectRules {
            read: files,
            commit_style,
            commit_style_reason,
            branch_rule,
        }
    }

    /// Reads the rules under `root`, with the recent commits the analysis found.
    pub fn for_profile(root: &Path, profile: &slipway_scan::ProjectProfile) -> ProjectRules {
        let recent = profile
            .git
            .as_ref()
            .map(|g| g.recent_commits.as_slice())
            .unwrap_or_default();
        ProjectRules::read(root, recent)
    }

    /// What was read and what it means for the commit, in words.
    pub fn describe(&self) -> String {
        let mut out = if self.read.is_empty() {
            format!("no rule files found; {}", self.commit_style_reason)
        } else {
            format!("read {}; {}", self.read.join(", "), self.commit_style_reason)
        };
        if let Some(f) = &self.branch_rule {
            out.push_str(&format!(
                "; {f} keeps work off the main branch, so the commit goes on a new branch"
            ));
        }
        out
    }

    /// The branch to commit on when the rules keep work off the main branch.
    pub fn branch_for(&self, task: &str) -> Option<String> {
        self.branch_rule.as_ref()?;
        Some(ProjectRules::branch_name(task))
    }

    /// `slipway/<the task in up to six words>`.
    pub fn branch_name(task: &str) -> String {
        let slug: String = task
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .take(6)
            .collect::<Vec<_>>()
            .join("-");
        format!("slipway/{}", if slug.is_empty() { "task".into() } else { slug })
    }

    /// A commit message for `task` that touched `files`.
    pub fn commit_message(&self, task: &str, files: &[String]) -> String {
        let task = task.trim().trim_end_matches('.');
        let subject = match self.commit_style {
            CommitStyle::Conventional => format!("build: {}", task.to_lowercase()),
            CommitStyle::Plain => {
                let mut c = task.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
        };
        let subject: String = if subject.chars().count() > 72 {
            subject.chars().take(71).collect::<String>() + "…"
        } else {
            subject
        };
        format!(
            "{subject}\n\nTask: {task}\nFiles: {}\n\nGenerated by Slipway and reviewed before this commit.\n",
            files.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_that_keep_work_off_main_send_the_commit_to_a_new_branch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("CONTRIBUTING.md"),
            "# Contributing\n\nNever push directly to `main`: open a pull request.\nWe use Conventional Commits.\n",
        )
        .unwrap();
        let rules = ProjectRules::read(dir.path(), &[]);
        assert_eq!(rules.branch_rule.as_deref(), Some("CONTRIBUTING.md"));
        assert_eq!(rules.commit_style, CommitStyle::Conventional);
        assert_eq!(
            rules.branch_for("Containerize this Next.js app!").as_deref(),
            Some("slipway/containerize-this-next-js-app")
        );
        assert!(rules.describe().contains("keeps work off the main branch"));

        std::fs::write(
            dir.path().join("CONTRIBUTING.md"),
            "Push to main when the tests pass.\n",
        )
        .unwrap();
        let rules = ProjectRules::read(dir.path(), &[]);
        assert_eq!(rules.branch_rule, None, "no rule, no branch");
        assert_eq!(rules.branch_for("containerize"), None);
    }
}
