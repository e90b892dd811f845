// The configuration lives at the repository root (the layout asks for it there); each app
// command gets its own generated permission, and capabilities/main.json grants them one by one.
const COMMANDS: &[&str] = &[
    "initial_project",
    "pick_folder",
    "open_project",
    "start_run",
    "apply_run",
    "commit_and_push",
    "recent_logs",
];

fn main() {
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed: is ui/dist built? run scripts/app or `npm run build` in ui/");
}
