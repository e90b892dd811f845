//! Bad input never stops a scan: broken, binary, huge and oddly named files, symlink loops and
//! ignored folders give warnings naming the path (or are skipped), and the rest is analysed.

use std::path::Path;

use slipway_scan::{scan, scan_view, ProjectView};

fn write(root: &Path, path: &str, content: &[u8]) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

const GO_MOD: &[u8] = b"module example.com/ok\n\ngo 1.24\n";
const GO_MAIN: &[u8] = b"package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n";

#[test]
fn symlink_loops_do_not_trap_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "svc/go.mod", GO_MOD);
    write(dir.path(), "svc/main.go", GO_MAIN);
    std::os::unix::fs::symlink(dir.path(), dir.path().join("svc/loop")).unwrap();
    std::os::unix::fs::symlink("self", dir.path().join("self")).unwrap();
    let p = scan(dir.path()).unwrap();
    assert_eq!(p.services.len(), 1);
    assert_eq!(p.services[0].port, Some(8080));
}

#[test]
fn names_that_are_not_utf8_are_named_in_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", GO_MOD);
    write(dir.path(), "main.go", GO_MAIN);
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(dir.path().join(odd), b"x").unwrap();
    let p = scan(dir.path()).unwrap();
    assert_eq!(p.services.len(), 1, "the rest is analysed");
    let w = p
        .warnings
        .iter()
        .find(|w| w.message.contains("not valid UTF-8"))
        .expect("a warning");
    assert!(w.path.starts_with("caf"), "names the file: {w:?}");
}

#[test]
fn huge_and_binary_manifests_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut huge = b"{\"name\":\"big\",\"x\":\"".to_vec();
    huge.resize(2 * 1024 * 1024, b'a');
    write(dir.path(), "big/package.json", &huge);
    write(dir.path(), "bin/requirements.txt", b"flask\x00\x01\x02");
    write(dir.path(), "ok/go.mod", GO_MOD);
    write(dir.path(), "ok/main.go", GO_MAIN);
    let p = scan(dir.path()).unwrap();
    assert_eq!(p.services.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(), ["ok"]);
    let says = |path: &str, what: &str| p.warnings.iter().any(|w| w.path == path && w.message.contains(what));
    assert!(says("big/package.json", "byte limit"), "{:?}", p.warnings);
    assert!(says("bin/requirements.txt", "binary"), "{:?}", p.warnings);
}

#[test]
fn gitignored_and_dependency_folders_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", b"generated/\n");
    write(dir.path(), "go.mod", GO_MOD);
    write(dir.path(), "main.go", GO_MAIN);
    write(
        dir.path(),
        "generated/app/package.json",
        br#"{"name":"gen","scripts":{"start":"node ."}}"#,
    );
    write(
        dir.path(),
        "node_modules/x/package.json",
        br#"{"name":"x","scripts":{"start":"node ."}}"#,
    );
    write(dir.path(), "vendor/y/go.mod", GO_MOD);
    write(
        dir.path(),
        "tests/fixtures/z/package.json",
        br#"{"name":"z","scripts":{"start":"node ."}}"#,
    );
    let view = ProjectView::open(dir.path()).unwrap().indexed(&mut Vec::new());
    assert!(view.is_file("main.go"));
    assert!(!view.is_file("generated/app/package.json"), "honours .gitignore");
    assert!(!view.is_file("node_modules/x/package.json"), "skips dependencies");
    assert!(!view.is_file("vendor/y/go.mod"));
    let p = scan(dir.path()).unwrap();
    assert_eq!(p.services.len(), 1, "test fixtures are not services: {:?}", p.services);
}

/// A tiny deterministic generator, so the mutation test needs no extra crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every manifest of every fixture, mutated thousands of ways (bytes flipped, cut, duplicated,
/// spliced with syntax characters), is scanned in memory: no input may panic the scan.
/// The cargo-fuzz targets in fuzz/ explore further; this keeps the guarantee in every test run.
#[test]
fn mutated_manifests_never_panic_the_scan() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let manifest = |name: &str| {
        [
            "package.json",
            "pyproject.toml",
            "requirements.txt",
            "Pipfile",
            "go.mod",
            "go.work",
            "Cargo.toml",
            "pom.xml",
            "build.gradle",
            "build.gradle.kts",
            "settings.gradle",
            "build.sbt",
            "project.clj",
            "Gemfile",
            "composer.json",
            "mix.exs",
            "gleam.toml",
            "shard.yml",
            "pubspec.yaml",
            "Package.swift",
            "build.zig",
            "build.zig.zon",
            "CMakeLists.txt",
            "deno.json",
            "pnpm-workspace.yaml",
            "slipway.toml",
            "Procfile",
            "angular.json",
            "application.yml",
            "application.properties",
            "database.yml",
        ]
        .contains(&name)
            || name.ends_with(".csproj")
            || name.ends_with(".cabal")
    };
    let mut samples: Vec<(String, Vec<u8>)> = Vec::new();
    let mut stack = vec![fixtures.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if manifest(e.file_name().to_str().unwrap_or("")) {
                let rel = p.strip_prefix(&fixtures).unwrap();
                // Keep the path inside its fixture so nested names (config/database.yml) stay.
                let inner: String = rel
                    .iter()
                    .skip(1)
                    .map(|c| c.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                samples.push((inner, std::fs::read(&p).unwrap()));
            }
        }
    }
    samples.sort();
    assert!(samples.len() > 80, "found {} manifests", samples.len());
    let specials: &[&[u8]] = &[
        b"\"", b"{", b"}", b"[", b"]", b"<", b">", b"=", b"\n", b"\x00", b"\xff", b"::", b"*", b"${",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let mut runs = 0;
    for (path, bytes) in &samples {
        for _ in 0..40 {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(b.len() + 1);
                match rng.below(5) {
                    0 if !b.is_empty() => {
                        let i = at.min(b.len() - 1);
                        b[i] ^= 1 << rng.below(8);
                    }
                    1 => b.truncate(at),
                    2 => {
                        let s = specials[rng.below(specials.len())];
                        b.splice(at..at, s.iter().copied());
                    }
                    3 => {
                        let end = (at + rng.below(64)).min(b.len());
                        let chunk = b[at..end].to_vec();
                        b.splice(at..at, chunk);
                    }
                    _ => {
                        let end = (at + rng.below(16)).min(b.len());
                        b.drain(at..end);
                    }
                }
            }
            let view = ProjectView::in_memory([(path.clone(), b)]);
            let _ = scan_view(&view, Vec::new());
            runs += 1;
        }
    }
    assert!(runs > 3000, "{runs} runs");
}
