//! What a `slipway` process sets up before it works, seen from outside through strace: a scan
//! and a preview read no TLS configuration or CA bundle (so neither libgit2's nor reqwest's TLS
//! was initialised), start no async runtime (epoll) and open no socket (the keychain's D-Bus,
//! a provider); a model run does all of that, which shows the observation itself works.

mod common;

use std::process::Command;

use common::*;
use slipway_standin::{anthropic_turn, Server};

/// The system calls a run of `slipway args` made that show set-up work, one line each.
fn setup_calls(args: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("strace.log");
    let mut cmd = Command::new("strace");
    cmd.args([
        "-f",
        "-qq",
        "-e",
        "trace=openat,open,epoll_create,epoll_create1,connect",
        "-o",
    ])
    .arg(&log)
    .arg(env!("CARGO_BIN_EXE_slipway"))
    .args(args)
    .env_remove("SLIPWAY_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .expect("strace runs (scripts/test installs it with the test packages)");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.contains("execve") || text.contains("openat"),
        "strace saw the process (status {}): {}",
        out.status,
        stderr(&out)
    );
    text.lines()
        .filter(|l| {
            l.contains("openssl.cnf")
                || l.contains("ca-certificates")
                || l.contains("/etc/ssl/certs")
                || l.contains("epoll_create")
                || l.contains("connect(")
        })
        .map(str::to_string)
        .collect()
}

fn repo_with_remote() -> Project {
    let p = Project::repo("node-express");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/inventory.git"],
    );
    p
}

#[test]
fn a_scan_and_a_preview_set_up_no_tls_runtime_or_socket() {
    let p = repo_with_remote();
    let scan = setup_calls(&["scan", p.path(), "--json"], &[]);
    assert!(scan.is_empty(), "a scan reads only the project: {scan:#?}");
    let preview = setup_calls(&["run", p.path(), "--task", "containerize this app", "--json"], &[]);
    assert!(
        preview.is_empty(),
        "a preview writes nothing and needs no network: {preview:#?}"
    );
    let empty = tempfile::tempdir().unwrap();
    let none = setup_calls(&["scan", empty.path().to_str().unwrap()], &[]);
    assert!(none.is_empty(), "an empty folder: {none:#?}");
}

#[test]
fn a_model_run_sets_up_tls_and_the_runtime_which_the_observation_sees() {
    let p = repo_with_remote();
    let server = Server::start(vec![anthropic_turn("Nothing to change.", &[], (10, 5))]).unwrap();
    let calls = setup_calls(
        &[
            "run",
            p.path(),
            "--task",
            "containerize it",
            "--provider",
            "anthropic",
            "--base-url",
            &server.url(),
            "--model",
            "standin-model",
        ],
        &[("SLIPWAY_API_KEY", "sk-ant-standin-startup")],
    );
    assert!(
        calls.iter().any(|c| c.contains("epoll_create")),
        "the async runtime starts for a model run: {calls:#?}"
    );
    assert!(
        calls.iter().any(|c| c.contains("connect(")),
        "the provider is reached: {calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.contains("openssl.cnf") || c.contains("ca-certificates")),
        "the TLS client is set up: {calls:#?}"
    );
}
