//! `slipway run --provider …` end to end: the real binary against a local stand-in provider.

mod common;

use std::process::Command;

use common::*;
use slipway_standin::{anthropic_turn, Server};

const KEY: &str = "sk-ant-standin-77aa55cc33ee11dd";

#[test]
fn a_model_run_on_the_command_line_shows_its_steps_diff_and_usage_without_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    copy_dir(&fixture("node-express"), &dir);
    let dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN npm install --omit=dev\nCOPY . .\nUSER node\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
    let propose =
        serde_json::json!({"path": "Dockerfile", "content": dockerfile, "purpose": "Run the API in a container"})
            .to_string();
    let plan = r#"{"todos": [{"title": "Write the Dockerfile", "status": "in_progress"}]}"#;
    let done = r#"{"todos": [{"title": "Write the Dockerfile", "status": "done"}]}"#;
    let server = Server::start(vec![
        anthropic_turn("Planning.", &[("t1", "update_todos", plan)], (1000, 50)),
        anthropic_turn(
            "",
            &[("t2", "propose_change", &propose), ("t3", "update_todos", done)],
            (1400, 200),
        ),
        anthropic_turn("Proposed a Dockerfile that runs as the node user.", &[], (1700, 30)),
    ])
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_slipway"))
        .args([
            "run",
            dir.to_str().unwrap(),
            "--task",
            "containerize it",
            "--provider",
            "anthropic",
        ])
        .args(["--base-url", &server.url(), "--model", "standin-model"])
        .env("SLIPWAY_API_KEY", KEY)
        .env_remove("SLIPWAY_LOG")
        .output()
        .unwrap();
    let (so, se) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "stdout: {so}\nstderr: {se}");
    assert!(so.contains("[x] Write the Dockerfile"), "{so}");
    assert!(so.contains("+FROM node:22-alpine"), "the diff is shown: {so}");
    assert!(
        so.contains("Tokens: 4100 in, 280 out over 3 requests (anthropic standin-model at"),
        "{so}"
    );
    assert!(so.contains("The model's summary: Proposed a Dockerfile"), "{so}");
    assert!(
        se.contains("tool propose_change("),
        "the model's actions are shown: {se}"
    );
    assert!(!so.contains(KEY) && !se.contains(KEY), "the key is never printed");
    assert!(!dir.join("Dockerfile").exists(), "preview only without --apply");
    assert_eq!(server.requests()[0].header("x-api-key"), Some(KEY));
}

#[test]
fn a_remote_provider_without_a_key_is_refused_before_any_request() {
    let out = Command::new(env!("CARGO_BIN_EXE_slipway"))
        .args([
            "run",
            fixture("node-express").to_str().unwrap(),
            "--task",
            "containerize it",
        ])
        .args(["--provider", "openai"])
        .env_remove("SLIPWAY_API_KEY")
        // No session bus: the keychain cannot be reached, which is said, and then the missing key.
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/slipway-test-bus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "bad input: {}", stderr(&out));
    let se = stderr(&out);
    assert!(
        se.contains("no API key for openai at https://api.openai.com/v1"),
        "{se}"
    );
    assert!(se.contains("SLIPWAY_API_KEY"), "says how to fix it: {se}");
}
