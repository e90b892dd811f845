//! Scan speed, printed as figures (not a timed test):
//!
//! (a) every fixture project, scanned in process: median of 30 runs each, then the median and
//!     the worst of those medians;
//! (b) a generated monorepo of about 100,000 files: Slipway's whole scan beside `rg --files`
//!     (ripgrep's bare walk, the same .gitignore rules) on the same tree, and the ratio.
//!
//! Run: `cargo bench -p slipway-scan --bench scan` (scripts/bench installs ripgrep first).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut medians = Vec::new();
    println!("(a) fixture projects, in-process scan, median of 30 runs");
    for name in &names {
        let dir = root.join(name);
        for _ in 0..3 {
            slipway_scan::scan(&dir).unwrap();
        }
        let runs: Vec<Duration> = (0..30)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(slipway_scan::scan(&dir).unwrap());
                t.elapsed()
            })
            .collect();
        let m = median(runs);
        println!("    {name:<28} {}", ms(m));
        medians.push((m, name.clone()));
    }
    medians.sort();
    let worst = medians.last().unwrap();
    println!(
        "    {} projects: median {}, worst {} ({})",
        medians.len(),
        ms(medians[medians.len() / 2].0),
        ms(worst.0),
        worst.1
    );
}

/// A pnpm + Turborepo monorepo: 40 apps and 160 packages of 500 files each (100,000 source
/// files), plus a gitignored build folder in every app that both walks must skip.
fn generate(root: &Path) -> usize {
    let marker = root.join(".complete");
    if marker.exists() {
        return std::fs::read_to_string(&marker).unwrap().trim().parse().unwrap();
    }
    let _ = std::fs::remove_dir_all(root);
    let write = |p: PathBuf, c: &str| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, c).unwrap();
    };
    write(
        root.join("package.json"),
        r#"{"name":"big","private":true,"packageManager":"pnpm@10.11.0"}"#,
    );
    write(
        root.join("pnpm-workspace.yaml"),
        "packages:\n  - apps/*\n  - packages/*\n",
    );
    write(root.join("pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    write(root.join("turbo.json"), "{}\n");
    write(root.join(".gitignore"), "node_modules/\n.next/\ndist/\n");
    let mut files = 5;
    for (kind, count) in [("apps", 40), ("packages", 160)] {
        for i in 0..count {
            let dir = root.join(format!("{kind}/{kind}-{i:03}"));
            let manifest = if kind == "apps" {
                if i % 2 == 0 {
                    format!(
                        r#"{{"name":"app-{i}","scripts":{{"build":"next build","start":"next start"}},"dependencies":{{"next":"15.3.3","pg":"8"}}}}"#
                    )
                } else {
                    format!(
                        r#"{{"name":"api-{i}","scripts":{{"start":"node src/index.js"}},"dependencies":{{"express":"5","ioredis":"5"}}}}"#
                    )
                }
            } else {
                format!(r#"{{"name":"@big/pkg-{i}","main":"src/index.js"}}"#)
            };
            write(dir.join("package.json"), &manifest);
            files += 1;
            for f in 0..499 {
                let sub = format!("src/feature-{:02}/part-{:02}", f / 50, (f / 10) % 5);
                let body = if f == 0 {
                    "const app = require('express')();\napp.get('/healthz', (q, r) => r.send('ok'));\napp.listen(process.env.PORT || 3000);\n".to_string()
                } else {
                    format!("export const value{f} = process.env.FEATURE_{f} ?? {f};\n")
                };
                let name = if f == 0 {
                    "src/index.js".to_string()
                } else {
                    format!("{sub}/module-{f:03}.ts")
                };
                write(dir.join(name), &body);
                files += 1;
            }
            // Ignored output that must not be walked.
            write(dir.join("dist/bundle.js"), "ignored\n");
        }
    }
    // A git repository, so that ripgrep applies .gitignore exactly as Slipway does.
    let _ = Command::new("git").arg("init").arg("-q").arg(root).status();
    std::fs::write(&marker, files.to_string()).unwrap();
    files
}

fn big_tree() {
    let root = std::env::temp_dir().join("slipway-bench-monorepo");
    let t = Instant::now();
    let files = generate(&root);
    println!(
        "\n(b) generated monorepo: {files} files in {} (made in {})",
        root.display(),
        ms(t.elapsed())
    );
    let rg = Command::new("rg").arg("--version").output();
    if rg.is_err() {
        println!("    rg (ripgrep) is not installed: skipping the comparison; scripts/bench installs it");
        return;
    }
    // Warm the page cache for both.
    for _ in 0..2 {
        slipway_scan::scan(&root).unwrap();
        Command::new("rg").arg("--files").arg(&root).output().unwrap();
    }
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut listed = 0;
    let mut services = 0;
    for _ in 0..9 {
        let t = Instant::now();
        let p = std::hint::black_box(slipway_scan::scan(&root).unwrap());
        ours.push(t.elapsed());
        services = p.services.len();
        let t = Instant::now();
        let out = Command::new("rg").arg("--files").arg(&root).output().unwrap();
        theirs.push(t.elapsed());
        listed = out.stdout.iter().filter(|b| **b == b'\n').count();
    }
    let (o, r) = (median(ours), median(theirs));
    println!(
        "    slipway scan (walk + detect {services} services): median {} of 9",
        ms(o)
    );
    println!(
        "    rg --files ({listed} files listed):            median {} of 9",
        ms(r)
    );
    println!("    ratio slipway / rg: {:.2}", o.as_secs_f64() / r.as_secs_f64());
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    fixtures();
    big_tree();
}
