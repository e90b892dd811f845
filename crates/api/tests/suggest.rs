//! The tasks an empty project window offers are ones the engine carries out for that project:
//! every suggestion for every fixture previews files and declines nothing.

use std::path::Path;

use slipway_api::Run;

#[test]
fn every_suggestion_for_every_fixture_is_carried_out() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let (mut offered, mut projects) = (0, 0);
    let mut failures = Vec::new();
    for dir in &dirs {
        let profile = slipway_api::scan(dir).unwrap();
        let tasks = slipway_engine::suggest::tasks(&profile);
        if slipway_engine::generate::containerize(&profile).is_err() {
            assert!(
                tasks.is_empty(),
                "{}: nothing to offer without a service Slipway packages: {tasks:?}",
                dir.display()
            );
            continue;
        }
        assert!(!tasks.is_empty() && tasks.len() <= 3, "{}: {tasks:?}", dir.display());
        projects += 1;
        for task in tasks {
            offered += 1;
            match Run::prepare(dir, &task, &()) {
                Ok(run) => {
                    let report = run.report();
                    if !report.declined.is_empty() || report.changes.is_empty() {
                        failures.push(format!(
                            "{}: {task:?} declined {:?}, {} files",
                            dir.display(),
                            report.declined,
                            report.changes.len()
                        ));
                    }
                }
                Err(e) => failures.push(format!("{}: {task:?}: {e}", dir.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {offered} suggestions fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(projects > 50, "the fixtures were read ({projects} projects)");
    println!("{offered} suggestions for {projects} projects, all carried out");
}

#[test]
fn suggestions_follow_what_the_project_already_has() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let fresh = slipway_engine::suggest::tasks(&slipway_api::scan(&fixtures.join("python-fastapi-uv")).unwrap());
    assert_eq!(
        fresh,
        [
            "containerize this FastAPI app",
            "set up CI/CD with GitHub Actions for this FastAPI app",
            "deploy this FastAPI app to Render with a CI/CD pipeline"
        ]
    );
}
