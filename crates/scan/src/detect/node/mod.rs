//! Node.js (and Bun) services and workspaces, with framework specifics.

use serde_json::Value;

mod frameworks;
pub(crate) mod nx;
pub(crate) mod start;

use super::commands;
use super::{Cx, Dep, Detected, Found, Trust, Workspace};
use crate::knowledge::{self, NODE_LTS, NODE_LTS_CODENAMES};
use crate::view::{join, line_of};
use crate::{semver, Evidence, NextjsFacts, ServiceProfile};
use start::Starts;

/// Lockfiles and the package manager each one means, in order of trust.
const LOCKFILES: &[(&str, &str)] = &[
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("bun.lock", "bun"),
    ("bun.lockb", "bun"),
    ("package-lock.json", "npm"),
    ("npm-shrinkwrap.json", "npm"),
];

const NEXT_CONFIGS: &[&str] = &["next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs"];

const EXTS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"];

/// Detects a Node.js service or workspace in folder `dir` (root-relative, `""` for the root).
pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let manifest_path = join(dir, "package.json");
    let Some((text, manifest)) = cx.json(&manifest_path) else {
        return Vec::new();
    };
    let mut found = Vec::new();

    let pkg_name = manifest.get("name").and_then(Value::as_str).map(str::to_string);
    let mut svc = cx.service(dir, pkg_name.as_deref(), "node");
    svc.cite(&manifest_path, None, "package.json makes this a Node.js project");
    let install = detect_package_manager(cx, dir, &manifest, &text, &mut svc);
    detect_runtime(cx, dir, &manifest, &text, &mut svc);

    // Workspaces: npm, yarn and bun read package.json, pnpm its own file, Nx its project files.
    let (ws, integrated) = match workspace(cx, dir, &manifest, &text, &svc, install.clone()) {
        Some(ws) => (Some(ws), false),
        None => (nx::workspace(cx, dir, &svc, install.clone()), true),
    };
    let entry = start::entry(cx, dir, &manifest);
    if let Some(ws) = ws {
        // In an integrated Nx repository the root package.json holds every app's dependencies.
        let app = root_app(&manifest, entry.as_ref(), !integrated);
        found.push(Found::Workspace(ws));
        match app {
            Some(why) => svc.cite(
                &manifest_path,
                None,
                format!("the workspace root is itself an app: {why}"),
            ),
            None => return found,
        }
    }

    let mut d = Detected::new(svc, "node", EXTS);
    d.package = pkg_name;
    d.deps = deps_of(&manifest, &manifest_path, &text);
    let scripts = manifest.get("scripts").and_then(Value::as_object);
    let script = |k: &str| {
        scripts
            .and_then(|s| s.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };

    let framework = d.framework_from_deps();
    let pm = d.svc.package_manager.clone().unwrap_or_else(|| "npm".into());
    if let Some(build) = script("build") {
        d.svc.build_command = Some(run_script(&pm, "build"));
        d.svc.cite(
            &manifest_path,
            line_of(&text, "\"build\""),
            format!("build script: {build}"),
        );
    }
    let start_script = start::start_script(cx, dir, &manifest, &text, &mut d);
    let start = start_script.command.clone();

    match framework {
        Some("nextjs") => {
            detect_nextjs(cx, dir, &mut d.svc);
            let facts = d.svc.nextjs.clone().unwrap_or(NextjsFacts {
                standalone: false,
                config_file: None,
                has_public_dir: false,
            });
            if let Some(out) = next_export(cx, &mut d.svc, facts.config_file.as_deref()) {
                d.svc
                    .evidence
                    .retain(|e| !e.reason.starts_with("output: \"standalone\" is not set"));
                d.svc.kind = "static".into();
                d.svc.artifact = Some(out);
                if d.svc.build_command.is_none() {
                    d.svc.build_command = Some("next build".into());
                }
            } else {
                d.svc.start_command = Some(if facts.standalone {
                    "node server.js".into()
                } else {
                    start.clone().unwrap_or_else(|| "next start".into())
                });
                d.svc.artifact = Some(if facts.standalone { ".next/standalone" } else { ".next" }.into());
            }
        }
        Some("nuxt") => {
            d.svc.start_command = Some("node .output/server/index.mjs".into());
            d.svc.artifact = Some(".output".into());
            d.svc
                .cite(&manifest_path, None, "Nuxt builds a self-contained server into .output");
        }
        Some("remix") => {
            d.svc.start_command = start.clone().or(Some("remix-serve ./build/index.js".into()));
            d.svc.artifact = Some("build".into());
        }
        Some("react-router") => match react_router_spa(cx, dir) {
            Some((out, file, line)) => {
                d.svc.kind = "static".into();
                d.svc.cite(
                    &file,
                    line,
                    format!("ssr: false: React Router builds a single-page app into {out}"),
                );
                d.svc.artifact = Some(out);
            }
            None => {
                d.svc.start_command = start
                    .clone()
                    .or(Some("react-router-serve ./build/server/index.js".into()));
                d.svc.artifact = Some("build".into());
            }
        },
        Some("tanstack-start") => frameworks::tanstack_start(cx, dir, &mut d, start.clone()),
        Some("expo") => {
            if !frameworks::expo(cx, dir, &mut d, &manifest, &text) {
                found.push(Found::Library {
                    path: super::shown(dir),
                    reason: "an Expo app for phones with no web export (react-native-web and expo.web.output in app.json): its builds go to the app stores, not to a server".into(),
                });
                return found;
            }
        }
        Some("vue-cli") => frameworks::vue_cli(cx, dir, &mut d),
        Some("astro") => {
            if let Some(dep) = d.dep("@astrojs/node").cloned() {
                d.svc
                    .cite(&dep.file, dep.line, "@astrojs/node: Astro builds a Node.js server");
                d.svc.start_command = Some("node ./dist/server/entry.mjs".into());
            } else {
                d.svc.kind = "static".into();
                d.svc.cite(
                    &manifest_path,
                    None,
                    "no server adapter: Astro builds static files into dist",
                );
            }
            d.svc.artifact = Some("dist".into());
        }
        Some("sveltekit") => {
            if let Some(dep) = d.dep("@sveltejs/adapter-static").cloned() {
                d.svc.kind = "static".into();
                d.svc.cite(
                    &dep.file,
                    dep.line,
                    "adapter-static: SvelteKit builds static files into build",
                );
            } else {
                match d.dep("@sveltejs/adapter-node").cloned() {
                    Some(dep) => d
                        .svc
                        .cite(&dep.file, dep.line, "adapter-node: SvelteKit builds a Node.js server"),
                    None => cx.warn(
                        &manifest_path,
                        "SvelteKit without @sveltejs/adapter-node or adapter-static: a container needs adapter-node",
                    ),
                }
                d.svc.start_command = Some("node build".into());
            }
            d.svc.artifact = Some("build".into());
        }
        Some("angular") => angular(cx, dir, &mut d),
        Some("create-react-app") => {
            d.svc.kind = "static".into();
            d.svc.artifact = Some("build".into());
        }
        Some("vite") if start.as_deref().is_none_or(start::serves_files) => {
            d.svc.kind = "static".into();
            d.svc.artifact = Some("dist".into());
            d.svc.cite(
                &manifest_path,
                None,
                "a Vite app with no server framework: static files in dist",
            );
        }
        Some("nestjs") => {
            d.svc.start_command = start.clone().or(Some("node dist/main".into()));
            d.svc.artifact = Some("dist".into());
        }
        Some(_) => {
            d.svc.start_command = start.clone();
            if let (None, Some(e)) = (&start, &entry) {
                cite_entry(cx, dir, &text, e, &mut d);
                d.svc.start_command = Some(start::node_command(cx, dir, &manifest, &e.file, &mut d));
            }
        }
        None => {
            d.svc.start_command = start.clone();
            if d.svc.start_command.is_none() {
                // An entry that starts nothing, or that a published package only offers for
                // import, is a library's: settled below.
                let runnable = |e: &&start::Entry| {
                    e.starts != Starts::Nothing
                        && (start::publish_signals(&manifest).is_empty() || e.starts == Starts::Listens)
                };
                if let Some(e) = entry.as_ref().filter(runnable) {
                    cite_entry(cx, dir, &text, e, &mut d);
                    if pm == "bun" {
                        d.svc.start_command = Some(format!("bun run {}", e.file));
                        d.svc.framework = Some("bun".into());
                    } else {
                        d.svc.start_command = Some(start::node_command(cx, dir, &manifest, &e.file, &mut d));
                        if e.starts != Starts::Listens {
                            d.svc.kind = "worker".into();
                        }
                    }
                }
            }
        }
    }
    if d.svc.start_command.is_none() && d.svc.kind != "static" {
        found.push(Found::Library {
            path: super::shown(dir),
            reason: library_reason(&manifest, entry.as_ref(), start_script.present),
        });
        return found;
    }
    if let (Some(migrate), Some(start)) = (&start_script.migrations, &d.svc.start_command) {
        d.svc.start_command = Some(format!("{migrate} && {start}"));
    }
    if d.svc.kind == "static" {
        d.svc.start_command = None;
    }
    if pm == "bun"
        && d.svc.start_command.as_deref().is_some_and(|s| {
            s.starts_with("bun ") || s.starts_with("bunx ") || commands::steps(s).iter().any(|p| p.starts_with("bun "))
        })
    {
        bun_runtime(cx, dir, &manifest, &text, &mut d.svc);
    }
    prisma(cx, dir, &mut d);
    health_routes(cx, dir, &mut d.svc);
    found.push(Found::Service(Box::new(d)));
    found
}

/// Cites the entry file and what it does; a file the build writes is cited by the field that
/// names it, since it is not in the source.
fn cite_entry(cx: &Cx, dir: &str, manifest_text: &str, e: &start::Entry, d: &mut Detected) {
    let path = join(dir, &e.file);
    if !cx.is_file(&path) {
        d.svc.cite(
            join(dir, "package.json"),
            line_of(manifest_text, &format!("\"{}", e.file)),
            format!("{} is {}, written by the build", e.file, e.source),
        );
        return;
    }
    let reason = match (&e.at, e.starts) {
        (Some((_, code)), Starts::Listens) => format!("{}; it listens: {code}", e.source),
        (Some((_, code)), _) => format!("{}; it runs: {code}", e.source),
        (None, _) => e.source.clone(),
    };
    d.svc.cite(path, e.at.as_ref().map(|a| a.0), reason);
}

/// Why a package with no production start is a library, in words.
fn library_reason(manifest: &Value, entry: Option<&start::Entry>, has_start: bool) -> String {
    let signals = start::publish_signals(manifest);
    if !signals.is_empty() {
        return format!(
            "a package made for others to import (package.json has {}) and no start script: a library",
            signals.join(", ")
        );
    }
    match entry {
        Some(e) if e.starts == Starts::Nothing => format!(
            "its entry file {} only declares and exports (no listen call, no loop, no command-line entry): a library",
            e.file
        ),
        _ if has_start => "its start script runs only a development server, and it has no entry file to run in production; set start_command in slipway.toml".into(),
        _ => "a Node.js package with no start script, no entry file and no app framework: a library".into(),
    }
}

/// Why the root package of a workspace is itself an app, when it is: an app framework among
/// its dependencies, a start script of its own (not one that runs the members), or an entry
/// file that runs.
fn root_app(manifest: &Value, entry: Option<&start::Entry>, by_dependencies: bool) -> Option<String> {
    let deps = manifest.get("dependencies").and_then(Value::as_object);
    let app_frameworks = knowledge::FRAMEWORKS.iter().filter(|(eco, _, _)| *eco == "node");
    for (_, pattern, fw) in app_frameworks.filter(|_| by_dependencies) {
        if deps.is_some_and(|d| d.keys().any(|k| knowledge::dep_matches(pattern, k))) {
            return Some(format!("it depends on {}", super::framework_label(fw)));
        }
    }
    let scripts = manifest.get("scripts");
    let delegates = |s: &str| {
        [
            "turbo",
            "nx ",
            "lerna",
            "--filter",
            "-F ",
            "--workspace",
            "workspaces",
            " -r ",
            "--recursive",
            "concurrently",
            "npm-run-all",
            "run-p",
        ]
        .iter()
        .any(|w| s.contains(w))
    };
    let script = start::START_SCRIPTS
        .iter()
        .find_map(|k| scripts.and_then(|s| s.get(*k)).and_then(Value::as_str));
    if let Some(s) = script {
        if !delegates(s) && commands::development_server(s).is_none() {
            return Some(format!("its own start script runs {s}"));
        }
    }
    // Its own build script builds an app with a framework's command line.
    let build = scripts
        .and_then(|s| s.get("build"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !delegates(build) {
        let builds = [
            "vite build",
            "next build",
            "astro build",
            "nuxt build",
            "react-scripts build",
            "ng build",
            "vue-cli-service build",
            "react-router build",
            "remix build",
        ];
        if let Some(b) = builds.iter().find(|b| build.contains(*b)) {
            return Some(format!("its own build script runs {b}"));
        }
    }
    let e = entry?;
    (e.starts != Starts::Nothing).then(|| format!("its entry file {} runs", e.file))
}

fn deps_of(manifest: &Value, file: &str, text: &str) -> Vec<Dep> {
    let mut deps = Vec::new();
    for section in ["dependencies", "devDependencies", "optionalDependencies"] {
        if let Some(obj) = manifest.get(section).and_then(Value::as_object) {
            for name in obj.keys() {
                deps.push(Dep {
                    name: name.clone(),
                    file: file.to_string(),
                    line: line_of(text, &format!("\"{name}\"")),
                });
            }
        }
    }
    deps
}

fn workspace(
    cx: &mut Cx,
    dir: &str,
    manifest: &Value,
    text: &str,
    svc: &ServiceProfile,
    install: Option<String>,
) -> Option<Workspace> {
    let manifest_path = join(dir, "package.json");
    let mut members: Vec<String> = Vec::new();
    let mut evidence = None;
    match manifest.get("workspaces") {
        Some(Value::Array(a)) => members.extend(a.iter().filter_map(Value::as_str).map(str::to_string)),
        Some(Value::Object(o)) => members.extend(
            o.get("packages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string),
        ),
        _ => {}
    }
    if !members.is_empty() {
        evidence = Some(Evidence {
            file: manifest_path.clone(),
            line: line_of(text, "\"workspaces\""),
            reason: format!("workspaces {}", members.join(", ")),
        });
    }
    let pnpm_ws = join(dir, "pnpm-workspace.yaml");
    if cx.is_file(&pnpm_ws) {
        if let Some((_, yaml)) = cx.yaml(&pnpm_ws) {
            let pkgs: Vec<String> = yaml
                .get("packages")
                .and_then(|p| p.as_sequence())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str())
                .filter(|p| !p.starts_with('!'))
                .map(str::to_string)
                .collect();
            evidence = Some(Evidence {
                file: pnpm_ws.clone(),
                line: None,
                reason: format!("pnpm workspace packages {}", pkgs.join(", ")),
            });
            members.extend(pkgs);
        }
    }
    let evidence = evidence?;
    let tool = if cx.is_file(&join(dir, "turbo.json")) {
        "turborepo".to_string()
    } else if cx.is_file(&join(dir, "nx.json")) {
        "nx".to_string()
    } else {
        svc.package_manager.clone().unwrap_or_else(|| "npm".into())
    };
    Some(Workspace {
        dir: dir.to_string(),
        tool,
        members,
        lockfile: svc.lockfile.as_ref().map(|l| join(dir, l)),
        package_manager: svc.package_manager.clone(),
        install_command: install,
        runtime_version: svc.runtime_version.clone(),
        evidence,
    })
}

/// Commands of a workspace member run from the workspace root.
pub(crate) fn adapt_member(ws: &Workspace, d: &mut Detected) {
    let name = d.package.clone().unwrap_or_else(|| d.svc.name.clone());
    let rel = ws.member_path(&d.svc.path);
    let pm = ws.package_manager.clone().unwrap_or_else(|| "npm".into());
    // An Nx project's own build (nx run <project>:build) is already run from the root.
    let nx_build = d.svc.build_command.as_deref().is_some_and(|b| b.contains(" nx run "));
    if d.svc.build_command.is_some() && !nx_build {
        let cmd = match (ws.tool.as_str(), pm.as_str()) {
            ("turborepo", _) => format!("{} turbo run build --filter={name}", exec(&pm)),
            ("nx", _) => format!("{} nx run {name}:build", exec(&pm)),
            (_, "pnpm") => format!("pnpm --filter {name} run build"),
            (_, "yarn") => format!("yarn workspace {name} run build"),
            (_, "bun") => format!("bun run --filter {name} build"),
            _ => format!("npm run build --workspace {rel}"),
        };
        d.svc.build_command = Some(cmd);
    }
}

fn exec(pm: &str) -> &'static str {
    match pm {
        "pnpm" => "pnpm exec",
        "yarn" => "yarn",
        "bun" => "bunx",
        _ => "npx",
    }
}

fn detect_package_manager(
    cx: &mut Cx,
    dir: &str,
    manifest: &Value,
    text: &str,
    svc: &mut ServiceProfile,
) -> Option<String> {
    let field = manifest.get("packageManager").and_then(Value::as_str);
    let lockfile = LOCKFILES.iter().find(|(file, _)| cx.is_file(&join(dir, file)));
    if let Some((file, pm)) = lockfile {
        svc.package_manager = Some((*pm).into());
        svc.lockfile = Some((*file).into());
        svc.cite(join(dir, file), None, format!("{file} is the lockfile of {pm}"));
    } else if let Some(pm) = field {
        let id = pm.split('@').next().unwrap_or(pm);
        if ["npm", "yarn", "pnpm", "bun"].contains(&id) {
            svc.package_manager = Some(id.into());
            svc.cite(
                join(dir, "package.json"),
                line_of(text, "\"packageManager\""),
                format!("packageManager field names {pm}"),
            );
        }
    }
    if svc.package_manager.is_none() {
        svc.package_manager = Some("npm".into());
        svc.cite(join(dir, "package.json"), None, "no lockfile: assuming npm");
    }
    let pm = svc.package_manager.clone().unwrap_or_default();
    let has_lockfile = lockfile.is_some_and(|(_, p)| *p == pm);
    let command = match pm.as_str() {
        "npm" if has_lockfile => "npm ci",
        "npm" => "npm install",
        "yarn" if yarn_berry(cx, dir, field) => {
            let why = if cx.is_file(&join(dir, ".yarnrc.yml")) {
                (
                    join(dir, ".yarnrc.yml"),
                    None,
                    ".yarnrc.yml: Yarn Berry (2 or newer)".to_string(),
                )
            } else {
                (
                    join(dir, "package.json"),
                    line_of(text, "\"packageManager\""),
                    format!("packageManager {}: Yarn Berry", field.unwrap_or("")),
                )
            };
            svc.cite(why.0, why.1, why.2);
            "yarn install --immutable"
        }
        "yarn" => "yarn install --frozen-lockfile",
        "pnpm" => "pnpm install --frozen-lockfile",
        "bun" => "bun install --frozen-lockfile",
        _ => "npm install",
    };
    svc.install_command = Some(command.into());
    svc.install_command.clone()
}

/// Yarn 2 and newer ("Berry") has its own config file and flags.
fn yarn_berry(cx: &Cx, dir: &str, field: Option<&str>) -> bool {
    let major = field
        .and_then(|f| f.strip_prefix("yarn@"))
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    cx.is_file(&join(dir, ".yarnrc.yml")) || major.is_some_and(|m| m >= 2)
}

/// How the package manager runs a package.json script.
pub fn run_script(pm: &str, script: &str) -> String {
    match pm {
        "yarn" => format!("yarn {script}"),
        other => format!("{other} run {script}"),
    }
}

/// The service runs on Bun, not Node.js: its runtime version is Bun's.
fn bun_runtime(cx: &mut Cx, dir: &str, manifest: &Value, text: &str, svc: &mut ServiceProfile) {
    svc.language = Some("bun".into());
    svc.evidence.retain(|e| !e.reason.contains("Node.js"));
    svc.runtime_version = None;
    let start = svc.start_command.clone().unwrap_or_default();
    svc.cite(
        join(dir, "package.json"),
        line_of(text, "\"start"),
        format!("runs on Bun: {start}"),
    );
    if let Some(v) = manifest
        .get("packageManager")
        .and_then(Value::as_str)
        .and_then(|p| p.strip_prefix("bun@"))
    {
        svc.cite(
            join(dir, "package.json"),
            line_of(text, "\"packageManager\""),
            format!("packageManager pins Bun {v}"),
        );
        svc.runtime_version = Some(v.to_string());
        return;
    }
    let path = join(dir, ".bun-version");
    if let Some(v) = cx
        .text(&path)
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
    {
        svc.cite(&path, Some(1), format!(".bun-version asks for Bun {v}"));
        svc.runtime_version = Some(v);
        return;
    }
    if let Some((file, line, v)) = cx.tool_version(dir, &["bun"]) {
        svc.cite(&file, line, format!("asks for Bun {v}"));
        svc.runtime_version = Some(v);
        return;
    }
    cx.runtime_from_range(svc, "bun", None);
}

fn detect_runtime(cx: &mut Cx, dir: &str, manifest: &Value, text: &str, svc: &mut ServiceProfile) {
    for file in [".nvmrc", ".node-version"] {
        let path = join(dir, file);
        let Some(content) = cx.text(&path) else {
            continue;
        };
        let raw = content
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        let Some(raw) = raw else { continue };
        if let Some(version) = node_version_from_alias(raw) {
            svc.cite(&path, line_of(&content, raw), format!("{file} asks for Node.js {raw}"));
            svc.runtime_version = Some(version);
            return;
        }
        cx.warn(&path, format!("cannot read a Node.js version from {raw:?}"));
    }
    if let Some((file, line, v)) = cx.tool_version(dir, &["nodejs", "node"]) {
        if let Some(version) = node_version_from_alias(&v) {
            svc.cite(&file, line, format!("asks for Node.js {v}"));
            svc.runtime_version = Some(version);
            return;
        }
    }
    if let Some(range) = manifest
        .get("engines")
        .and_then(|e| e.get("node"))
        .and_then(Value::as_str)
    {
        let line = line_of(text, "\"node\"");
        let newest = NODE_LTS
            .iter()
            .find(|(major, _)| semver::allows_major(range, *major) == Some(true));
        match newest {
            Some((major, _)) => {
                svc.runtime_version = Some(major.to_string());
                svc.cite(
                    join(dir, "package.json"),
                    line,
                    format!("engines.node {range:?} allows Node.js {major}, the newest LTS line in range"),
                );
                return;
            }
            None => cx.warn(
                &join(dir, "package.json"),
                format!("engines.node {range:?} allows no supported Node.js LTS line; using the default"),
            ),
        }
    }
    let major = knowledge::node_default_major();
    svc.runtime_version = Some(major.to_string());
    svc.cite(
        join(dir, "package.json"),
        None,
        format!(
            "no Node.js version pinned (.nvmrc, .node-version, engines): using the current LTS, {major} (as of {})",
            knowledge::CHECKED_ON
        ),
    );
}

/// Turns what `.nvmrc` may hold (`20`, `v20.11.1`, `lts/iron`, `lts/*`, `node`) into a version.
fn node_version_from_alias(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    if lower == "lts/*" || lower == "node" || lower == "stable" || lower == "latest" || lower == "lts" {
        return Some(knowledge::node_default_major().to_string());
    }
    if let Some(code) = lower.strip_prefix("lts/") {
        return NODE_LTS_CODENAMES
            .iter()
            .find(|(n, _)| *n == code)
            .map(|(_, m)| m.to_string());
    }
    let v = lower.trim_start_matches('v');
    let ok = !v.is_empty()
        && v.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    ok.then(|| v.to_string())
}

fn detect_nextjs(cx: &mut Cx, dir: &str, svc: &mut ServiceProfile) {
    let mut facts = NextjsFacts {
        standalone: false,
        config_file: None,
        has_public_dir: cx.view.is_dir(&join(dir, "public")),
    };
    let standalone = regex_lite::Regex::new(r#"output\s*:\s*["'`]standalone["'`]"#).expect("valid regex");
    for file in NEXT_CONFIGS {
        let path = join(dir, file);
        let Some(text) = cx.text(&path) else {
            continue;
        };
        facts.config_file = Some(path.clone());
        // Only lines that are not commented out count.
        let hit = text.lines().enumerate().find(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with("//") && !t.starts_with('*') && standalone.is_match(l)
        });
        match hit {
            Some((i, _)) => {
                facts.standalone = true;
                svc.cite(
                    &path,
                    Some(i as u32 + 1),
                    "output: \"standalone\" is set: the image can ship only the standalone server",
                );
            }
            None => svc.cite(
                &path,
                None,
                "output: \"standalone\" is not set: the image must ship node_modules",
            ),
        }
        break;
    }
    svc.nextjs = Some(facts);
}

/// The first line of `text` outside a comment that matches `re`, 1-based, with its captures.
fn config_line<'t>(text: &'t str, re: &regex_lite::Regex) -> Option<(u32, regex_lite::Captures<'t>)> {
    text.lines().enumerate().find_map(|(i, l)| {
        let t = l.trim_start();
        if t.starts_with("//") || t.starts_with('*') {
            return None;
        }
        re.captures(l).map(|c| (i as u32 + 1, c))
    })
}

/// `output: "export"` in the Next.js config: a static site in `out`.
fn next_export(cx: &mut Cx, svc: &mut ServiceProfile, config: Option<&str>) -> Option<String> {
    let config = config?;
    let text = cx.text(config)?;
    let re = regex_lite::Regex::new(r#"output\s*:\s*["'`]export["'`]"#).expect("valid regex");
    let (line, _) = config_line(&text, &re)?;
    svc.cite(
        config,
        Some(line),
        "output: \"export\": Next.js builds static files into out, with no server to run",
    );
    Some("out".into())
}

/// `ssr: false` in react-router.config: a single-page app in `<buildDirectory>/client`.
fn react_router_spa(cx: &mut Cx, dir: &str) -> Option<(String, String, Option<u32>)> {
    let file = [
        "react-router.config.ts",
        "react-router.config.js",
        "react-router.config.mjs",
    ]
    .iter()
    .map(|f| join(dir, f))
    .find(|p| cx.is_file(p))?;
    let text = cx.text(&file)?;
    let ssr = regex_lite::Regex::new(r"\bssr\s*:\s*false\b").expect("valid regex");
    let (line, _) = config_line(&text, &ssr)?;
    let build = regex_lite::Regex::new(r#"buildDirectory\s*:\s*["']([^"']+)["']"#).expect("valid regex");
    let out = config_line(&text, &build)
        .map(|(_, c)| c[1].trim_end_matches('/').trim_start_matches("./").to_string())
        .unwrap_or_else(|| "build".into());
    Some((format!("{out}/client"), file, Some(line)))
}

fn angular(cx: &mut Cx, dir: &str, d: &mut Detected) {
    let path = join(dir, "angular.json");
    let mut out = format!("dist/{}", d.svc.name);
    let mut application_builder = true;
    if cx.is_file(&path) {
        if let Some((text, json)) = cx.json(&path) {
            let project = json
                .get("projects")
                .and_then(Value::as_object)
                .and_then(|p| p.values().next())
                .and_then(|p| p.get("architect").or_else(|| p.get("targets")))
                .and_then(|a| a.get("build"));
            if let Some(build) = project {
                if let Some(o) = build
                    .get("options")
                    .and_then(|o| o.get("outputPath"))
                    .and_then(Value::as_str)
                {
                    out = o.to_string();
                    d.svc.cite(
                        &path,
                        line_of(&text, "\"outputPath\""),
                        format!("Angular builds into {o}"),
                    );
                }
                application_builder = build
                    .get("builder")
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.ends_with(":application"));
            }
        }
    }
    if let Some(dep) = d.dep("@angular/ssr").cloned() {
        d.svc
            .cite(&dep.file, dep.line, "@angular/ssr: Angular builds a Node.js server");
        d.svc.start_command = Some(format!("node {out}/server/server.mjs"));
        d.svc.artifact = Some(out);
        d.port(
            4000,
            Trust::Default,
            join(dir, "package.json"),
            None,
            "the Angular SSR server listens on 4000 by default".into(),
        );
    } else {
        d.svc.kind = "static".into();
        d.svc.artifact = Some(if application_builder {
            format!("{out}/browser")
        } else {
            out
        });
    }
}

fn prisma(cx: &mut Cx, dir: &str, d: &mut Detected) {
    if !d.has_dep("@prisma/client") && !d.has_dep("prisma") {
        return;
    }
    let path = join(dir, "prisma/schema.prisma");
    let Some(text) = cx.text(&path) else { return };
    let re = regex_lite::Regex::new(r#"^\s*provider\s*=\s*"(\w+)""#).expect("valid regex");
    let mut in_datasource = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("datasource") {
            in_datasource = true;
        } else if t.starts_with('}') {
            in_datasource = false;
        } else if in_datasource {
            if let Some(c) = re.captures(line) {
                let kind = match &c[1] {
                    "postgresql" | "postgres" | "cockroachdb" => "postgres",
                    "mysql" => "mysql",
                    "mongodb" => "mongodb",
                    "sqlite" => "sqlite",
                    "sqlserver" => "sqlserver",
                    other => other,
                };
                d.svc.cite(
                    &path,
                    Some(i as u32 + 1),
                    format!("Prisma datasource provider is {kind}"),
                );
                if !d.svc.backing_services.iter().any(|b| b == kind) {
                    d.svc.backing_services.push(kind.to_string());
                }
                return;
            }
        }
    }
}

/// Health routes defined by file-system routing (Next.js, Nuxt, SvelteKit, Remix).
fn health_routes(cx: &Cx, dir: &str, svc: &mut ServiceProfile) {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let names = ["healthz", "health", "ready", "readyz", "livez", "ping"];
    for f in cx.view.index().under(dir) {
        let rel = &f[prefix.len()..];
        let rel = rel.strip_prefix("src/").unwrap_or(rel);
        let route = if let Some(r) = rel.strip_prefix("app/") {
            // app/api/health/route.ts -> /api/health
            r.rsplit_once('/')
                .filter(|(_, file)| file.starts_with("route."))
                .map(|(p, _)| p.to_string())
        } else if let Some(r) = rel
            .strip_prefix("pages/")
            .or_else(|| rel.strip_prefix("server/routes/"))
        {
            // pages/api/health.ts -> /api/health; Nuxt server/routes/health.ts -> /health
            r.rsplit_once('.').map(|(p, _)| p.to_string())
        } else if let Some(r) = rel.strip_prefix("routes/") {
            // SvelteKit routes/health/+server.ts
            r.rsplit_once('/')
                .filter(|(_, file)| file.starts_with("+server."))
                .map(|(p, _)| p.to_string())
        } else {
            None
        };
        let Some(route) = route else { continue };
        let last = route.rsplit('/').next().unwrap_or(&route);
        if names.contains(&last) {
            let path = format!("/{route}");
            svc.cite(
                f.as_str(),
                None,
                format!("a route file serves {path}: the health endpoint"),
            );
            svc.health_path = Some(path);
            return;
        }
    }
}
