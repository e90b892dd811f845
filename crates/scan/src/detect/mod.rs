//! Service detection: which folders hold services, and what each one is.
//!
//! The walk yields a file index. Every folder holding a manifest is a candidate; the detector of
//! each ecosystem present looks at it and reports a service, a library (not deployable), or a
//! workspace root. Then workspace members are tied to their root, the best detection per folder
//! wins, and each service is finished with what its code says (ports, environment variables,
//! health endpoints) and what its deployment files say (Procfile, Dockerfile).

mod beam;
mod checks;
mod code;
pub(crate) mod commands;
mod dotnet;
mod go;
mod jvm;
mod native;
pub(crate) mod node;
mod other;
mod php;
mod python;
mod ruby;
mod rust;

use std::collections::BTreeMap;

use crate::knowledge::{self, BACKING_SERVICES, FRAMEWORKS, METRICS_LIBRARIES};
use crate::view::{join, line_of};
use crate::{Evidence, ProjectView, ScanWarning, ServiceProfile, Skipped, WorkspaceFacts};

/// A dependency as declared in a manifest.
#[derive(Debug, Clone)]
pub(crate) struct Dep {
    pub name: String,
    pub file: String,
    pub line: Option<u32>,
}

/// How far a port source is trusted, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Trust {
    Default,
    Dockerfile,
    Procfile,
    Config,
    Code,
}

/// One place that says which port the service listens on.
#[derive(Debug, Clone)]
pub(crate) struct PortHint {
    pub port: u16,
    pub trust: Trust,
    pub file: String,
    pub line: Option<u32>,
    pub reason: String,
}

/// A service as one ecosystem's detector sees it, before finishing.
#[derive(Debug, Clone)]
pub(crate) struct Detected {
    pub svc: ServiceProfile,
    pub ecosystem: &'static str,
    pub deps: Vec<Dep>,
    pub ports: Vec<PortHint>,
    /// File extensions of the service's source code, for code hints.
    pub exts: &'static [&'static str],
    /// The package's own name in its manifest (`@acme/web`), for workspace commands.
    pub package: Option<String>,
}

impl Detected {
    pub fn new(svc: ServiceProfile, ecosystem: &'static str, exts: &'static [&'static str]) -> Self {
        Self {
            svc,
            ecosystem,
            deps: Vec::new(),
            ports: Vec::new(),
            exts,
            package: None,
        }
    }

    pub fn port(&mut self, port: u16, trust: Trust, file: impl Into<String>, line: Option<u32>, reason: String) {
        self.ports.push(PortHint {
            port,
            trust,
            file: file.into(),
            line,
            reason,
        });
    }

    pub fn has_dep(&self, name: &str) -> bool {
        self.deps.iter().any(|d| knowledge::dep_matches(name, &d.name))
    }

    pub fn dep(&self, name: &str) -> Option<&Dep> {
        self.deps.iter().find(|d| knowledge::dep_matches(name, &d.name))
    }

    /// Sets the framework from the dependency table, citing the dependency.
    pub fn framework_from_deps(&mut self) -> Option<&'static str> {
        for (eco, pattern, fw) in FRAMEWORKS {
            if *eco != self.ecosystem {
                continue;
            }
            if let Some(dep) = self.dep(pattern).cloned() {
                self.svc.framework = Some((*fw).to_string());
                self.svc.cite(
                    &dep.file,
                    dep.line,
                    format!("depends on {}: built with {}", dep.name, framework_label(fw)),
                );
                return Some(fw);
            }
        }
        None
    }

    /// How strongly this detection claims its folder.
    fn score(&self) -> u8 {
        let framework = match (&self.svc.framework, self.svc.kind.as_str()) {
            (Some(_), "static") => 2,
            (Some(_), _) => 4,
            (None, _) => 0,
        };
        framework + u8::from(self.svc.start_command.is_some()) + u8::from(self.ecosystem != "node")
    }
}

/// What a detector concluded about a folder.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    Service(Box<Detected>),
    Library { path: String, reason: String },
    Workspace(Workspace),
}

/// A folder that ties several packages together.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub dir: String,
    pub tool: String,
    /// Member folders or glob patterns, relative to `dir`; empty means every folder below.
    pub members: Vec<String>,
    pub lockfile: Option<String>,
    pub package_manager: Option<String>,
    pub install_command: Option<String>,
    pub runtime_version: Option<String>,
    pub evidence: Evidence,
}

impl Workspace {
    /// A member's folder relative to the workspace root.
    pub fn member_path(&self, path: &str) -> String {
        if self.dir.is_empty() {
            return path.to_string();
        }
        path.strip_prefix(&format!("{}/", self.dir)).unwrap_or(path).to_string()
    }
}

/// What detectors read through: the view, and the warnings they raise.
pub(crate) struct Cx<'a> {
    pub view: &'a ProjectView,
    pub warnings: Vec<ScanWarning>,
}

impl<'a> Cx<'a> {
    pub fn new(view: &'a ProjectView) -> Self {
        Self {
            view,
            warnings: Vec::new(),
        }
    }

    pub fn is_file(&self, rel: &str) -> bool {
        self.view.is_file(rel)
    }

    pub fn text(&mut self, rel: &str) -> Option<String> {
        self.view.read_text(rel, &mut self.warnings)
    }

    pub fn warn(&mut self, rel: &str, message: impl Into<String>) {
        self.warnings.push(ScanWarning {
            path: rel.to_string(),
            message: message.into(),
        });
    }

    pub fn json(&mut self, rel: &str) -> Option<(String, serde_json::Value)> {
        let text = self.text(rel)?;
        // JSON with comments (tsconfig-style deno.jsonc) is read after dropping whole-line
        // comments; anything else must be strict JSON.
        let cleaned;
        let source = if rel.ends_with(".jsonc") {
            cleaned = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            &cleaned
        } else {
            &text
        };
        match serde_json::from_str::<serde_json::Value>(source) {
            Ok(v @ serde_json::Value::Object(_)) => Some((text, v)),
            Ok(_) => {
                self.warn(rel, "not analysed: not a JSON object");
                None
            }
            Err(e) => {
                self.warn(
                    rel,
                    format!(
                        "not analysed: invalid JSON at line {}, column {}: {e}",
                        e.line(),
                        e.column()
                    ),
                );
                None
            }
        }
    }

    pub fn toml(&mut self, rel: &str) -> Option<(String, toml_edit::DocumentMut)> {
        let text = self.text(rel)?;
        match text.parse::<toml_edit::DocumentMut>() {
            Ok(doc) => Some((text, doc)),
            Err(e) => {
                let line = e.span().map(|s| crate::view::line_at(&text, s.start));
                let first = e.message().lines().next().unwrap_or("").to_string();
                self.warn(
                    rel,
                    format!("not analysed: invalid TOML at line {}: {first}", line.unwrap_or(1)),
                );
                None
            }
        }
    }

    pub fn yaml(&mut self, rel: &str) -> Option<(String, serde_yaml_ng::Value)> {
        let text = self.text(rel)?;
        match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) {
            Ok(v) => Some((text, v)),
            Err(e) => {
                let at = e
                    .location()
                    .map(|l| format!(" at line {}", l.line()))
                    .unwrap_or_default();
                let message = e.to_string();
                let message = message.split(" at line").next().unwrap_or(&message).to_string();
                self.warn(rel, format!("not analysed: invalid YAML{at}: {message}"));
                None
            }
        }
    }

    /// Parses XML; the text must outlive the document, so the caller keeps it.
    pub fn xml<'t>(&mut self, rel: &str, text: &'t str) -> Option<roxmltree::Document<'t>> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        match roxmltree::Document::parse_with_options(text, options) {
            Ok(doc) => Some(doc),
            Err(e) => {
                self.warn(rel, format!("not analysed: invalid XML at line {}: {e}", e.pos().row));
                None
            }
        }
    }

    /// A new service for folder `dir`, named `name` or after the folder.
    pub fn service(&self, dir: &str, name: Option<&str>, language: &str) -> ServiceProfile {
        let folder = if dir.is_empty() {
            self.view.root_name()
        } else {
            dir.rsplit('/').next().unwrap_or(dir).to_string()
        };
        let name = name
            .map(|n| n.rsplit('/').next().unwrap_or(n).trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or(folder);
        let mut svc = ServiceProfile::new(name, if dir.is_empty() { "." } else { dir });
        svc.language = Some(language.to_string());
        svc
    }

    /// A version from `.tool-versions` or `mise.toml`, in the service folder or the root.
    pub fn tool_version(&mut self, dir: &str, tools: &[&str]) -> Option<(String, Option<u32>, String)> {
        let mut dirs = vec![dir.to_string()];
        if !dir.is_empty() {
            dirs.push(String::new());
        }
        for d in dirs {
            let path = join(&d, ".tool-versions");
            if let Some(text) = self.text(&path) {
                for (i, line) in text.lines().enumerate() {
                    let mut parts = line.split_whitespace();
                    if let (Some(tool), Some(version)) = (parts.next(), parts.next()) {
                        if tools.contains(&tool) {
                            return Some((path, Some(i as u32 + 1), version.to_string()));
                        }
                    }
                }
            }
            for name in ["mise.toml", ".mise.toml"] {
                let path = join(&d, name);
                if !self.is_file(&path) {
                    continue;
                }
                let Some((text, doc)) = self.toml(&path) else { continue };
                if let Some(t) = doc.get("tools").and_then(|t| t.as_table_like()) {
                    for tool in tools {
                        if let Some(v) = t.get(tool).and_then(|v| v.as_str()) {
                            return Some((path.clone(), line_of(&text, tool), v.to_string()));
                        }
                    }
                }
            }
        }
        None
    }

    /// Sets the runtime version from a range, or the newest supported line as a default.
    pub fn runtime_from_range(
        &mut self,
        svc: &mut ServiceProfile,
        runtime: &str,
        range: Option<(&str, &str, Option<u32>)>,
    ) {
        let lines = knowledge::lines(runtime);
        if let Some((range, file, line)) = range {
            match crate::semver::newest_allowed(range, lines) {
                Some(v) => {
                    svc.runtime_version = Some(v.to_string());
                    svc.cite(
                        file,
                        line,
                        format!(
                            "{range:?} allows {} {v}, the newest supported line in range",
                            runtime_label(runtime)
                        ),
                    );
                    return;
                }
                None => self.warn(
                    file,
                    format!(
                        "{range:?} allows no {} line Slipway knows ({}); using the default",
                        runtime_label(runtime),
                        lines.join(", ")
                    ),
                ),
            }
        }
        if let Some(v) = lines.first() {
            svc.runtime_version = Some((*v).to_string());
            svc.cite(
                svc_file(svc, ""),
                None,
                format!(
                    "no {} version pinned: using the current release line, {v} (as of {})",
                    runtime_label(runtime),
                    knowledge::CHECKED_ON
                ),
            );
        }
    }
}

/// A file inside a service folder, root-relative.
pub(crate) fn svc_file(svc: &ServiceProfile, name: &str) -> String {
    let dir = if svc.path == "." { "" } else { svc.path.as_str() };
    if name.is_empty() {
        if dir.is_empty() {
            ".".to_string()
        } else {
            dir.to_string()
        }
    } else {
        join(dir, name)
    }
}

/// A human name for a runtime id.
pub fn runtime_label(runtime: &str) -> &str {
    match runtime {
        "node" => "Node.js",
        "python" => "Python",
        "go" => "Go",
        "rust" => "Rust",
        "java" => "Java",
        "dotnet" => ".NET",
        "ruby" => "Ruby",
        "php" => "PHP",
        "elixir" => "Elixir",
        "gleam" => "Gleam",
        "haskell" => "GHC",
        "crystal" => "Crystal",
        "dart" => "Dart",
        "swift" => "Swift",
        "zig" => "Zig",
        "erlang" => "Erlang/OTP",
        "deno" => "Deno",
        "bun" => "Bun",
        other => other,
    }
}

/// A human name for a framework id.
pub fn framework_label(id: &str) -> &str {
    match id {
        "nextjs" => "Next.js",
        "nuxt" => "Nuxt",
        "remix" => "Remix",
        "react-router" => "React Router",
        "astro" => "Astro",
        "sveltekit" => "SvelteKit",
        "angular" => "Angular",
        "create-react-app" => "Create React App",
        "nestjs" => "NestJS",
        "fastify" => "Fastify",
        "hono" => "Hono",
        "koa" => "Koa",
        "express" => "Express",
        "vite" => "Vite",
        "django" => "Django",
        "fastapi" => "FastAPI",
        "flask" => "Flask",
        "starlette" => "Starlette",
        "gin" => "Gin",
        "echo" => "Echo",
        "fiber" => "Fiber",
        "chi" => "chi",
        "net-http" => "net/http",
        "axum" => "Axum",
        "actix" => "Actix Web",
        "rocket" => "Rocket",
        "spring-boot" => "Spring Boot",
        "quarkus" => "Quarkus",
        "micronaut" => "Micronaut",
        "play" => "Play",
        "aspnetcore" => "ASP.NET Core",
        "rails" => "Rails",
        "sinatra" => "Sinatra",
        "laravel" => "Laravel",
        "symfony" => "Symfony",
        "phoenix" => "Phoenix",
        "vapor" => "Vapor",
        "kemal" => "Kemal",
        "dart-frog" => "Dart Frog",
        "shelf" => "Shelf",
        "tanstack-start" => "TanStack Start",
        "expo" => "Expo",
        "vue-cli" => "Vue CLI",
        "spark" => "Spark",
        "javalin" => "Javalin",
        "aleph" => "Aleph",
        "bun" => "Bun",
        "deno" => "Deno",
        "tiny-http" => "tiny_http",
        "cowboy" => "Cowboy",
        "elli" => "Elli",
        "static" => "static site",
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Candidates

/// Files that make their folder a candidate wherever they are.
const STRONG: &[&str] = &[
    "package.json",
    "project.json",
    "deno.json",
    "deno.jsonc",
    "pyproject.toml",
    "requirements.txt",
    "Pipfile",
    "setup.py",
    "manage.py",
    "go.mod",
    "go.work",
    "Cargo.toml",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "build.sbt",
    "project.clj",
    "deps.edn",
    "Gemfile",
    "composer.json",
    "mix.exs",
    "gleam.toml",
    "rebar.config",
    "stack.yaml",
    "shard.yml",
    "pubspec.yaml",
    "Package.swift",
    "build.zig",
];
const STRONG_SUFFIXES: &[&str] = &[".csproj", ".fsproj", ".cabal"];

/// Files that make a folder a candidate only when no folder above it has a manifest: a
/// Procfile, a CMake project, a static page or a start script inside another service are part
/// of that service.
const WEAK: &[&str] = &[
    "CMakeLists.txt",
    "meson.build",
    "Procfile",
    "index.html",
    "index.php",
    "main.go",
    "hugo.toml",
];

/// A weak sign: one of [`WEAK`], or a program a detector runs on its own (a start script, a
/// Python or Ruby script, a Deno entry).
fn is_weak(name: &str) -> bool {
    WEAK.contains(&name)
        || other::SHELL_SCRIPTS.contains(&name)
        || python::ENTRY_SCRIPTS.contains(&name)
        || ruby::SCRIPTS.contains(&name)
        || other::DENO_ENTRIES.contains(&name)
}

/// Folders whose manifests are test data, samples or build output, not services.
const NOT_SERVICE_DIRS: &[&str] = &[
    "__fixtures__",
    "__tests__",
    "build",
    "dist",
    "e2e",
    "example",
    "examples",
    "fixtures",
    "out",
    "sample",
    "samples",
    "spec",
    "templates",
    "test",
    "testdata",
    "tests",
];

fn is_strong(name: &str) -> bool {
    STRONG.contains(&name) || STRONG_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Folders worth detecting, in path order, and the manifest folders set aside because they
/// sit in a test, example or output folder.
fn candidates(view: &ProjectView) -> (Vec<String>, Vec<String>) {
    let mut strong: BTreeMap<String, ()> = BTreeMap::new();
    let mut weak: BTreeMap<String, ()> = BTreeMap::new();
    let mut set_aside: BTreeMap<String, ()> = BTreeMap::new();
    // A Pulumi project (its Pulumi.yaml beside a package.json or a requirements.txt) is
    // infrastructure code that runs on the person's machine or in CI, never a service. Only
    // that folder: the app a Pulumi project deploys often sits below it (app/).
    let mut pulumi: BTreeMap<String, ()> = BTreeMap::new();
    for file in &view.index().files {
        let (dir, name) = file.rsplit_once('/').unwrap_or(("", file.as_str()));
        if matches!(name, "Pulumi.yaml" | "Pulumi.yml") {
            pulumi.insert(dir.to_string(), ());
        }
    }
    for file in &view.index().files {
        let (dir, name) = match file.rfind('/') {
            Some(i) => (&file[..i], &file[i + 1..]),
            None => ("", file.as_str()),
        };
        if pulumi.contains_key(dir) {
            if is_strong(name) {
                set_aside.insert(dir.to_string(), ());
            }
            continue;
        }
        if dir.split('/').any(|c| NOT_SERVICE_DIRS.contains(&c)) {
            if is_strong(name) {
                set_aside.insert(dir.to_string(), ());
            }
            continue;
        }
        if is_strong(name) {
            strong.insert(dir.to_string(), ());
        } else if is_weak(name) {
            // A program that keeps its entry in src/ (src/main.ts) runs from the folder above.
            let parent = dir
                .strip_suffix("src")
                .filter(|p| p.is_empty() || p.ends_with('/'))
                .filter(|_| other::DENO_ENTRIES.contains(&format!("src/{name}").as_str()));
            match parent {
                Some(p) => weak.insert(p.trim_end_matches('/').to_string(), ()),
                None => weak.insert(dir.to_string(), ()),
            };
        }
    }
    let has_strong_ancestor = |dir: &str| has_ancestor_in(&strong, dir);
    let has_weak_ancestor = |dir: &str| has_ancestor_in(&weak, dir);
    let mut out: Vec<String> = strong.keys().cloned().collect();
    for dir in weak.keys() {
        if !strong.contains_key(dir) && !has_strong_ancestor(dir) && !has_weak_ancestor(dir) {
            out.push(dir.clone());
        }
    }
    out.sort();
    (out, set_aside.into_keys().collect())
}

/// True when a member pattern of `ws` names, segment by segment, the test or example folder
/// that `dir` sits in (`example/*` names `example`): the workspace means those folders.
fn names_set_aside_folder(ws: &Workspace, dir: &str) -> bool {
    member_of(ws, dir)
        && ws.members.iter().any(|m| {
            m.split('/')
                .any(|seg| NOT_SERVICE_DIRS.contains(&seg) && dir.split('/').any(|c| c == seg))
        })
}

/// True when a folder above `dir` (the root included) is in `dirs`.
fn has_ancestor_in(dirs: &BTreeMap<String, ()>, dir: &str) -> bool {
    let mut d = dir;
    while !d.is_empty() {
        d = d.rfind('/').map_or("", |i| &d[..i]);
        if dirs.contains_key(d) {
            return true;
        }
    }
    false
}

/// A folder as services and skipped entries name it: `"."` for the root.
pub(crate) fn shown(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.into()
    }
}

/// Runs every detector that applies to folder `dir`.
fn detect_dir(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let has = |cx: &Cx, name: &str| cx.is_file(&join(dir, name));
    if has(cx, "package.json") {
        found.extend(node::detect(cx, dir));
    } else if has(cx, "project.json") {
        found.extend(node::nx::project(cx, dir));
    }
    if has(cx, "deno.json") || has(cx, "deno.jsonc") {
        found.extend(other::deno(cx, dir));
    }
    if ["pyproject.toml", "requirements.txt", "Pipfile", "setup.py", "manage.py"]
        .iter()
        .chain(python::ENTRY_SCRIPTS)
        .any(|f| has(cx, f))
    {
        found.extend(python::detect(cx, dir));
    }
    if has(cx, "go.mod") || has(cx, "go.work") {
        found.extend(go::detect(cx, dir));
    } else if has(cx, "main.go") {
        found.extend(go::without_module(cx, dir));
    }
    if has(cx, "Cargo.toml") {
        found.extend(rust::detect(cx, dir));
    }
    if has(cx, "pom.xml") {
        found.extend(jvm::maven(cx, dir));
    }
    if [
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
    ]
    .iter()
    .any(|f| has(cx, f))
    {
        found.extend(jvm::gradle(cx, dir));
    }
    if has(cx, "build.sbt") {
        found.extend(jvm::sbt(cx, dir));
    }
    if has(cx, "project.clj") || has(cx, "deps.edn") {
        found.extend(jvm::clojure(cx, dir));
    }
    let names = cx.view.index().names_in(dir);
    let has_suffix = |suffixes: &[&str]| names.iter().any(|n| suffixes.iter().any(|s| n.ends_with(s)));
    let dotnet = has_suffix(&[".csproj", ".fsproj", ".sln", ".slnx"]);
    let haskell = has_suffix(&[".cabal"]) || names.iter().any(|n| n == "stack.yaml");
    if dotnet {
        found.extend(dotnet::detect(cx, dir));
    }
    if has(cx, "Gemfile") {
        found.extend(ruby::detect(cx, dir));
    } else if ruby::SCRIPTS.iter().any(|f| has(cx, f)) {
        found.extend(ruby::without_bundler(cx, dir));
    }
    if has(cx, "composer.json") || has(cx, "index.php") {
        found.extend(php::detect(cx, dir));
    }
    if has(cx, "mix.exs") {
        found.extend(beam::elixir(cx, dir));
    }
    if has(cx, "gleam.toml") {
        found.extend(beam::gleam(cx, dir));
    }
    if has(cx, "rebar.config") {
        found.extend(beam::erlang(cx, dir));
    }
    if haskell {
        found.extend(native::haskell(cx, dir));
    }
    if has(cx, "shard.yml") {
        found.extend(native::crystal(cx, dir));
    }
    if has(cx, "pubspec.yaml") {
        found.extend(native::dart(cx, dir));
    }
    if has(cx, "Package.swift") {
        found.extend(native::swift(cx, dir));
    }
    if has(cx, "build.zig") {
        found.extend(native::zig(cx, dir));
    }
    if has(cx, "CMakeLists.txt") {
        found.extend(native::cmake(cx, dir));
    }
    if has(cx, "meson.build") {
        found.extend(native::meson(cx, dir));
    }
    let claimed = |found: &[Found]| found.iter().any(|f| !matches!(f, Found::Workspace(_)));
    if !claimed(&found) && !has(cx, "package.json") && other::DENO_ENTRIES.iter().any(|f| has(cx, f)) {
        found.extend(other::deno_without_config(cx, dir));
    }
    if !found.iter().any(|f| matches!(f, Found::Service(_))) {
        found.extend(other::fallback(cx, dir));
    }
    found
}

/// Runs `f` over `items` on a few threads when there are enough items for it to pay.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    if items.len() < 16 || threads < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                s.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// Every service in the project, the folders that are not services, and warnings.
pub(crate) fn services(view: &ProjectView, warnings: &mut Vec<ScanWarning>) -> (Vec<ServiceProfile>, Vec<Skipped>) {
    let (dirs, set_aside) = candidates(view);
    let detect_all = |dirs: &[String]| {
        parallel(dirs, |dir| {
            let mut cx = Cx::new(view);
            let found = detect_dir(&mut cx, dir);
            (found, cx.warnings)
        })
    };
    let mut results = detect_all(&dirs);
    // A workspace whose members all sit in a folder named like examples (`example/*`), and which
    // has no other deployable member, means those members: they are detected after all.
    let found = || results.iter().flat_map(|(found, _)| found.iter());
    let services: Vec<&str> = found()
        .filter_map(|f| match f {
            Found::Service(d) => Some(d.svc.path.as_str()),
            _ => None,
        })
        .collect();
    let named: Vec<String> = found()
        .filter_map(|f| match f {
            Found::Workspace(ws) if !services.iter().any(|p| member_of(ws, p)) => Some(ws),
            _ => None,
        })
        .flat_map(|ws| set_aside.iter().filter(move |d| names_set_aside_folder(ws, d)))
        .cloned()
        .collect();
    results.extend(detect_all(&named));
    let mut detected: Vec<Detected> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut workspaces: Vec<Workspace> = Vec::new();
    for (found, w) in results {
        warnings.extend(w);
        let mut here: Vec<Detected> = Vec::new();
        for f in found {
            match f {
                Found::Service(d) => here.push(*d),
                Found::Library { path, reason } => skipped.push(Skipped { path, reason }),
                Found::Workspace(ws) => workspaces.push(ws),
            }
        }
        if here.is_empty() {
            continue;
        }
        // One service per folder: the strongest claim wins, the others are cited as part of it.
        let best = (0..here.len())
            .max_by_key(|i| (here[*i].score(), std::cmp::Reverse(*i)))
            .unwrap_or(0);
        let mut winner = here.swap_remove(best);
        for other in here {
            winner.svc.cite(
                other.svc.evidence.first().map(|e| e.file.clone()).unwrap_or_default(),
                None,
                format!(
                    "also a {} package, treated as part of this {} service",
                    runtime_label(other.svc.language.as_deref().unwrap_or("")),
                    runtime_label(winner.svc.language.as_deref().unwrap_or(""))
                ),
            );
        }
        detected.push(winner);
    }

    // Tie workspace members to their workspace.
    for ws in &workspaces {
        for d in detected.iter_mut() {
            if member_of(ws, &d.svc.path) {
                link_member(ws, d);
            }
        }
        let n = detected.iter().filter(|d| member_of(ws, &d.svc.path)).count();
        // A root that is itself an app is a service of the workspace, built from the root.
        if let Some(root) = detected.iter_mut().find(|d| d.svc.path == shown(&ws.dir)) {
            root.svc.workspace = Some(WorkspaceFacts {
                root: shown(&ws.dir),
                tool: ws.tool.clone(),
                lockfile: ws.lockfile.clone(),
            });
            root.svc.cite(
                &ws.evidence.file,
                ws.evidence.line,
                format!(
                    "also the root of the {} workspace ({}); {n} other member{} deployable",
                    ws.tool,
                    ws.evidence.reason,
                    if n == 1 { " is" } else { "s are" }
                ),
            );
            continue;
        }
        skipped.push(Skipped {
            path: shown(&ws.dir),
            reason: format!(
                "{} workspace root: {}; its {n} deployable member{} {} listed as services",
                ws.tool,
                ws.evidence.reason,
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" }
            ),
        });
    }
    // A folder that is a service is not also listed as not being one.
    skipped.retain(|s| !detected.iter().any(|d| d.svc.path == s.path));

    let nested: Vec<String> = detected.iter().map(|d| d.svc.path.clone()).collect();
    let services = parallel(&detected, |d| {
        let mut cx = Cx::new(view);
        let svc = finish(&mut cx, d.clone(), &nested);
        (svc, cx.warnings)
    });
    let mut out = Vec::new();
    for (svc, w) in services {
        warnings.extend(w);
        out.push(svc);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.dedup_by(|a, b| a.path == b.path);
    (out, skipped)
}

/// True when service folder `path` is a member of workspace `ws`.
fn member_of(ws: &Workspace, path: &str) -> bool {
    let path = if path == "." { "" } else { path };
    let rel = if ws.dir.is_empty() {
        path
    } else {
        match path.strip_prefix(&ws.dir).and_then(|r| r.strip_prefix('/')) {
            Some(r) => r,
            None => return false,
        }
    };
    if rel.is_empty() {
        return false;
    }
    ws.members.is_empty() || ws.members.iter().any(|m| glob_match(m.trim_start_matches("./"), rel))
}

/// Matches a workspace glob such as `apps/*`, `packages/**` or `services/api`.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    if let Some(prefix) = pattern.strip_suffix("/**") {
        return path.starts_with(&format!("{prefix}/"));
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    p.len() == s.len() && p.iter().zip(&s).all(|(p, s)| segment_match(p, s))
}

fn segment_match(pattern: &str, name: &str) -> bool {
    match pattern.find('*') {
        None => pattern == name,
        Some(i) => {
            let (head, tail) = (&pattern[..i], &pattern[i + 1..]);
            name.len() >= head.len() + tail.len() && name.starts_with(head) && name.ends_with(tail)
        }
    }
}

fn link_member(ws: &Workspace, d: &mut Detected) {
    let svc = &mut d.svc;
    svc.workspace = Some(WorkspaceFacts {
        root: shown(&ws.dir),
        tool: ws.tool.clone(),
        lockfile: ws.lockfile.clone(),
    });
    svc.cite(
        &ws.evidence.file,
        ws.evidence.line,
        format!(
            "a member of the {} workspace at {}",
            ws.tool,
            if ws.dir.is_empty() { "the root" } else { &ws.dir }
        ),
    );
    if svc.lockfile.is_none() {
        svc.evidence.retain(|e| !e.reason.starts_with("no lockfile"));
        if let Some(lock) = &ws.lockfile {
            svc.cite(
                lock,
                None,
                format!("the workspace lockfile {lock} pins this service's dependencies"),
            );
        }
        if let Some(pm) = &ws.package_manager {
            svc.package_manager = Some(pm.clone());
        }
        if let Some(install) = &ws.install_command {
            svc.install_command = Some(install.clone());
        }
    }
    let runtime_is_default = svc
        .evidence
        .iter()
        .any(|e| e.reason.starts_with("no ") && e.reason.contains("version pinned"));
    if let (true, Some(v)) = (runtime_is_default, &ws.runtime_version) {
        svc.runtime_version = Some(v.clone());
        svc.evidence
            .retain(|e| !(e.reason.starts_with("no ") && e.reason.contains("version pinned")));
        svc.cite(
            &ws.evidence.file,
            None,
            format!("runtime version {v} from the workspace root"),
        );
    }
    match d.ecosystem {
        "node" => node::adapt_member(ws, d),
        "rust" => rust::adapt_member(ws, d),
        "jvm" => jvm::adapt_member(ws, d),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Finishing

/// Completes a detected service with what its code, its env examples, its Procfile and its
/// Dockerfile say, then settles the port.
fn finish(cx: &mut Cx, mut d: Detected, services: &[String]) -> ServiceProfile {
    let dir = if d.svc.path == "." {
        String::new()
    } else {
        d.svc.path.clone()
    };

    // Backing services from dependencies.
    let mut backing: Vec<String> = d.svc.backing_services.clone();
    for (eco, pattern, service) in BACKING_SERVICES {
        let eco_matches = *eco == d.ecosystem || (*eco == "cpp" && d.ecosystem == "c");
        if !eco_matches {
            continue;
        }
        if let Some(dep) = d.dep(pattern).cloned() {
            if !backing.iter().any(|b| b == service) {
                d.svc
                    .cite(&dep.file, dep.line, format!("depends on {}: needs {service}", dep.name));
                backing.push((*service).to_string());
            }
        }
    }

    // Environment examples.
    let mut env: Vec<String> = d.svc.env_vars.clone();
    let mut env_sqlite: Vec<(String, String, u32)> = Vec::new();
    for name in [
        ".env.example",
        ".env.sample",
        ".env.template",
        ".env.dist",
        "env.example",
        ".env.defaults",
    ] {
        let path = join(&dir, name);
        let Some(text) = cx.text(&path) else { continue };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim().trim_start_matches("export ");
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if !code::is_env_name(key) {
                continue;
            }
            env.push(key.to_string());
            let value = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
            if value.starts_with("sqlite") || (value.starts_with("file:") && value.contains(".db")) {
                env_sqlite.push((value.clone(), path.clone(), i as u32 + 1));
            }
            if let Some(service) = code::service_of_url(key, &value) {
                if !backing.iter().any(|b| b == service) {
                    d.svc
                        .cite(&path, Some(i as u32 + 1), format!("{key} points at {service}"));
                    backing.push(service.to_string());
                }
            }
            if key == "PORT" {
                if let Ok(port) = value.parse::<u16>() {
                    d.port(
                        port,
                        Trust::Config,
                        &path,
                        Some(i as u32 + 1),
                        format!("{name} sets PORT={port}"),
                    );
                }
            }
        }
    }

    // Code hints.
    let hints = code::scan(cx.view, &dir, d.exts, services);
    for (port, file, line, reason) in hints.ports {
        d.port(port, Trust::Code, file, Some(line), reason);
    }
    env.extend(hints.env);
    if d.svc.health_path.is_none() {
        if let Some((path, file, line)) = hints.health {
            d.svc
                .cite(file, Some(line), format!("the code serves a health endpoint at {path}"));
            d.svc.health_path = Some(path);
        }
    }
    if d.svc.readiness_path.is_none() {
        if let Some((path, file, line)) = hints.readiness {
            if d.svc.health_path.as_deref() != Some(path.as_str()) {
                d.svc.cite(
                    file,
                    Some(line),
                    format!("the code serves a readiness endpoint at {path}"),
                );
            }
            d.svc.readiness_path = Some(path);
        }
    }
    for (path, file, line, call) in hints.deep {
        if !d.svc.deep_health_paths.contains(&path) {
            d.svc.cite(
                file,
                Some(line),
                format!("the handler of {path} reaches a dependency ({call}): not a liveness probe"),
            );
            d.svc.deep_health_paths.push(path);
        }
    }
    // Metrics: a library that serves Prometheus metrics, on the route the code names or the
    // library's own. A worker serves no HTTP, so its metrics are left to the person.
    if d.svc.kind != "worker" {
        let library = METRICS_LIBRARIES
            .iter()
            .filter(|(eco, ..)| *eco == d.ecosystem)
            .find_map(|(_, pattern, lib, path)| d.dep(pattern).cloned().map(|dep| (dep, *lib, *path)));
        if let Some((dep, lib, default_path)) = library {
            let route = hints.metrics.clone();
            match (route, default_path) {
                (Some((path, file, line)), _) => {
                    d.svc.cite(
                        &dep.file,
                        dep.line,
                        format!("depends on {}: exports Prometheus metrics", dep.name),
                    );
                    d.svc
                        .cite(file, Some(line), format!("the code serves the metrics at {path}"));
                    d.svc.metrics_path = Some(path);
                    d.svc.metrics_library = Some(lib.to_string());
                }
                (None, path) if !path.is_empty() => {
                    d.svc.cite(
                        &dep.file,
                        dep.line,
                        format!("depends on {}: serves Prometheus metrics at {path}", dep.name),
                    );
                    d.svc.metrics_path = Some(path.to_string());
                    d.svc.metrics_library = Some(lib.to_string());
                }
                (None, _) => cx.warn(
                    &format!("{}:{}", dep.file, dep.line.unwrap_or(1)),
                    format!(
                        "depends on {} but no route in the code serves its metrics; set metrics_path in slipway.toml to the path that does",
                        dep.name
                    ),
                ),
            }
        }
    }

    // Data that must outlive the container: the SQLite file the code opens, unless the service
    // has a database server (then SQLite is a development default, as in Django's settings).
    let other_db = backing
        .iter()
        .any(|b| matches!(b.as_str(), "postgres" | "mysql" | "mariadb" | "mongodb"));
    let uses_sqlite = backing.iter().any(|b| b == "sqlite") && !other_db;
    let mut sqlite_seen = false;
    if !other_db {
        for (written, file, line) in env_sqlite.iter().chain(&hints.sqlite) {
            let path = code::sqlite_file(written, d.ecosystem == "python");
            if path.is_empty() {
                continue;
            }
            sqlite_seen = true;
            match data_folder(&path) {
                Some(folder) if d.svc.data_path.is_none() => {
                    d.svc.cite(
                        file,
                        Some(*line),
                        format!("keeps its SQLite database at {path}: the folder {folder} must outlive the container"),
                    );
                    d.svc.data_path = Some(folder);
                }
                Some(_) => {}
                None => cx.warn(
                    &format!("{file}:{line}"),
                    format!(
                        "keeps its SQLite database at {path}, {}, where it is lost when the container is replaced; move it into a folder of its own (such as /data/{}) and set data_path = \"/data\" in slipway.toml",
                        if path.starts_with('/') {
                            "beside the image's own files"
                        } else {
                            "relative to the working folder"
                        },
                        path.rsplit('/').next().unwrap_or("app.db")
                    ),
                ),
            }
            break;
        }
    }
    if uses_sqlite && !sqlite_seen && d.svc.data_path.is_none() {
        let file = svc_file(&d.svc, "").to_string();
        cx.warn(
            &file,
            "uses SQLite, whose database file is lost when the container is replaced unless it lives on a volume; set data_path in slipway.toml to its folder (such as /data)",
        );
    }

    for (file, line, message) in hints.bindings {
        cx.warnings.push(ScanWarning {
            path: format!("{file}:{line}"),
            message,
        });
    }

    // Procfile: the project's own word on how it runs in production, unless it names a
    // development server: then the stack's own production start stays, and a warning says so.
    let procfile = join(&dir, "Procfile");
    if let Some(text) = cx.text(&procfile) {
        if let Some((i, cmd)) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.strip_prefix("web:").map(|c| (i, c.trim().to_string())))
        {
            if let Some(dev) = commands::development_server(&cmd) {
                let keeps = match &d.svc.start_command {
                    Some(start) => format!("Slipway starts it with {start}"),
                    None => "set start_command in slipway.toml".to_string(),
                };
                cx.warn(
                    &format!("{procfile}:{}", i + 1),
                    format!(
                        "the Procfile's web process runs {} (`{}`), not a production server; {keeps}",
                        dev.why, dev.step
                    ),
                );
            } else {
                d.svc
                    .cite(&procfile, Some(i as u32 + 1), format!("Procfile web process: {cmd}"));
                if let Some(port) = code::port_in_command(&cmd) {
                    d.port(
                        port,
                        Trust::Procfile,
                        &procfile,
                        Some(i as u32 + 1),
                        format!("Procfile starts it on port {port}"),
                    );
                }
                d.svc.start_command = Some(cmd);
                if d.svc.kind != "static" {
                    d.svc.kind = "web".into();
                }
            }
        }
    }

    // An existing Dockerfile's EXPOSE, and the VOLUME it declares.
    for name in ["Dockerfile", "Containerfile"] {
        let path = join(&dir, name);
        let Some(text) = cx.text(&path) else { continue };
        if let Some((i, folder)) = text.lines().enumerate().find_map(|(i, l)| volume_of(l).map(|v| (i, v))) {
            if d.svc.kind != "static" {
                d.svc.cite(
                    &path,
                    Some(i as u32 + 1),
                    format!("{name} declares VOLUME {folder}: data there must outlive the container"),
                );
                d.svc.data_path = Some(folder);
            }
        }
        if let Some((i, port)) = text.lines().enumerate().find_map(|(i, l)| {
            let t = l.trim();
            let rest = t.strip_prefix("EXPOSE ").or_else(|| t.strip_prefix("expose "))?;
            let first = rest.split_whitespace().next()?;
            first.split('/').next()?.parse::<u16>().ok().map(|p| (i, p))
        }) {
            d.port(
                port,
                Trust::Dockerfile,
                &path,
                Some(i as u32 + 1),
                format!("{name} exposes port {port}"),
            );
        }
        break;
    }

    // The framework's default; static files are served by a web server on 8080.
    let fw = d.svc.framework.clone().unwrap_or_default();
    let file = svc_file(&d.svc, "");
    if d.svc.kind == "static" {
        d.port(
            8080,
            Trust::Default,
            file,
            None,
            "static files: a small web server serves them on 8080".into(),
        );
    } else if let Some(port) = knowledge::default_port(&fw) {
        d.port(
            port,
            Trust::Default,
            file,
            None,
            format!("{} listens on {port} by default", framework_label(&fw)),
        );
    }

    // A static site's port is its web server's: what code and dev configs say is for development.
    if d.svc.kind == "static" {
        d.ports
            .retain(|h| matches!(h.trust, Trust::Default | Trust::Dockerfile));
    }
    // Settle the port: the most trusted source wins; the first of equals.
    let best = d
        .ports
        .iter()
        .enumerate()
        .max_by_key(|(i, h)| (h.trust, std::cmp::Reverse(*i)))
        .map(|(_, h)| h.clone());
    if let Some(h) = best {
        let others: Vec<String> = d
            .ports
            .iter()
            .filter(|o| o.port != h.port)
            .map(|o| format!("{} ({})", o.port, o.file))
            .collect();
        let mut reason = h.reason.clone();
        if !others.is_empty() {
            reason.push_str(&format!("; preferred over {}", others.join(", ")));
        }
        d.svc.cite(&h.file, h.line, reason);
        d.svc.port = Some(h.port);
        if d.svc.kind == "worker" && h.trust == Trust::Code {
            d.svc.kind = "web".into();
        }
    }
    if d.svc.kind == "worker" {
        d.svc.port = None;
    }
    if let Some(start) = &d.svc.start_command {
        let port = d.svc.port.unwrap_or(8080).to_string();
        d.svc.start_command = Some(start.replace("{port}", &port));
    }

    if d.svc.data_path.is_none() && d.svc.kind != "static" {
        if let Some((folder, file, line)) = compose_volume(cx, &d.svc.path) {
            d.svc.cite(
                &file,
                Some(line),
                format!("{file} mounts a named volume at {folder}: data there must outlive the container"),
            );
            d.svc.data_path = Some(folder);
        }
    }

    backing.sort();
    backing.dedup();
    d.svc.backing_services = backing;
    env.sort();
    env.dedup();
    d.svc.env_vars = env;
    checks::detect(cx, &mut d.svc);
    d.svc
}

/// The folder a Dockerfile `VOLUME` line declares first: `VOLUME /data` or `VOLUME ["/data"]`.
fn volume_of(line: &str) -> Option<String> {
    let t = line.trim();
    let rest = t.strip_prefix("VOLUME ").or_else(|| t.strip_prefix("volume "))?.trim();
    let first = if let Some(list) = rest.strip_prefix('[') {
        list.trim_end_matches(']')
            .split(',')
            .next()?
            .trim()
            .trim_matches('"')
            .to_string()
    } else {
        rest.split_whitespace().next()?.to_string()
    };
    data_folder(&format!("{}/x", first.trim_end_matches('/')))
}

/// The folder that holds the data file `path`, when it can be a volume of its own: absolute,
/// and neither the root, a temporary folder nor the folder the image's own files live in.
fn data_folder(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.contains("..") || path.contains('$') {
        return None;
    }
    let folder = path.rsplit_once('/').map(|(f, _)| f)?;
    let own = [
        "",
        "/tmp",
        "/var/tmp",
        "/app",
        "/usr/src/app",
        "/srv",
        "/srv/app",
        "/code",
        "/workspace",
        "/home/app",
        "/opt/app",
    ];
    (!own.contains(&folder)).then(|| folder.to_string())
}

/// The first named volume that a compose file at the project root mounts into the service
/// built from `dir`: (the folder inside the container, the file, the line).
fn compose_volume(cx: &mut Cx, dir: &str) -> Option<(String, String, u32)> {
    for name in [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
    ] {
        let Some(text) = cx.text(name) else { continue };
        let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) else {
            continue;
        };
        let Some(services) = doc.get("services").and_then(|s| s.as_mapping()) else {
            continue;
        };
        for (_, s) in services {
            let context = match s.get("build") {
                Some(serde_yaml_ng::Value::String(c)) => c.as_str(),
                Some(b) => match b.get("context").and_then(|c| c.as_str()) {
                    Some(c) => c,
                    None => continue,
                },
                None => continue,
            };
            let context = context.trim_start_matches("./").trim_end_matches('/');
            let context = if context.is_empty() { "." } else { context };
            if context != dir {
                continue;
            }
            for v in s.get("volumes").and_then(|v| v.as_sequence()).into_iter().flatten() {
                let (source, target) = match v {
                    serde_yaml_ng::Value::String(short) => {
                        let mut parts = short.split(':');
                        match (parts.next(), parts.next()) {
                            (Some(a), Some(b)) => (a.to_string(), b.to_string()),
                            _ => continue,
                        }
                    }
                    long => match (
                        long.get("type").and_then(|t| t.as_str()),
                        long.get("source").and_then(|t| t.as_str()),
                        long.get("target").and_then(|t| t.as_str()),
                    ) {
                        (Some("volume"), Some(a), Some(b)) => (a.to_string(), b.to_string()),
                        _ => continue,
                    },
                };
                let named = !source.is_empty() && !source.starts_with(['.', '/', '~', '$']) && !source.contains('/');
                if !named {
                    continue;
                }
                let Some(folder) = data_folder(&format!("{}/x", target.trim_end_matches('/'))) else {
                    continue;
                };
                let line = text
                    .lines()
                    .position(|l| l.contains(&format!("{source}:{target}")) || l.contains(&target))
                    .map_or(1, |i| i as u32 + 1);
                return Some((folder, name.to_string(), line));
            }
        }
    }
    None
}
