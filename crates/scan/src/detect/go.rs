//! Go modules and workspaces: net/http, Gin, Echo, Fiber, chi.

use super::{Cx, Dep, Detected, Found, Workspace};
use crate::view::{join, line_of};
use crate::Evidence;

const EXTS: &[&str] = &[".go"];

pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let mut found = Vec::new();
    let work = join(dir, "go.work");
    if let Some(text) = cx.text(&work) {
        let mut members = Vec::new();
        let mut in_block = false;
        for line in text.lines() {
            let t = line.split("//").next().unwrap_or("").trim();
            if t.starts_with("use (") {
                in_block = true;
            } else if in_block && t == ")" {
                in_block = false;
            } else if let Some(m) = t.strip_prefix("use ").filter(|m| !m.starts_with('(')) {
                members.push(m.trim().trim_start_matches("./").to_string());
            } else if in_block && !t.is_empty() {
                members.push(t.trim_start_matches("./").to_string());
            }
        }
        found.push(Found::Workspace(Workspace {
            dir: dir.to_string(),
            tool: "go".into(),
            members: members.clone(),
            lockfile: cx.is_file(&join(dir, "go.work.sum")).then(|| join(dir, "go.work.sum")),
            package_manager: Some("go".into()),
            install_command: None,
            runtime_version: None,
            evidence: Evidence {
                file: work.clone(),
                line: None,
                reason: format!("go.work uses {}", members.join(", ")),
            },
        }));
    }
    let path = join(dir, "go.mod");
    let Some(text) = cx.text(&path) else { return found };
    let mut module = None;
    let mut go_version = None;
    let mut toolchain = None;
    let mut deps = Vec::new();
    let mut in_require = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.split("//").next().unwrap_or("").trim();
        let n = Some(i as u32 + 1);
        if let Some(m) = t.strip_prefix("module ") {
            module = Some(m.trim().trim_matches('"').to_string());
        } else if let Some(v) = t.strip_prefix("go ") {
            go_version = Some((v.trim().to_string(), n));
        } else if let Some(v) = t.strip_prefix("toolchain go") {
            toolchain = Some((v.trim().to_string(), n));
        } else if t.starts_with("require (") {
            in_require = true;
        } else if in_require && t == ")" {
            in_require = false;
        } else if let Some(dep) = t
            .strip_prefix("require ")
            .filter(|r| !r.starts_with('('))
            .or(in_require.then_some(t))
        {
            if let Some(name) = dep.split_whitespace().next().filter(|n| !n.is_empty()) {
                deps.push(Dep {
                    name: name.to_string(),
                    file: path.clone(),
                    line: n,
                });
            }
        }
    }
    let Some(module) = module else {
        cx.warn(&path, "not analysed: go.mod has no module line");
        return found;
    };
    let short = module.rsplit('/').next().unwrap_or(&module).to_string();
    let mut svc = cx.service(dir, Some(&short), "go");
    svc.cite(
        &path,
        line_of(&text, "module "),
        format!("go.mod declares module {module}"),
    );
    svc.package_manager = Some("go".into());
    svc.install_command = Some("go mod download".into());
    if cx.is_file(&join(dir, "go.sum")) {
        svc.lockfile = Some("go.sum".into());
    }
    match (toolchain, go_version) {
        (Some((v, line)), _) => {
            let mm: String = v.split('.').take(2).collect::<Vec<_>>().join(".");
            svc.cite(&path, line, format!("toolchain go{v}: Go {mm}"));
            svc.runtime_version = Some(mm);
        }
        (None, Some((v, line))) => {
            let mm: String = v.split('.').take(2).collect::<Vec<_>>().join(".");
            svc.cite(&path, line, format!("go {v}: Go {mm}"));
            svc.runtime_version = Some(mm);
        }
        (None, None) => cx.runtime_from_range(&mut svc, "go", None),
    }

    // The main package: the module root or cmd/<name>.
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut mains: Vec<String> = Vec::new();
    let mut main_files: Vec<String> = Vec::new();
    let files: Vec<String> = cx
        .view
        .index()
        .under(dir)
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
        .take(2000)
        .cloned()
        .collect();
    let mut uses_net_http = None;
    for f in &files {
        let rel = &f[prefix.len()..];
        let folder = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let candidate = folder.is_empty() || (folder.starts_with("cmd/") && folder.matches('/').count() == 1);
        if !candidate || mains.iter().any(|m| m == folder) {
            continue;
        }
        let Some(src) = cx.view.read_source(f, 64 * 1024) else {
            continue;
        };
        if src.lines().any(|l| l.trim() == "package main") {
            mains.push(folder.to_string());
            main_files.push(f.clone());
            if uses_net_http.is_none() && src.contains("\"net/http\"") {
                uses_net_http = Some((f.clone(), line_of(&src, "\"net/http\"")));
            }
        }
    }
    if mains.is_empty() {
        found.push(Found::Library {
            path: super::shown(dir),
            reason: format!("the Go module {module} has no main package: a library"),
        });
        return found;
    }
    // Prefer the root, then a command named after the module or a server.
    let file_of: std::collections::HashMap<String, String> = mains.iter().cloned().zip(main_files).collect();
    mains.sort_by_key(|m| {
        let name = m.rsplit('/').next().unwrap_or(m);
        (
            !m.is_empty(),
            !(name == short || ["server", "api", "app", "web"].contains(&name)),
            m.clone(),
        )
    });
    let main = mains[0].clone();
    let target = if main.is_empty() {
        ".".to_string()
    } else {
        format!("./{main}")
    };
    let bin = if main.is_empty() {
        short.clone()
    } else {
        main.rsplit('/').next().unwrap_or(&main).to_string()
    };
    svc.cite(
        file_of.get(&main).cloned().unwrap_or_else(|| join(dir, &main)),
        None,
        format!("package main in {target}: builds the {bin} binary"),
    );
    if mains.len() > 1 {
        svc.cite(&path, None, format!("other commands: {}", mains[1..].join(", ")));
    }
    svc.build_command = Some(format!(
        "CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o bin/{bin} {target}"
    ));
    svc.artifact = Some(format!("bin/{bin}"));
    svc.start_command = Some(format!("./bin/{bin}"));
    let mut d = Detected::new(svc, "go", EXTS);
    d.deps = deps;
    if d.framework_from_deps().is_none() {
        if let Some((file, line)) = uses_net_http {
            d.svc.framework = Some("net-http".into());
            d.svc
                .cite(file, line, "imports net/http: a standard-library HTTP server");
        } else {
            d.svc.kind = "worker".into();
        }
    }
    found.push(Found::Service(Box::new(d)));
    found
}

/// Go files with `package main` and no go.mod: `go build` takes the files by name (the
/// standard library is all such a program can import without a module).
pub(crate) fn without_module(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let files: Vec<String> = cx
        .view
        .index()
        .names_in(dir)
        .iter()
        .filter(|n| n.ends_with(".go") && !n.ends_with("_test.go"))
        .cloned()
        .collect();
    let mut mains = Vec::new();
    let mut net_http = None;
    let mut foreign = None;
    for name in &files {
        let path = join(dir, name);
        let Some(src) = cx.view.read_source(&path, 256 * 1024) else {
            continue;
        };
        if !src.lines().any(|l| l.trim() == "package main") {
            continue;
        }
        mains.push(name.clone());
        if net_http.is_none() && src.contains("\"net/http\"") {
            net_http = Some((path.clone(), line_of(&src, "\"net/http\"")));
        }
        // An import path with a dot in its first element is a module from outside the
        // standard library: it needs a go.mod to resolve.
        if foreign.is_none() {
            foreign = src.lines().enumerate().find_map(|(i, l)| {
                let t = l.trim().trim_start_matches("import").trim();
                let quoted = t.split('"').nth(1)?;
                let first = quoted.split('/').next()?;
                first
                    .contains('.')
                    .then(|| (path.clone(), i as u32 + 1, quoted.to_string()))
            });
        }
    }
    if mains.is_empty() {
        return Vec::new();
    }
    let mut svc = cx.service(dir, None, "go");
    let shown = mains.join(" ");
    svc.cite(
        join(dir, &mains[0]),
        None,
        format!("{shown}: a Go program (package main) with no go.mod, built from its files"),
    );
    svc.package_manager = Some("go".into());
    cx.runtime_from_range(&mut svc, "go", None);
    let bin = svc.name.clone();
    if let Some((file, line, import)) = foreign {
        cx.warn(
            &format!("{file}:{line}"),
            format!(
                "imports {import}, which needs a go.mod to build: run `go mod init` and `go mod tidy` in {}",
                super::shown(dir)
            ),
        );
    }
    svc.build_command = Some(format!(
        "CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o bin/{bin} {shown}"
    ));
    svc.artifact = Some(format!("bin/{bin}"));
    svc.start_command = Some(format!("./bin/{bin}"));
    let mut d = Detected::new(svc, "go", EXTS);
    match net_http {
        Some((file, line)) => {
            d.svc.framework = Some("net-http".into());
            d.svc
                .cite(file, line, "imports net/http: a standard-library HTTP server");
        }
        None => d.svc.kind = "worker".into(),
    }
    vec![Found::Service(Box::new(d))]
}
