//! Variants of the project kinds in `classes.rs` written into temporary folders: where Slipway
//! is sure, the answer; where it is not, a warning that names what to set in slipway.toml; and
//! a library only on evidence.

use std::path::Path;

use slipway_scan::{scan, ProjectProfile, ServiceProfile};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

fn profile(files: &[(&str, &str)]) -> ProjectProfile {
    let dir = project(files);
    scan(dir.path()).unwrap()
}

fn only(p: &ProjectProfile) -> &ServiceProfile {
    assert_eq!(p.services.len(), 1, "one service: {p:#?}");
    &p.services[0]
}

fn warned(p: &ProjectProfile, needle: &str) -> bool {
    p.warnings.iter().any(|w| w.message.contains(needle))
}

#[test]
fn a_ruby_program_without_a_gemfile_runs_with_ruby_and_asks_for_one_when_it_needs_gems() {
    let p = profile(&[("app.rb", "loop do\n  puts Time.now\n  sleep 60\nend\n")]);
    let s = only(&p);
    assert_eq!(s.start_command.as_deref(), Some("ruby app.rb"));
    assert_eq!(s.kind, "worker", "no port: a worker");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);

    let p = profile(&[("app.rb", "require \"sinatra\"\nget(\"/\") { \"hi\" }\n")]);
    assert!(warned(&p, "no Gemfile"), "{:?}", p.warnings);
}

#[test]
fn node_libraries_are_libraries_only_on_evidence() {
    let published = profile(&[
        (
            "package.json",
            r#"{"name":"slugs","version":"1.0.0","main":"index.js","exports":"./index.js","files":["index.js"]}"#,
        ),
        ("index.js", "module.exports = (s) => s.toLowerCase();\n"),
    ]);
    assert!(published.services.is_empty(), "{published:#?}");
    assert!(
        published.skipped[0]
            .reason
            .contains("made for others to import (package.json has exports, files)"),
        "{:?}",
        published.skipped
    );

    let declares_only = profile(&[
        ("package.json", r#"{"name":"util","main":"index.js"}"#),
        (
            "index.js",
            "function add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };\n",
        ),
    ]);
    assert!(declares_only.services.is_empty());
    assert!(declares_only.skipped[0].reason.contains("only declares and exports"));

    let cli = profile(&[
        ("package.json", r#"{"name":"sync","bin":{"sync":"bin/sync.js"}}"#),
        (
            "bin/sync.js",
            "#!/usr/bin/env node\nconst { run } = require('../lib');\nrun(process.argv.slice(2));\n",
        ),
    ]);
    let s = only(&cli);
    assert_eq!(
        s.start_command.as_deref(),
        Some("node bin/sync.js"),
        "a command-line entry runs"
    );
    assert_eq!(s.kind, "worker");
}

#[test]
fn typescript_entries_run_compiled_or_stripped_and_warn_on_an_old_node() {
    let compiled = profile(&[
        (
            "package.json",
            r#"{"name":"api","main":"src/index.ts","scripts":{"build":"tsc"},"dependencies":{"express":"5.1.0"}}"#,
        ),
        (
            "tsconfig.json",
            "{\n  \"compilerOptions\": { \"outDir\": \"dist\", \"rootDir\": \"src\" }\n}\n",
        ),
        (
            "src/index.ts",
            "import express from 'express';\nexpress().listen(3000);\n",
        ),
    ]);
    assert_eq!(only(&compiled).start_command.as_deref(), Some("node dist/index.js"));

    let old_node = profile(&[
        ("package.json", r#"{"name":"job","main":"job.ts"}"#),
        (".nvmrc", "20\n"),
        ("job.ts", "const n: number = 1;\nconsole.log(n);\n"),
    ]);
    assert_eq!(only(&old_node).start_command.as_deref(), Some("node job.ts"));
    assert!(
        warned(&old_node, "from 22.18 on") && warned(&old_node, "slipway.toml"),
        "{:?}",
        old_node.warnings
    );
}

#[test]
fn a_start_script_that_only_migrates_gets_the_server_after_it_and_a_devdependency_warning() {
    let p = profile(&[
        (
            "package.json",
            r#"{"name":"n","scripts":{"start":"npx prisma migrate deploy"},"dependencies":{"@prisma/client":"6"},"devDependencies":{"prisma":"6"}}"#,
        ),
        (
            "server.js",
            "require('http').createServer((q, s) => s.end('ok')).listen(8080);\n",
        ),
    ]);
    let s = only(&p);
    assert_eq!(
        s.start_command.as_deref(),
        Some("npx prisma migrate deploy && node server.js"),
        "migrations first, then the server"
    );
    assert!(warned(&p, "move prisma to dependencies"), "{:?}", p.warnings);
}

#[test]
fn watchers_with_no_file_fall_back_to_the_entry_file() {
    let p = profile(&[
        (
            "package.json",
            r#"{"name":"w","scripts":{"start":"nodemon"},"devDependencies":{"nodemon":"3"}}"#,
        ),
        (
            "index.js",
            "require('http').createServer((q, s) => s.end('ok')).listen(5000);\n",
        ),
    ]);
    let s = only(&p);
    assert_eq!(s.start_command.as_deref(), Some("node index.js"));
    assert_eq!(s.port, Some(5000));
}

#[test]
fn a_vite_app_served_by_a_static_file_server_stays_static() {
    let p = profile(&[(
        "package.json",
        r#"{"name":"site","scripts":{"build":"vite build","start":"serve -s dist"},"devDependencies":{"vite":"7"},"dependencies":{"serve":"14"}}"#,
    )]);
    let s = only(&p);
    assert_eq!(s.kind, "static");
    assert_eq!(s.start_command, None);
}

#[test]
fn workspace_roots_that_only_run_their_members_are_not_apps() {
    let p = profile(&[
        (
            "package.json",
            r#"{"name":"root","private":true,"workspaces":["apps/*"],"scripts":{"start":"turbo run start","build":"turbo run build"},"devDependencies":{"turbo":"2","vite":"7"}}"#,
        ),
        ("turbo.json", "{}"),
        (
            "apps/api/package.json",
            r#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"express":"5"}}"#,
        ),
        ("apps/api/server.js", "require('express')().listen(3000);\n"),
    ]);
    let s = only(&p);
    assert_eq!(s.path, "apps/api");
    assert!(p
        .skipped
        .iter()
        .any(|k| k.path == "." && k.reason.contains("workspace root")));
}

#[test]
fn expo_apps_without_a_web_export_are_not_deployed() {
    let p = profile(&[
        (
            "package.json",
            r#"{"name":"m","main":"expo-router/entry","scripts":{"start":"expo start"},"dependencies":{"expo":"54","react-native":"0.81"}}"#,
        ),
        ("app.json", r#"{"expo":{"name":"m"}}"#),
    ]);
    assert!(p.services.is_empty(), "{p:#?}");
    assert!(p.skipped[0].reason.contains("for phones"), "{:?}", p.skipped);
}

#[test]
fn tanstack_start_without_a_server_runtime_says_what_to_add() {
    let p = profile(&[(
        "package.json",
        r#"{"name":"t","scripts":{"build":"vite build","dev":"vite dev"},"dependencies":{"@tanstack/react-start":"1","react":"19"},"devDependencies":{"vite":"7"}}"#,
    )]);
    let s = only(&p);
    assert_eq!(s.kind, "web", "a server, never static");
    assert!(s.start_command.as_deref().unwrap().starts_with("srvx --prod"));
    assert!(warned(&p, "add srvx") && warned(&p, "slipway.toml"), "{:?}", p.warnings);
}

#[test]
fn django_without_a_wsgi_module_is_never_started_with_runserver() {
    let p = profile(&[
        ("requirements.txt", "django==5.2\ngunicorn==23.0\n"),
        ("manage.py", "import django\n"),
    ]);
    let s = only(&p);
    assert_eq!(s.start_command, None, "manage.py runserver is only for development");
    assert!(
        warned(&p, "no wsgi.py") && warned(&p, "slipway.toml"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn a_procfile_development_server_does_not_replace_the_production_start() {
    let p = profile(&[
        ("requirements.txt", "flask==3.1\ngunicorn==23.0\n"),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("Procfile", "web: flask run --host 0.0.0.0\n"),
    ]);
    let s = only(&p);
    assert!(
        s.start_command.as_deref().unwrap().starts_with("gunicorn"),
        "{:?}",
        s.start_command
    );
    assert!(warned(&p, "Flask's development server"), "{:?}", p.warnings);
}

#[test]
fn python_apps_under_src_import_from_src() {
    let p = profile(&[
        ("requirements.txt", "fastapi==0.120\nuvicorn==0.38\n"),
        ("src/shop/__init__.py", ""),
        ("src/shop/main.py", "from fastapi import FastAPI\napp = FastAPI()\n"),
    ]);
    let s = only(&p);
    assert!(
        s.start_command
            .as_deref()
            .unwrap()
            .starts_with("uvicorn shop.main:app --app-dir src "),
        "{:?}",
        s.start_command
    );
}

#[test]
fn go_without_a_module_warns_when_it_imports_one() {
    let p = profile(&[(
        "main.go",
        "package main\n\nimport \"github.com/acme/kit\"\n\nfunc main() { kit.Run() }\n",
    )]);
    let s = only(&p);
    assert_eq!(s.kind, "worker");
    assert!(warned(&p, "needs a go.mod"), "{:?}", p.warnings);
}

#[test]
fn a_typescript_file_that_names_no_runtime_is_not_guessed() {
    let p = profile(&[("main.ts", "export const x = 1;\n")]);
    assert!(p.services.is_empty(), "{p:#?}");
    assert!(
        warned(&p, "names its runtime") && warned(&p, "slipway.toml"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn a_start_script_without_a_shebang_runs_through_sh() {
    let p = profile(&[("start.sh", "python3 -m http.server 8080\n")]);
    let s = only(&p);
    assert_eq!(s.start_command.as_deref(), Some("sh start.sh"));
    assert_eq!(s.port, Some(8080));
}

#[test]
fn the_workspace_root_app_is_tied_to_its_workspace() {
    let dir = project(&[
        (
            "package.json",
            r#"{"name":"app","workspaces":["packages/*"],"scripts":{"start":"node server.js"},"dependencies":{"express":"5"}}"#,
        ),
        ("package-lock.json", "{}"),
        ("server.js", "require('express')().listen(3000);\n"),
        ("packages/lib/package.json", r#"{"name":"lib","main":"index.js"}"#),
        ("packages/lib/index.js", "exports.x = 1;\n"),
    ]);
    let p = scan(dir.path()).unwrap();
    let s = only(&p);
    let ws = s.workspace.as_ref().expect("the root app belongs to its workspace");
    assert_eq!((ws.root.as_str(), ws.tool.as_str()), (".", "npm"));
    assert!(
        !p.skipped.iter().any(|k| k.path == "."),
        "the root is a service, not also a skipped workspace root: {:?}",
        p.skipped
    );
    assert!(Path::new(&p.root).is_dir());
}

#[test]
fn a_folder_the_service_keeps_data_in_is_read_from_its_dockerfile_its_compose_file_and_its_sqlite_path() {
    let flask = |main: &str| -> Vec<(&'static str, String)> {
        vec![
            ("requirements.txt", "flask==3.1.2\nSQLAlchemy==2.0.43\n".to_string()),
            ("app.py", main.to_string()),
        ]
    };
    let scan_of = |files: Vec<(&'static str, String)>| {
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
        profile(&borrowed)
    };

    // The person's own Dockerfile declares the volume.
    let mut files = flask("from flask import Flask\napp = Flask(__name__)\napp.run(port=5000)\n");
    files.push((
        "Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nVOLUME [\"/srv/uploads\"]\nCMD [\"python\", \"app.py\"]\n"
            .into(),
    ));
    let p = scan_of(files);
    assert_eq!(only(&p).data_path.as_deref(), Some("/srv/uploads"), "{p:#?}");

    // A named volume the project's compose file mounts into the service it builds from here.
    let mut files = flask("from flask import Flask\napp = Flask(__name__)\napp.run(port=5000)\n");
    files.push((
        "compose.yaml",
        "services:\n  web:\n    build: .\n    volumes:\n      - ./src:/app/src\n      - media:/var/lib/media\n  db:\n    image: postgres:18\n    volumes:\n      - pg:/var/lib/postgresql\nvolumes:\n  media: {}\n  pg: {}\n".into(),
    ));
    let p = scan_of(files);
    assert_eq!(only(&p).data_path.as_deref(), Some("/var/lib/media"), "{p:#?}");
    assert!(
        only(&p)
            .evidence
            .iter()
            .any(|e| e.file == "compose.yaml" && e.line == Some(6)),
        "cited with its line: {:?}",
        only(&p).evidence
    );

    // SQLAlchemy's four slashes: an absolute file, whose folder is the volume.
    let p = scan_of(flask(
        "import os\nfrom flask import Flask\nfrom sqlalchemy import create_engine\nengine = create_engine(\"sqlite:////var/lib/shop/shop.db\")\napp = Flask(__name__)\napp.run(port=5000)\n",
    ));
    assert_eq!(only(&p).data_path.as_deref(), Some("/var/lib/shop"), "{p:#?}");

    // Three slashes: relative to the working folder, so the data dies with the container;
    // the warning says where and what to set, and setting it answers the warning.
    let relative = flask(
        "from flask import Flask\nfrom sqlalchemy import create_engine\nengine = create_engine(\"sqlite:///shop.db\")\napp = Flask(__name__)\napp.run(port=5000)\n",
    );
    let p = scan_of(relative.clone());
    assert_eq!(only(&p).data_path, None);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.path == "app.py:3" && w.message.contains("set data_path")),
        "{:?}",
        p.warnings
    );
    let mut corrected = relative;
    corrected.push(("slipway.toml", "[services.\".\"]\ndata_path = \"/data\"\n".into()));
    let p = scan_of(corrected);
    assert_eq!(only(&p).data_path.as_deref(), Some("/data"));
    assert!(!warned(&p, "set data_path"), "{:?}", p.warnings);

    // A file beside the image's own files cannot be a volume of its own.
    let p = scan_of(flask(
        "from flask import Flask\nimport sqlite3\nconn = sqlite3.connect('/app/shop.db')\napp = Flask(__name__)\napp.run(port=5000)\n",
    ));
    assert_eq!(only(&p).data_path, None);
    assert!(warned(&p, "beside the image's own files"), "{:?}", p.warnings);
}

#[test]
fn a_sqlite_default_beside_a_real_database_is_not_the_services_data() {
    // Django's generated settings name db.sqlite3; the app runs on PostgreSQL.
    let p = profile(&[
        ("requirements.txt", "Django==5.2.7\npsycopg==3.2.10\n"),
        ("manage.py", "import django\n"),
        (
            "shop/settings.py",
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}\n",
        ),
    ]);
    assert_eq!(only(&p).data_path, None);
    assert!(!warned(&p, "SQLite"), "{:?}", p.warnings);
}

#[test]
fn a_metrics_library_gives_the_path_it_serves_and_one_without_a_route_asks_for_it() {
    let p = profile(&[
        ("package.json", r#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"express":"5.1.0","express-prom-bundle":"8.0.0"}}"#),
        ("server.js", "const express = require('express');\nconst prom = require('express-prom-bundle');\nconst app = express();\napp.use(prom({ includeMethod: true }));\napp.listen(3000);\n"),
    ]);
    let s = only(&p);
    assert_eq!(s.metrics_path.as_deref(), Some("/metrics"));
    assert_eq!(s.metrics_library.as_deref(), Some("express-prom-bundle"));

    // prom-client serves nothing by itself: the route is the code's.
    let p = profile(&[
        ("package.json", r#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"express":"5.1.0","prom-client":"15.1.3"}}"#),
        ("server.js", "const express = require('express');\nconst client = require('prom-client');\nconst app = express();\napp.get('/internal/metrics', async (_req, res) => res.end(await client.register.metrics()));\napp.listen(3000);\n"),
    ]);
    assert_eq!(only(&p).metrics_path.as_deref(), Some("/internal/metrics"));

    let p = profile(&[
        ("package.json", r#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"express":"5.1.0","prom-client":"15.1.3"}}"#),
        ("server.js", "const express = require('express');\nconst client = require('prom-client');\nconst app = express();\napp.listen(3000);\n"),
    ]);
    assert_eq!(only(&p).metrics_path, None);
    assert!(warned(&p, "set metrics_path"), "{:?}", p.warnings);
}
