//! Nx workspaces whose apps have a `project.json` and no package.json of their own (an
//! "integrated" repository): each application project is a service, built with `nx run
//! <project>:build` from the root and started from its build output, never with `nx serve`.

use serde_json::Value;

use super::super::{Cx, Detected, Found, Workspace};
use super::{exec, LOCKFILES};
use crate::view::{join, line_of};
use crate::{Evidence, ServiceProfile};

/// The folders below `dir` that hold an Nx project file, relative to `dir`.
fn project_dirs(cx: &Cx, dir: &str) -> Vec<String> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    cx.view
        .index()
        .under(dir)
        .filter_map(|f| f.strip_suffix("/project.json"))
        .filter_map(|d| d.strip_prefix(prefix.as_str()))
        .map(str::to_string)
        .collect()
}

/// The Nx workspace rooted at `dir`, when nx.json is there and projects have project.json.
pub(crate) fn workspace(cx: &mut Cx, dir: &str, root: &ServiceProfile, install: Option<String>) -> Option<Workspace> {
    let nx_json = join(dir, "nx.json");
    if !cx.is_file(&nx_json) {
        return None;
    }
    let members = project_dirs(cx, dir);
    if members.is_empty() {
        return None;
    }
    Some(Workspace {
        dir: dir.to_string(),
        tool: "nx".into(),
        members: members.clone(),
        lockfile: root.lockfile.as_ref().map(|l| join(dir, l)),
        package_manager: root.package_manager.clone(),
        install_command: install,
        runtime_version: root.runtime_version.clone(),
        evidence: Evidence {
            file: nx_json,
            line: None,
            reason: format!("an Nx workspace with the projects {}", members.join(", ")),
        },
    })
}

/// The nearest folder at or above `dir` holding nx.json.
fn nx_root(cx: &Cx, dir: &str) -> Option<String> {
    let mut d = dir.to_string();
    loop {
        if cx.is_file(&join(&d, "nx.json")) {
            return Some(d);
        }
        if d.is_empty() {
            return None;
        }
        d = d.rfind('/').map_or(String::new(), |i| d[..i].to_string());
    }
}

/// An Nx project folder (project.json, no package.json).
pub(crate) fn project(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let Some(root) = nx_root(cx, dir) else {
        return Vec::new();
    };
    let path = join(dir, "project.json");
    let Some((text, project)) = cx.json(&path) else {
        return Vec::new();
    };
    let folder = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let name = project
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or(folder);
    let library = |reason: String| {
        vec![Found::Library {
            path: super::super::shown(dir),
            reason,
        }]
    };
    if project.get("projectType").and_then(Value::as_str) == Some("library") {
        return library(format!("the Nx project {name} is a library (projectType)"));
    }
    let targets = project.get("targets");
    if targets.is_some_and(|t| t.get("e2e").is_some() && t.get("build").is_none()) {
        return library(format!("the Nx project {name} runs end-to-end tests"));
    }
    let build = targets.and_then(|t| t.get("build"));
    let Some(build) = build else {
        return library(format!(
            "the Nx project {name} has no build target to produce something to run; set build_command and start_command in slipway.toml"
        ));
    };
    let executor = build.get("executor").and_then(Value::as_str).unwrap_or("");
    let options = build.get("options");
    let option = |k: &str| {
        options
            .and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let rel_to_root = |p: String| {
        let p = p
            .replace("{workspaceRoot}/", "")
            .replace("{projectRoot}", dir)
            .trim_start_matches("./")
            .to_string();
        match root.as_str() {
            "" => p,
            r => format!("{r}/{p}"),
        }
    };
    let out = rel_to_root(option("outputPath").unwrap_or_else(|| format!("dist/{dir}")));
    let production = build.get("configurations").and_then(|c| c.get("production")).is_some();

    let root_manifest = join(&root, "package.json");
    let mut svc = cx.service(dir, Some(&name), "node");
    svc.cite(
        &path,
        line_of(&text, "\"build\""),
        format!("the Nx project {name} builds with {executor}"),
    );
    let pm = LOCKFILES
        .iter()
        .find(|(f, _)| cx.is_file(&join(&root, f)))
        .map_or("npm", |(_, pm)| pm);
    let config = if production { " --configuration=production" } else { "" };
    svc.build_command = Some(format!("{} nx run {name}:build{config}", exec(pm)));
    let root_package = cx.json(&root_manifest);
    if let Some((mtext, manifest)) = &root_package {
        super::detect_runtime(cx, &root, manifest, mtext, &mut svc);
    }
    let mut d = Detected::new(svc, "node", super::EXTS);
    d.package = Some(name.clone());
    if let Some((mtext, manifest)) = &root_package {
        // The root package.json holds the dependencies of every project: this one's are those
        // its source imports.
        let imported = imports(cx, dir);
        d.deps = super::deps_of(manifest, &root_manifest, mtext)
            .into_iter()
            .filter(|dep| imported.iter().any(|i| i == &dep.name))
            .collect();
    }
    let kind = executor.rsplit(':').next().unwrap_or("");
    let web_bundle = option("index").is_some() || option("target").as_deref() == Some("web");
    if executor.contains("next") {
        d.svc.framework = Some("nextjs".into());
        d.svc.start_command = Some(format!("next start {out}"));
        d.svc.artifact = Some(out.clone());
        d.svc
            .cite(&path, None, format!("Next.js builds into {out}; next start serves it"));
    } else if executor.contains("vite") || executor.contains("angular") || executor.contains("react") || web_bundle {
        d.svc.framework = ["vite", "angular", "webpack", "rspack"]
            .iter()
            .find(|f| executor.contains(*f))
            .map(|f| (*f).to_string())
            .filter(|f| f == "vite" || f == "angular");
        d.svc.kind = "static".into();
        let files = if executor.contains("angular") && executor.ends_with(":application") {
            format!("{out}/browser")
        } else {
            out.clone()
        };
        d.svc
            .cite(&path, None, format!("a browser build: static files in {files}"));
        d.svc.artifact = Some(files);
    } else if ["esbuild", "webpack", "build", "tsc", "swc", "rollup", "rspack"].contains(&kind) {
        d.framework_from_deps();
        let main = option("main").unwrap_or_else(|| format!("{dir}/src/main.ts"));
        let main = main.trim_start_matches("{projectRoot}/").to_string();
        let file = if matches!(kind, "tsc" | "swc") {
            // tsc keeps the folders under the project's root.
            let rel = main.strip_prefix(&format!("{dir}/")).unwrap_or(&main);
            format!("{out}/{}.js", rel.rsplit_once('.').map_or(rel, |(s, _)| s))
        } else {
            let base = main.rsplit('/').next().unwrap_or(&main);
            format!("{out}/{}.js", base.rsplit_once('.').map_or(base, |(s, _)| s))
        };
        d.svc.cite(
            &path,
            line_of(&text, "\"main\""),
            format!("the build bundles {main} into {file}"),
        );
        d.svc.start_command = Some(format!("node {file}"));
        d.svc.artifact = Some(out.clone());
        if d.svc.framework.is_none() {
            d.svc.kind = "worker".into();
        }
    } else {
        cx.warn(
            &path,
            format!("the build target of the Nx project {name} runs {executor:?}, whose output Slipway cannot tell; set start_command in slipway.toml"),
        );
        return library(format!(
            "the Nx project {name} builds with {executor}, whose output is not known; set start_command in slipway.toml to deploy it"
        ));
    }
    vec![Found::Service(Box::new(d))]
}

/// The packages a project's source imports (`express`, `@nestjs/core`), from its first files.
fn imports(cx: &Cx, dir: &str) -> Vec<String> {
    let re = regex_lite::Regex::new(r#"(?:from\s+|require\(\s*|import\(\s*|import\s+)["']([^"'./][^"']*)["']"#)
        .expect("valid regex");
    let mut out: Vec<String> = Vec::new();
    let files = cx
        .view
        .index()
        .under(dir)
        .filter(|f| super::EXTS.iter().any(|e| f.ends_with(e)))
        .take(64);
    for f in files {
        let Some(text) = cx.view.read_source(f, 256 * 1024) else {
            continue;
        };
        for c in re.captures_iter(&text) {
            let spec = &c[1];
            let mut parts = spec.split('/');
            let name = match parts.next() {
                Some(scope) if scope.starts_with('@') => format!("{scope}/{}", parts.next().unwrap_or("")),
                Some(n) => n.to_string(),
                None => continue,
            };
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}
