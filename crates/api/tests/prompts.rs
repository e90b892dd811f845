//! The prompts after templating, compared with reviewed snapshots. `UPDATE_SNAPSHOTS=1`
//! rewrites them; review the diff before committing.

use std::path::{Path, PathBuf};

use slipway_api::agent::{first_message, tool_specs, Briefing, SYSTEM_PROMPT, TASK_PROMPT};
use slipway_api::llm::{Client, Limits, ProviderConfig, ProviderKind, Secret};
use slipway_api::{LlmSettings, ProjectRules};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/prompts")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its snapshot; run with UPDATE_SNAPSHOTS=1 and review the diff.\n--- actual ---\n{actual}"
    );
}

#[test]
fn prompts_render_for_a_real_project_exactly_as_reviewed() {
    let fixture = repo_root().join("tests/fixtures/node-nextjs-pnpm-postgres");
    let mut profile = slipway_scan::scan(&fixture).unwrap();
    profile.root = "/project".into();
    let rules = ProjectRules::read(&fixture, &[]).describe();
    let client = Client::new(ProviderConfig {
        kind: ProviderKind::OpenAi,
        base_url: "http://127.0.0.1:9/v1".into(),
        model: "any".into(),
        key: Secret::default(),
        limits: Limits::default(),
    })
    .unwrap();
    let settings = LlmSettings::new(client, None);
    let briefing = Briefing {
        task: "containerize this app and add a compose file with its database",
        profile: &profile,
        rules: &rules,
        context: "3 recent commits on main, latest abc1234 \"Add orders page\"; no deployment files yet",
    };
    let first = first_message(&briefing, &settings).expect("every placeholder is filled");
    assert!(!first.contains("{{"), "no placeholder left");
    assert!(
        first.contains("\"framework\": \"nextjs\""),
        "the analysis is in the briefing"
    );
    assert!(first.contains("postgres"), "backing services are in the briefing");
    check("system.md", SYSTEM_PROMPT);
    check("first-message.md", &first);
    let tools = serde_json::to_string_pretty(&tool_specs(false)).unwrap() + "\n";
    check("tools.json", &tools);
    assert!(TASK_PROMPT.contains("{{task}}"));
}
