//! The project watcher on a real folder with inotify: a burst of 10,000 changes is one
//! re-analysis, and changes in .git or dependency folders are none.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use slipway_api::watch::{watch, Burst};

fn wait_for(what: &str, timeout: Duration, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_burst_of_ten_thousand_changes_is_one_reanalysis() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let bursts: Arc<Mutex<Vec<Burst>>> = Arc::default();
    let seen = bursts.clone();
    let _w = watch(
        dir.path(),
        Duration::from_millis(800),
        Duration::from_secs(60),
        move |b| seen.lock().unwrap().push(b),
    )
    .unwrap();

    // Ignored places: no re-analysis at all.
    for d in [".git/objects/ab", "node_modules/left-pad", "target/release"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
        for i in 0..200 {
            std::fs::write(dir.path().join(d).join(format!("f{i}")), "x").unwrap();
        }
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert!(bursts.lock().unwrap().is_empty(), "{:?}", bursts.lock().unwrap());

    // A branch switch's worth of changes.
    for i in 0..10_000 {
        let sub = dir.path().join("src").join(format!("m{}", i % 50));
        if i < 50 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("file{i}.ts")), format!("export const v = {i};\n")).unwrap();
    }
    wait_for("the burst to settle", Duration::from_secs(30), || {
        !bursts.lock().unwrap().is_empty()
    });
    std::thread::sleep(Duration::from_millis(2000));
    let got = bursts.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one re-analysis for the whole burst, got {}", got.len());
    assert!(got[0].events >= 1000, "the burst was seen: {} events", got[0].events);
    assert!(got[0].sample.len() <= 8, "only a sample of paths is kept");
    assert!(
        got[0].sample.iter().all(|p| p.starts_with("src")),
        "{:?}",
        got[0].sample
    );

    // A single edit later is its own re-analysis.
    std::fs::write(dir.path().join(".nvmrc"), "22\n").unwrap();
    wait_for("the edit", Duration::from_secs(10), || {
        bursts.lock().unwrap().len() == 2
    });
    assert!(bursts.lock().unwrap()[1].sample.contains(&".nvmrc".to_string()));
}
