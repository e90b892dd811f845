//! Bad input gets a clear message that says what and where, exit code 2, and nothing written.

mod common;

use common::*;

fn assert_bad(out: &std::process::Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "bad input exits 2; stderr: {}", stderr(out));
    assert!(
        stdout(out).is_empty(),
        "nothing on stdout for scripts to misread: {}",
        stdout(out)
    );
    assert!(
        stderr(out).contains(needle),
        "the message says {needle:?}: {}",
        stderr(out)
    );
}

#[test]
fn a_missing_folder_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-project");
    let m = missing.to_str().unwrap();
    assert_bad(&slipway(&["scan", m, "--json"]), &format!("{m} does not exist"));
    assert_bad(
        &slipway(&["run", m, "--task", "containerize this app"]),
        &format!("{m} does not exist"),
    );
}

#[test]
fn a_file_is_not_a_project_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("package.json");
    std::fs::write(&file, "{}").unwrap();
    let f = file.to_str().unwrap();
    assert_bad(&slipway(&["scan", f]), &format!("{f} is a file"));
    assert_bad(
        &slipway(&["run", f, "--task", "containerize this app"]),
        "is a file, not a project folder",
    );
}

/// A folder the user may not read is named, with what to do about it. As root (CI), the
/// command runs without the capabilities that let root read anything, so the denial is real.
#[test]
fn a_folder_without_permission_says_so_in_words() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("package.json"), "{}").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let l = locked.to_str().unwrap();
    let root = std::process::Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args([
            "--bounding-set",
            "-dac_override,-dac_read_search",
            env!("CARGO_BIN_EXE_slipway"),
        ]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_slipway"))
    };
    let out = cmd.args(["scan", l]).output().unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_bad(
        &out,
        &format!(
            "cannot read project folder {l}: permission denied. Your user needs read and execute permission on it"
        ),
    );
}

#[test]
fn an_empty_folder_has_nothing_to_containerize() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().to_str().unwrap();
    let out = slipway(&["scan", d, "--json"]);
    assert!(
        out.status.success(),
        "scanning an empty folder is fine: {}",
        stderr(&out)
    );
    assert_eq!(json(&out)["services"], serde_json::json!([]));
    assert_bad(
        &slipway(&["run", d, "--task", "containerize this app", "--apply"]),
        "found no service to containerize",
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "nothing was written");
}

#[test]
fn commit_outside_a_git_repository_is_refused_before_anything_is_written() {
    let p = Project::plain("node-nextjs-standalone");
    let before = snapshot(&p.work);
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "containerize this app",
        "--apply",
        "--commit",
    ]);
    assert_bad(&out, "is not a git repository");
    assert!(stderr(&out).contains("git init"), "says what to do: {}", stderr(&out));
    assert_eq!(snapshot(&p.work), before, "nothing was written");
    // Without --commit the same folder is fine to apply to.
    let out = slipway(&["run", p.path(), "--task", "containerize this app", "--apply"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(p.work.join("Dockerfile").exists());
}

#[test]
fn tasks_are_understood_or_declined_in_words() {
    let p = Project::plain("node-nextjs-standalone");
    assert_bad(
        &slipway(&["run", p.path(), "--task", "make me a sandwich"]),
        "did not understand",
    );
    assert_bad(&slipway(&["run", p.path(), "--task", "   "]), "the task is empty");

    let out = slipway(&["run", p.path(), "--task", "write CloudFormation for Cloud Run"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "understood but not doable yet is a failure of the work"
    );
    assert!(
        stderr(&out).contains("cannot yet write infrastructure as code in CloudFormation for Cloud Run (it writes AWS, Google Cloud and Azure in Terraform, Google Cloud and Azure in Pulumi, and AWS in CloudFormation, so far)"),
        "{}",
        stderr(&out)
    );

    // Several intents: the part it can do is done, the rest is declined in words.
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "containerize it and set up monitoring with Prometheus",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["declined"], serde_json::json!(["set up monitoring and alerting"]));
    assert_eq!(
        r["changes"].as_array().unwrap().len(),
        4,
        "Dockerfile, .dockerignore, compose.yaml and compose.dev.yaml"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = slipway(&["run"]);
    assert_eq!(out.status.code(), Some(2));
    let out = slipway(&["run", ".", "--task", "containerize", "--push"]);
    assert_eq!(out.status.code(), Some(2), "--push without --commit is a usage error");
}
