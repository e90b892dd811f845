//! The dated table of what pipelines pin (`data/ci-versions.toml`): actions by commit hash with
//! their tag, the command-line tools the deploy jobs install, and the images GitLab jobs use.

use std::sync::OnceLock;

use toml_edit::DocumentMut;

const TABLE: &str = include_str!("../../data/ci-versions.toml");

/// One pinned action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// `owner/repo` or `owner/repo/path`.
    pub name: String,
    /// The release tag.
    pub tag: String,
    /// The tag's full commit hash.
    pub sha: String,
    /// `node24`, `composite` or `docker`.
    pub runtime: String,
    /// The release date.
    pub date: String,
}

/// Pinned versions of the deploy tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tools {
    /// `@railway/cli`.
    pub railway: String,
    /// flyctl.
    pub flyctl: String,
    /// The Vercel CLI.
    pub vercel: String,
    /// The Netlify CLI.
    pub netlify: String,
    /// The Heroku CLI.
    pub heroku: String,
    /// The Azure Static Web Apps CLI.
    pub swa: String,
    /// kubectl, downloaded from dl.k8s.io and checked against its published checksum.
    pub kubectl: String,
    /// Helm 4, downloaded from get.helm.sh and checked against its published checksum.
    pub helm: String,
}

struct Table {
    checked_on: String,
    actions: Vec<Action>,
    tools: Tools,
    images: Vec<(String, String)>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        let doc: DocumentMut = TABLE
            .parse()
            .expect("data/ci-versions.toml is valid TOML (a test reads it)");
        let text = |t: &toml_edit::Item, k: &str| t.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let mut actions = Vec::new();
        if let Some(a) = doc.get("actions").and_then(|a| a.as_table_like()) {
            for (name, entry) in a.iter() {
                actions.push(Action {
                    name: name.to_string(),
                    tag: text(entry, "tag"),
                    sha: text(entry, "sha"),
                    runtime: text(entry, "runtime"),
                    date: text(entry, "date"),
                });
            }
        }
        let tools = &doc["tools"];
        let images = doc
            .get("images")
            .and_then(|i| i.as_table_like())
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (k.to_string(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Table {
            checked_on: doc
                .get("checked_on")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            actions,
            tools: Tools {
                railway: text(tools, "railway"),
                flyctl: text(tools, "flyctl"),
                vercel: text(tools, "vercel"),
                netlify: text(tools, "netlify"),
                heroku: text(tools, "heroku"),
                swa: text(tools, "swa"),
                kubectl: text(tools, "kubectl"),
                helm: text(tools, "helm"),
            },
            images,
        }
    })
}

/// Every pinned action.
pub fn actions() -> &'static [Action] {
    &table().actions
}

/// The pin of `name`: `owner/repo@<sha>`, and the tag for the comment.
///
/// Panics when the action is not in the table: generators only use actions the table holds,
/// and a test renders every fixture.
pub fn pin(name: &str) -> (String, String) {
    let a = table()
        .actions
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} is not in data/ci-versions.toml"));
    (format!("{}@{}", a.name, a.sha), a.tag.clone())
}

/// The deploy tools' versions.
pub fn tools() -> &'static Tools {
    &table().tools
}

/// An image from the table (`docker`, `docker_dind`, `curl`, `node`).
pub fn image(key: &str) -> &'static str {
    table()
        .images
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("image {key} is not in data/ci-versions.toml"))
}

/// When the table was checked.
pub fn checked_on() -> &'static str {
    &table().checked_on
}
