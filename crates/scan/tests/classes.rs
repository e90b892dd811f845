//! The kinds of project the analysis used to give no answer for, or a wrong one, on real sample
//! repositories: one fixture per kind, with what a person reading it would conclude written by
//! hand. Two rules then hold over every fixture: a folder with a runnable entry is part of a
//! service, and no start command is a development server.

use std::path::{Path, PathBuf};

use slipway_scan::{scan, ServiceProfile};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// What a fixture's service must be.
struct Class {
    /// The kind of project, in words.
    what: &'static str,
    fixture: &'static str,
    path: &'static str,
    kind: &'static str,
    language: &'static str,
    port: Option<u16>,
    /// The start command contains this (`None`: a static site, which has none).
    start: Option<&'static str>,
    /// The build output, where it matters.
    artifact: Option<&'static str>,
}

const CLASSES: &[Class] = &[
    Class {
        what: "a Node.js package with an index.js that listens and no start script",
        fixture: "node-plain-entry",
        path: ".",
        kind: "web",
        language: "node",
        port: Some(8080),
        start: Some("node index.js"),
        artifact: None,
    },
    Class {
        what: "a TypeScript entry named by the main field, a queue worker",
        fixture: "node-main-typescript",
        path: ".",
        kind: "worker",
        language: "node",
        port: None,
        start: Some("node src/worker.ts"),
        artifact: None,
    },
    Class {
        what: "a Python folder with only a bot script",
        fixture: "python-bot-script",
        path: ".",
        kind: "worker",
        language: "python",
        port: None,
        start: Some("python bot.py"),
        artifact: None,
    },
    Class {
        what: "a Python folder with only a standard-library server",
        fixture: "python-plain-server",
        path: ".",
        kind: "web",
        language: "python",
        port: Some(8000),
        start: Some("python server.py"),
        artifact: None,
    },
    Class {
        what: "a Ruby app.rb with WEBrick and no framework",
        fixture: "ruby-plain-app",
        path: ".",
        kind: "web",
        language: "ruby",
        port: Some(8080),
        start: Some("ruby app.rb"),
        artifact: None,
    },
    Class {
        what: "Go with a main.go and no go.mod",
        fixture: "go-no-mod",
        path: ".",
        kind: "web",
        language: "go",
        port: Some(8080),
        start: Some("./bin/go-no-mod"),
        artifact: Some("bin/go-no-mod"),
    },
    Class {
        what: "Deno with main.ts and no deno.json",
        fixture: "deno-no-config",
        path: ".",
        kind: "web",
        language: "deno",
        port: Some(8000),
        start: Some("deno run --allow-net --allow-env --allow-read main.ts"),
        artifact: None,
    },
    Class {
        what: "Deno with its entry in src/ and no deno.json",
        fixture: "deno-src-entry",
        path: ".",
        kind: "web",
        language: "deno",
        port: Some(8787),
        start: Some("src/main.ts"),
        artifact: None,
    },
    Class {
        what: "a Vue CLI app (vue-cli-service), static files in its outputDir",
        fixture: "node-vue-cli",
        path: ".",
        kind: "static",
        language: "node",
        port: Some(8080),
        start: None,
        artifact: Some("public-build"),
    },
    Class {
        what: "Clojure with build.clj (tools.build) writing the uberjar",
        fixture: "clojure-tools-build",
        path: ".",
        kind: "web",
        language: "clojure",
        port: Some(8080),
        start: Some("java -jar target/shorty-1.2.0-standalone.jar"),
        artifact: Some("target/shorty-1.2.0-standalone.jar"),
    },
    Class {
        what: "a Cargo workspace whose glob names its members' folder (example/*)",
        fixture: "mono-cargo-glob",
        path: "example/gateway",
        kind: "web",
        language: "rust",
        port: Some(8080),
        start: Some("./target/release/gateway"),
        artifact: None,
    },
    Class {
        what: "C++ built with Meson, the executable declared in a subdir",
        fixture: "cpp-meson",
        path: ".",
        kind: "web",
        language: "cpp",
        port: Some(9090),
        start: Some("./build/src/tally"),
        artifact: Some("build/src/tally"),
    },
    Class {
        what: "Erlang with rebar3 and a relx release",
        fixture: "erlang-rebar3",
        path: ".",
        kind: "web",
        language: "erlang",
        port: Some(8080),
        start: Some("_build/prod/rel/beacon/bin/beacon foreground"),
        artifact: Some("_build/prod/rel/beacon"),
    },
    Class {
        what: "a shell-script service with no #! line, beside its public/ files",
        fixture: "shell-no-shebang",
        path: ".",
        kind: "web",
        language: "shell",
        port: Some(8080),
        start: Some("sh run.sh"),
        artifact: None,
    },
    Class {
        what: "a pnpm workspace whose root package is the server",
        fixture: "mono-pnpm-root-app",
        path: ".",
        kind: "web",
        language: "node",
        port: Some(3000),
        start: Some("node dist/server.js"),
        artifact: None,
    },
    Class {
        what: "a yarn workspace whose root package is a Vite app",
        fixture: "mono-yarn-root-app",
        path: ".",
        kind: "static",
        language: "node",
        port: Some(8080),
        start: None,
        artifact: Some("dist"),
    },
    Class {
        what: "a bun workspace whose root module runs Bun.serve",
        fixture: "mono-bun-root-app",
        path: ".",
        kind: "web",
        language: "bun",
        port: Some(3000),
        start: Some("bun run index.ts"),
        artifact: None,
    },
    Class {
        what: "Next.js with output: \"export\"",
        fixture: "node-nextjs-export",
        path: ".",
        kind: "static",
        language: "node",
        port: Some(8080),
        start: None,
        artifact: Some("out"),
    },
    Class {
        what: "React Router with ssr: false",
        fixture: "node-react-router-spa",
        path: ".",
        kind: "static",
        language: "node",
        port: Some(8080),
        start: None,
        artifact: Some("build/client"),
    },
    Class {
        what: "an Expo app exporting static web files",
        fixture: "node-expo-web",
        path: ".",
        kind: "static",
        language: "node",
        port: Some(8080),
        start: None,
        artifact: Some("dist"),
    },
    Class {
        what: "TanStack Start, a server (not static)",
        fixture: "node-tanstack-start",
        path: ".",
        kind: "web",
        language: "node",
        port: Some(3000),
        start: Some("node .output/server/index.mjs"),
        artifact: None,
    },
    Class {
        what: "a start script that runs nodemon from devDependencies",
        fixture: "node-nodemon-start",
        path: ".",
        kind: "web",
        language: "node",
        port: Some(4000),
        start: Some("node src/server.js"),
        artifact: None,
    },
    Class {
        what: "an Nx workspace whose start is nx serve: the API project",
        fixture: "mono-nx-serve",
        path: "apps/tracker",
        kind: "web",
        language: "node",
        port: Some(3333),
        start: Some("node dist/apps/tracker/main.js"),
        artifact: Some("dist/apps/tracker"),
    },
    Class {
        what: "an Nx workspace whose start is nx serve: the browser project",
        fixture: "mono-nx-serve",
        path: "apps/dashboard",
        kind: "static",
        language: "node",
        port: Some(8080),
        start: None,
        artifact: Some("dist/apps/dashboard"),
    },
    Class {
        what: "a Prisma project whose start script only migrates",
        fixture: "node-prisma-migrate",
        path: ".",
        kind: "web",
        language: "node",
        port: Some(3000),
        start: Some("prisma migrate deploy && node dist/index.js"),
        artifact: None,
    },
    Class {
        what: "a FastAPI app in a folder whose name is no Python module",
        fixture: "python-fastapi-hyphen-dir",
        path: ".",
        kind: "web",
        language: "python",
        port: Some(8000),
        start: Some("uvicorn main:app --app-dir order-api"),
        artifact: None,
    },
    Class {
        what: "a Java Spark app setting its port with port(...)",
        fixture: "java-spark",
        path: ".",
        kind: "web",
        language: "java",
        port: Some(8090),
        start: Some("java -jar target/rates-1.1.0.jar"),
        artifact: None,
    },
    Class {
        what: "a Rust tiny_http server binding its address",
        fixture: "rust-tiny-http",
        path: ".",
        kind: "web",
        language: "rust",
        port: Some(8000),
        start: Some("./target/release/pinger"),
        artifact: None,
    },
];

fn service<'a>(services: &'a [ServiceProfile], path: &str) -> Option<&'a ServiceProfile> {
    services.iter().find(|s| s.path == path)
}

#[test]
fn every_class_of_project_gets_the_answer_a_person_would_give() {
    let mut failures = Vec::new();
    for c in CLASSES {
        let profile = scan(&fixtures().join(c.fixture)).unwrap();
        let Some(s) = service(&profile.services, c.path) else {
            failures.push(format!(
                "{} ({}): no service at {}; skipped: {:?}",
                c.what, c.fixture, c.path, profile.skipped
            ));
            continue;
        };
        let got = (s.kind.as_str(), s.language.as_deref(), s.port);
        let want = (c.kind, Some(c.language), c.port);
        if got != want {
            failures.push(format!("{} ({}): got {got:?}, want {want:?}", c.what, c.fixture));
        }
        match (c.start, s.start_command.as_deref()) {
            (None, None) => {}
            (Some(want), Some(got)) if got.contains(want) => {}
            (want, got) => failures.push(format!(
                "{} ({}): start {got:?}, want one containing {want:?}",
                c.what, c.fixture
            )),
        }
        if let Some(want) = c.artifact {
            if s.artifact.as_deref() != Some(want) {
                failures.push(format!(
                    "{} ({}): output {:?}, want {want:?}",
                    c.what, c.fixture, s.artifact
                ));
            }
        }
        if s.evidence.is_empty() {
            failures.push(format!("{} ({}): no evidence for the choice", c.what, c.fixture));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Files that run a program when started, by name, and a sign in their text that they do
/// something when run (a library's index file that only exports does not count).
fn runnable_entry(name: &str, text: &str) -> bool {
    const ENTRIES: &[&str] = &[
        "index.js",
        "index.ts",
        "index.mjs",
        "server.js",
        "server.ts",
        "main.js",
        "main.ts",
        "app.js",
        "mod.ts",
        "worker.ts",
        "main.py",
        "app.py",
        "bot.py",
        "server.py",
        "manage.py",
        "main.go",
        "app.rb",
        "main.rb",
        "main.rs",
        "start.sh",
        "main.cpp",
        "Main.java",
        "App.java",
        "main.clj",
        "Program.cs",
        "main.dart",
        "main.cr",
        "main.swift",
        "Main.hs",
    ];
    const RUNS: &[&str] = &[
        "listen(",
        "serve(",
        "Serve(",
        ".start",
        "run(",
        "Run(",
        "while",
        "for (;;)",
        "loop {",
        "__main__",
        "func main",
        "fn main",
        "def main",
        "int main",
        "-main",
        "static void main",
        "void main",
        "Main(",
        "exec ",
        "mount_proc",
        "setInterval",
        "createServer",
        "start_server",
        "incoming_requests",
    ];
    ENTRIES.contains(&name) && RUNS.iter().any(|r| text.contains(r))
}

fn folders_with_runnable_entries(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !["node_modules", "target", ".git", "dist", "build"].contains(&name.as_str()) {
                    stack.push(path);
                }
            } else if runnable_entry(&name, &std::fs::read_to_string(&path).unwrap_or_default()) {
                let rel = dir.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push(if rel.is_empty() { ".".to_string() } else { rel });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn covers(service: &str, folder: &str) -> bool {
    service == "." || folder == service || folder.starts_with(&format!("{service}/"))
}

#[test]
fn every_folder_with_a_runnable_entry_is_part_of_a_service() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with("broken-"))
        .collect();
    names.sort();
    let mut uncovered = Vec::new();
    let mut checked = 0;
    for name in names {
        let dir = fixtures().join(&name);
        let profile = scan(&dir).unwrap();
        for folder in folders_with_runnable_entries(&dir) {
            checked += 1;
            if !profile.services.iter().any(|s| covers(&s.path, &folder)) {
                uncovered.push(format!("{name}/{folder}: skipped {:?}", profile.skipped));
            }
        }
    }
    assert!(checked > 40, "the rule found runnable entries to check ({checked})");
    assert!(
        uncovered.is_empty(),
        "folders with a runnable entry but no service:\n{}",
        uncovered.join("\n")
    );
}

/// Development servers and watchers, written down independently of the detector's own list.
fn development_command(cmd: &str) -> Option<&'static str> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    [
        (pair("next", "dev"), "next dev"),
        (has("vite") && !pair("vite", "build"), "vite"),
        (has("nodemon"), "nodemon"),
        (pair("expo", "start"), "expo start"),
        (
            pair("nx", "serve") || words.iter().any(|w| w.ends_with(":serve")),
            "nx serve",
        ),
        (pair("flask", "run"), "flask run"),
        (
            pair("rails", "s") && cmd.contains("development"),
            "rails s in development",
        ),
        (has("--reload"), "--reload"),
        (has("--watch") || cmd.contains("--watch="), "--watch"),
        (has("runserver"), "manage.py runserver"),
        (pair("ng", "serve"), "ng serve"),
        (pair("react-scripts", "start"), "react-scripts start"),
        (pair("vue-cli-service", "serve"), "vue-cli-service serve"),
        (has("ts-node-dev"), "ts-node-dev"),
        (pair("tsx", "watch"), "tsx watch"),
        (
            pair("nuxt", "dev") || pair("astro", "dev") || pair("remix", "dev"),
            "a framework's dev server",
        ),
    ]
    .into_iter()
    .find(|(hit, _)| *hit)
    .map(|(_, what)| what)
}

#[test]
fn no_start_command_in_the_snapshots_is_a_development_server() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut starts = 0;
    let mut found = Vec::new();
    for e in std::fs::read_dir(&snapshots).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        for s in json["services"].as_array().unwrap() {
            if let Some(cmd) = s["startCommand"].as_str() {
                starts += 1;
                if let Some(what) = development_command(cmd) {
                    found.push(format!(
                        "{}: {}: {cmd} ({what})",
                        e.file_name().to_string_lossy(),
                        s["path"]
                    ));
                }
            }
        }
    }
    assert!(starts > 80, "start commands were read ({starts})");
    assert!(
        found.is_empty(),
        "development commands as production starts:\n{}",
        found.join("\n")
    );
    // The rule itself recognises what it must.
    for dev in [
        "next dev",
        "nodemon server.js",
        "vite --host",
        "uvicorn app:app --reload",
        "npx nx serve api",
    ] {
        assert!(development_command(dev).is_some(), "{dev}");
    }
    assert!(development_command("vite build").is_none());
}
