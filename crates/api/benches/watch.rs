//! Prints how the project watcher copes with a burst of 10,000 file changes: how many
//! re-analyses it triggers, how long the burst takes to settle, and the process's resident
//! memory before and after (it should stay flat: events are counted, not kept).
//! Run with `cargo bench -p slipway-api --bench watch` (scripts/bench runs it).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let bursts: Arc<Mutex<Vec<(Instant, slipway_api::watch::Burst)>>> = Arc::default();
    let seen = bursts.clone();
    let quiet = Duration::from_millis(400);
    let _w = slipway_api::watch::watch(dir.path(), quiet, Duration::from_secs(60), move |b| {
        seen.lock().unwrap().push((Instant::now(), b))
    })
    .expect("watch");
    for round in 0..3 {
        let before = rss_kib();
        let start = Instant::now();
        for i in 0..10_000 {
            let sub = dir.path().join("src").join(format!("r{round}m{}", i % 50));
            if i < 50 {
                std::fs::create_dir_all(&sub).unwrap();
            }
            std::fs::write(sub.join(format!("f{i}.ts")), "export {};\n").unwrap();
        }
        let written = start.elapsed();
        while bursts.lock().unwrap().len() <= round {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(1500));
        let after = rss_kib();
        let all = bursts.lock().unwrap();
        let (settled, b) = &all[round];
        println!(
            "round {}: 10,000 files written in {:.0} ms; re-analyses {}; events {}; settled {:.0} ms after the last write (quiet {} ms); RSS {} KiB -> {} KiB",
            round + 1,
            written.as_secs_f64() * 1000.0,
            all.len() - round,
            b.events,
            settled.duration_since(start).saturating_sub(written).as_secs_f64() * 1000.0,
            quiet.as_millis(),
            before,
            after
        );
    }
}
