//! One test per folder in `tests/fixtures`: the profile Slipway computes for it must match the
//! reviewed snapshot in `tests/snapshots/<fixture>.json`, and must hold together (every service
//! has evidence, every cited file exists, no warnings on a healthy project, no placeholder left).
//!
//! Adding a fixture folder adds its test. Run with `UPDATE_SNAPSHOTS=1` to write the snapshots
//! of new or changed fixtures, then review the diff before committing it.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use slipway_scan::{scan, ProjectProfile};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn check(name: &str) -> Result<(), Failed> {
    let dir = fixtures_dir().join(name);
    let mut profile: ProjectProfile = scan(&dir).map_err(|e| e.to_string())?;
    profile.root = format!("<fixtures>/{name}");
    coherent(name, &dir, &profile)?;

    let json = serde_json::to_string_pretty(&profile).map_err(|e| e.to_string())? + "\n";
    let snapshot = snapshots_dir().join(format!("{name}.json"));
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    match std::fs::read_to_string(&snapshot) {
        Ok(expected) if expected == json => Ok(()),
        _ if update => {
            std::fs::create_dir_all(snapshots_dir()).map_err(|e| e.to_string())?;
            std::fs::write(&snapshot, json).map_err(|e| e.to_string())?;
            Ok(())
        }
        Ok(expected) => {
            let diff = similar::TextDiff::from_lines(&expected, &json)
                .unified_diff()
                .header("snapshot", "now")
                .to_string();
            Err(format!(
                "the profile of {name} changed (UPDATE_SNAPSHOTS=1 rewrites it once the change is right):\n{diff}"
            )
            .into())
        }
        Err(_) => Err(format!(
            "no snapshot {} yet: run with UPDATE_SNAPSHOTS=1, then review it",
            snapshot.display()
        )
        .into()),
    }
}

/// What must hold for any fixture, whatever the snapshot says.
fn coherent(name: &str, dir: &Path, profile: &ProjectProfile) -> Result<(), Failed> {
    if !name.starts_with("broken-") && !profile.warnings.is_empty() {
        return Err(format!("a healthy fixture raised warnings: {:#?}", profile.warnings).into());
    }
    if profile.services.is_empty() {
        return Err("no service found".into());
    }
    for s in &profile.services {
        let at = |what: &str| format!("{name}/{}: {what}", s.path);
        if !dir.join(&s.path).is_dir() {
            return Err(at("the service folder does not exist").into());
        }
        if s.evidence.is_empty() {
            return Err(at("a service without evidence").into());
        }
        for e in &s.evidence {
            if !dir.join(&e.file).exists() {
                return Err(at(&format!("evidence cites {} which does not exist", e.file)).into());
            }
            if let Some(line) = e.line {
                let text = std::fs::read_to_string(dir.join(&e.file)).unwrap_or_default();
                if line == 0 || line as usize > text.lines().count() {
                    return Err(at(&format!("evidence cites {}:{line}, past the end of the file", e.file)).into());
                }
            }
        }
        match s.kind.as_str() {
            "web" if s.port.is_none() => return Err(at("a web service without a port").into()),
            "web" | "worker" if s.start_command.is_none() => return Err(at("no start command").into()),
            "static" if s.artifact.is_none() => return Err(at("a static site without an output folder").into()),
            "web" | "worker" | "static" => {}
            other => return Err(at(&format!("unknown kind {other}")).into()),
        }
        for cmd in [&s.start_command, &s.build_command, &s.install_command]
            .into_iter()
            .flatten()
        {
            if cmd.contains("{port}") {
                return Err(at(&format!("a placeholder is left in {cmd:?}")).into());
            }
        }
        if s.language.is_none()
            || s.runtime_version.is_none() && !matches!(s.language.as_deref(), Some("c" | "cpp" | "shell" | "static"))
        {
            return Err(at("language or runtime version missing").into());
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let trials = names
        .into_iter()
        .map(|name| Trial::test(format!("fixture::{name}"), move || check(&name)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
