// The configuration lives at the repository root (the layout asks for it there); each app
// command gets its own generated permission, and capabilities/main.json grants them one by one.

use std::path::Path;
use std::process::Command;

const COMMANDS: &[&str] = &[
    "initial_project",
    "pick_folder",
    "open_project",
    "start_run",
    "apply_run",
    "commit_and_push",
    "recent_logs",
    "correct_service",
    "set_deploy",
    "cancel_run",
    "brain_status",
    "save_brain",
    "store_key",
    "forget_key",
    "provider_defaults",
    "review_change",
    "edit_change",
    "refresh_change",
    "run_conflicts",
    "undo_apply",
    "push_run",
    "store_git_token",
    "recent_projects",
    "branch_choice",
    "drift_fix",
    "project_overview",
];

/// Builds the web UI when it has never been built, so a plain `cargo build --release` on a
/// fresh clone embeds it. Only when missing: rebuilding on every UI change here would make the
/// build's own output trigger the next build. The scripts rebuild the UI each time.
fn ensure_ui_built() {
    let ui = Path::new("../ui");
    if ui.join("dist/index.html").exists() {
        return;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let run = |args: &[&str]| {
        let status = Command::new(npm).args(args).current_dir(ui).status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!(
                "`npm {}` in ui/ failed ({s}); run scripts/app, which installs what is missing",
                args.join(" ")
            ),
            Err(e) => panic!(
                "ui/dist is missing and npm cannot build it ({e}): install Node.js 20 or newer, or run scripts/app"
            ),
        }
    };
    if !ui.join("node_modules").exists() {
        run(&["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    }
    run(&["run", "build"]);
}

fn main() {
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../ui/dist");
    ensure_ui_built();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed: is ui/dist built? run scripts/app or `npm run build` in ui/");
}
