//! What a `slipway` process costs, measured as a person runs it (not the in-process function):
//! wall time and CPU time (user + system, from getrusage) of every process, for
//!
//! (a) an empty folder, so start-up cost stays visible on its own;
//! (b) `slipway scan --json` on every fixture project, each copied out of this repository into
//!     its own git repository with one commit, as a user's project would be;
//! (c) a preview, `slipway run --task "containerize this app" --json`, on the same projects;
//! (d) the seed's first example, "set up CI/CD for this FastAPI project and deploy it to
//! Railway", on its fixture.
//!
//! Prints the median and the 95th percentile of each. Run: `cargo bench -p slipway-cli --bench
//! process`; set SLIPWAY_BENCH_BIN to measure another build of the command (an older release).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};

/// CPU time the finished children of this process used so far.
fn children_cpu() -> Duration {
    let u = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let us =
        |t: nix::sys::time::TimeVal| Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64);
    us(u.user_time()) + us(u.system_time())
}

/// Runs `bin args` once; returns (wall, cpu).
fn measure(bin: &Path, args: &[&str]) -> (Duration, Duration) {
    let cpu = children_cpu();
    let t = Instant::now();
    let status = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("slipway runs");
    let wall = t.elapsed();
    assert!(
        status.success() || args[0] == "run",
        "slipway {args:?} failed: {status}"
    );
    (wall, children_cpu() - cpu)
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(what: &str, runs: &[(Duration, Duration)]) {
    let mut wall: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    let mut cpu: Vec<Duration> = runs.iter().map(|r| r.1).collect();
    println!(
        "    {what:<44} {:>5} processes   wall median {:>9}, p95 {:>9}   cpu median {:>9}, p95 {:>9}",
        runs.len(),
        ms(percentile(&mut wall, 0.5)),
        ms(percentile(&mut wall, 0.95)),
        ms(percentile(&mut cpu, 0.5)),
        ms(percentile(&mut cpu, 0.95)),
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@slipway.invalid")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@slipway.invalid")
        .stdout(Stdio::null())
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "git {args:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn main() {
    let bin = std::env::var_os("SLIPWAY_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_slipway")));
    println!("slipway process cost: {}", bin.display());
    let tmp = tempfile::tempdir().unwrap();

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = empty.to_str().unwrap();
    for _ in 0..5 {
        measure(&bin, &["scan", e, "--json"]);
    }
    let runs: Vec<_> = (0..100).map(|_| measure(&bin, &["scan", e, "--json"])).collect();
    println!("(a) start-up");
    report("scan of an empty folder", &runs);

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut projects = Vec::new();
    for name in &names {
        let dir = tmp.path().join("projects").join(name);
        copy_dir(&root.join(name), &dir);
        git(&dir, &["init", "-q", "-b", "main"]);
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "Initial import"]);
        projects.push(dir);
    }
    const RUNS: usize = 10;
    let mut scans = Vec::new();
    let mut previews = Vec::new();
    for dir in &projects {
        let d = dir.to_str().unwrap();
        measure(&bin, &["scan", d, "--json"]);
        scans.extend((0..RUNS).map(|_| measure(&bin, &["scan", d, "--json"])));
        previews.extend((0..3).map(|_| measure(&bin, &["run", d, "--task", "containerize this app", "--json"])));
    }
    println!(
        "(b) {} fixture projects, each its own git repository, {RUNS} runs each",
        projects.len()
    );
    report("slipway scan --json", &scans);
    println!("(c) the same projects, 3 runs each");
    report("slipway run --task \"containerize this app\"", &previews);

    // The seed's first example, end to end: analysis, spec, pipeline, platform file, runbook,
    // reflection.
    let seed = projects
        .iter()
        .find(|p| p.ends_with("python-fastapi-railway"))
        .expect("the seed's fixture")
        .to_str()
        .unwrap()
        .to_string();
    let task = "set up CI/CD for this FastAPI project and deploy it to Railway";
    measure(&bin, &["run", &seed, "--task", task, "--json"]);
    let seeds: Vec<_> = (0..50)
        .map(|_| measure(&bin, &["run", &seed, "--task", task, "--json"]))
        .collect();
    println!("(d) the seed's first example, 50 runs");
    report(&format!("slipway run --task {task:?}"), &seeds);
}
