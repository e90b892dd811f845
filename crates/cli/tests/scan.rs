//! `slipway scan` on the command line: it honours slipway.toml, reports every service of a
//! monorepo, and keeps going past folders it may not read.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::*;

#[test]
fn scan_honours_slipway_toml() {
    let p = Project::plain("mono-pnpm-turbo");
    std::fs::write(
        p.work.join("slipway.toml"),
        "[services.\"apps/api\"]\nport = 9999\n\n[services.\"apps/web\"]\nignore = true\n",
    )
    .unwrap();
    let out = slipway(&["scan", p.path(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let profile = json(&out);
    let services = profile["services"].as_array().unwrap();
    assert_eq!(services.len(), 1, "apps/web is ignored: {services:#?}");
    assert_eq!(services[0]["path"], "apps/api");
    assert_eq!(services[0]["port"], 9999);
    assert_eq!(services[0]["corrected"], serde_json::json!(["port"]));

    let text = slipway(&["scan", p.path()]);
    assert!(stdout(&text).contains("corrected       port"), "{}", stdout(&text));
    assert!(
        stdout(&text).contains("not a service: apps/web (ignored in slipway.toml"),
        "{}",
        stdout(&text)
    );
}

/// Root reads every folder, so the unreadable case runs the scan as the unprivileged `nobody`
/// user when the tests run as root (as in CI), and as the current user otherwise.
#[test]
fn an_unreadable_folder_is_a_warning_and_the_rest_is_analysed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    std::fs::create_dir_all(root.join("api")).unwrap();
    std::fs::create_dir_all(root.join("secret")).unwrap();
    std::fs::write(root.join("api/go.mod"), "module example.com/api\n\ngo 1.24\n").unwrap();
    std::fs::write(
        root.join("api/main.go"),
        "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n",
    )
    .unwrap();
    std::fs::write(root.join("secret/package.json"), "{}").unwrap();
    for dir in [tmp.path(), root.as_path(), root.join("api").as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(root.join("secret"), std::fs::Permissions::from_mode(0o000)).unwrap();

    let bin = env!("CARGO_BIN_EXE_slipway");
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| stdout(&o).trim() == "0")
        .unwrap_or(false);
    let out = if as_root {
        Command::new("setpriv")
            .args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                bin,
                "scan",
                "--json",
            ])
            .arg(&root)
            .output()
            .expect("setpriv runs")
    } else {
        Command::new(bin).arg("scan").arg("--json").arg(&root).output().unwrap()
    };
    std::fs::set_permissions(root.join("secret"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(out.status.success(), "the scan goes on: {}", stderr(&out));
    let profile = json(&out);
    assert_eq!(profile["services"][0]["path"], "api", "{profile:#}");
    let warnings = profile["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["path"] == "secret" && w["message"].as_str().unwrap().contains("Permission denied")),
        "the unreadable folder is named: {warnings:#?}"
    );
}
