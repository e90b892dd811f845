//! Python services: pip, Poetry, PDM, Pipenv and uv; FastAPI, Django, Flask, Starlette and
//! plain scripts.

use regex_lite::Regex;

use super::{Cx, Dep, Detected, Found};
use crate::view::{join, line_of};

const EXTS: &[&str] = &[".py"];

/// Normalised distribution name: `Flask_SQLAlchemy` -> `flask-sqlalchemy`.
fn norm(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The distribution name at the start of a PEP 508 requirement: `fastapi[standard]>=0.115`.
fn requirement_name(req: &str) -> Option<String> {
    let req = req.trim();
    if req.is_empty() || req.starts_with('#') || req.starts_with('-') || req.contains("://") {
        return None;
    }
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(req.len());
    let name = &req[..end];
    (!name.is_empty()).then(|| norm(name))
}

pub(crate) fn detect(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let pyproject_path = join(dir, "pyproject.toml");
    let pyproject = if cx.is_file(&pyproject_path) {
        cx.toml(&pyproject_path)
    } else {
        None
    };
    let project = pyproject.as_ref().and_then(|(_, d)| d.get("project"));
    let poetry = pyproject
        .as_ref()
        .and_then(|(_, d)| d.get("tool"))
        .and_then(|t| t.get("poetry"));
    let name = project
        .and_then(|p| p.get("name"))
        .or_else(|| poetry.and_then(|p| p.get("name")))
        .and_then(|n| n.as_str())
        .map(str::to_string);
    let mut svc = cx.service(dir, name.as_deref(), "python");
    let mut d = Detected::new(svc.clone(), "python", EXTS);

    // Package manager and lockfile.
    let has = |cx: &Cx, f: &str| cx.is_file(&join(dir, f));
    let tool_table = |t: &str| {
        pyproject
            .as_ref()
            .and_then(|(_, d)| d.get("tool"))
            .and_then(|tool| tool.get(t))
            .is_some()
    };
    let (pm, lock, install) = if has(cx, "uv.lock") {
        ("uv", Some("uv.lock"), "uv sync --frozen --no-dev")
    } else if has(cx, "poetry.lock") || poetry.is_some() {
        (
            "poetry",
            has(cx, "poetry.lock").then_some("poetry.lock"),
            "poetry install --only main --no-root --no-interaction",
        )
    } else if has(cx, "pdm.lock") || tool_table("pdm") {
        (
            "pdm",
            has(cx, "pdm.lock").then_some("pdm.lock"),
            "pdm install --prod --frozen-lockfile --no-editable",
        )
    } else if has(cx, "Pipfile") {
        (
            "pipenv",
            has(cx, "Pipfile.lock").then_some("Pipfile.lock"),
            "pipenv install --deploy",
        )
    } else if has(cx, "requirements.txt") {
        (
            "pip",
            Some("requirements.txt"),
            "pip install --no-cache-dir -r requirements.txt",
        )
    } else if has(cx, "pyproject.toml") || has(cx, "setup.py") {
        ("pip", None, "pip install --no-cache-dir .")
    } else {
        ("pip", None, "")
    };
    svc.package_manager = Some(pm.into());
    svc.lockfile = lock.map(str::to_string);
    if !install.is_empty() {
        svc.install_command = Some(install.into());
    }
    let why = match lock {
        Some(l) => (join(dir, l), format!("{l}: dependencies installed with {pm}")),
        None => {
            let file = ["pyproject.toml", "setup.py", "Pipfile", "manage.py"]
                .iter()
                .chain(ENTRY_SCRIPTS)
                .map(|f| join(dir, f))
                .find(|p| cx.is_file(p))
                .unwrap_or_else(|| pyproject_path.clone());
            let name = file.rsplit('/').next().unwrap_or(&file).to_string();
            let manifest = ["pyproject.toml", "setup.py", "Pipfile", "requirements.txt"]
                .iter()
                .any(|f| cx.is_file(&join(dir, f)));
            if !manifest {
                (file, format!("{name}: a Python program with no dependency manifest"))
            } else {
                (file, format!("{name}: a Python project, installed with {pm}"))
            }
        }
    };
    svc.cite(&why.0, None, why.1);

    // Dependencies.
    let mut deps: Vec<Dep> = Vec::new();
    if let Some((text, _)) = &pyproject {
        if let Some(list) = project.and_then(|p| p.get("dependencies")).and_then(|v| v.as_array()) {
            for v in list.iter().filter_map(|v| v.as_str()) {
                if let Some(n) = requirement_name(v) {
                    deps.push(Dep {
                        line: line_of(text, v),
                        name: n,
                        file: pyproject_path.clone(),
                    });
                }
            }
        }
        if let Some(t) = poetry
            .and_then(|p| p.get("dependencies"))
            .and_then(|t| t.as_table_like())
        {
            for (k, _) in t.iter().filter(|(k, _)| *k != "python") {
                deps.push(Dep {
                    name: norm(k),
                    file: pyproject_path.clone(),
                    line: line_of(text, &format!("{k} =")),
                });
            }
        }
    }
    let req_path = join(dir, "requirements.txt");
    if let Some(text) = cx.text(&req_path) {
        for (i, line) in text.lines().enumerate() {
            if let Some(n) = requirement_name(line) {
                deps.push(Dep {
                    name: n,
                    file: req_path.clone(),
                    line: Some(i as u32 + 1),
                });
            }
        }
    }
    let pipfile_path = join(dir, "Pipfile");
    let mut pipfile_python = None;
    if cx.is_file(&pipfile_path) {
        if let Some((text, doc)) = cx.toml(&pipfile_path) {
            if let Some(t) = doc.get("packages").and_then(|t| t.as_table_like()) {
                for (k, _) in t.iter() {
                    deps.push(Dep {
                        name: norm(k),
                        file: pipfile_path.clone(),
                        line: line_of(&text, &format!("{k} =")),
                    });
                }
            }
            pipfile_python = doc
                .get("requires")
                .and_then(|r| r.get("python_version"))
                .and_then(|v| v.as_str())
                .map(|v| (v.to_string(), line_of(&text, "python_version")));
        }
    }

    // Runtime version.
    let mut pinned = false;
    for (file, strip) in [(".python-version", ""), ("runtime.txt", "python-")] {
        let path = join(dir, file);
        if let Some(text) = cx.text(&path) {
            if let Some(v) = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let v = v.strip_prefix(strip).unwrap_or(v);
                svc.runtime_version = Some(v.to_string());
                svc.cite(&path, line_of(&text, v), format!("{file} asks for Python {v}"));
                pinned = true;
                break;
            }
        }
    }
    if !pinned {
        if let Some((file, line, v)) = cx.tool_version(dir, &["python"]) {
            svc.cite(&file, line, format!("asks for Python {v}"));
            svc.runtime_version = Some(v);
            pinned = true;
        }
    }
    if !pinned {
        let requires = project
            .and_then(|p| p.get("requires-python"))
            .and_then(|v| v.as_str())
            .map(|v| (v.to_string(), pyproject_path.clone(), "requires-python"))
            .or_else(|| {
                poetry
                    .and_then(|p| p.get("dependencies"))
                    .and_then(|d| d.get("python"))
                    .and_then(|v| v.as_str())
                    .map(|v| (v.to_string(), pyproject_path.clone(), "python ="))
            });
        if let Some((range, file, needle)) = requires {
            let line = pyproject.as_ref().and_then(|(t, _)| line_of(t, needle));
            cx.runtime_from_range(&mut svc, "python", Some((&range, &file, line)));
        } else if let Some((v, line)) = pipfile_python {
            svc.cite(&pipfile_path, line, format!("Pipfile requires Python {v}"));
            svc.runtime_version = Some(v);
        } else {
            cx.runtime_from_range(&mut svc, "python", None);
        }
    }

    d.svc = svc;
    d.deps = deps;
    let framework = d.framework_from_deps();
    let app = find_app(cx, dir, framework);
    let wsgi = |cx: &mut Cx, d: &mut Detected, server_dep: &str| {
        if !d.has_dep(server_dep) && !d.has_dep("fastapi") {
            cx.warn(
                &d.svc.evidence[0].file.clone(),
                format!("{server_dep} is not among the dependencies: the production image needs it installed"),
            );
        }
    };
    match framework {
        Some("fastapi") | Some("starlette") => {
            let target = app.clone().unwrap_or_else(|| App::at(dir, "main.py", "main:app"));
            d.svc.cite(
                &target.file,
                target.line,
                format!("the ASGI app is {}", target.describe()),
            );
            let app_dir = target
                .dir
                .as_ref()
                .map(|p| format!(" --app-dir {p}"))
                .unwrap_or_default();
            d.svc.start_command = Some(format!(
                "uvicorn {}{app_dir} --host 0.0.0.0 --port ${{PORT:-{{port}}}}",
                target.target
            ));
            if !d.has_dep("uvicorn") && !d.has_dep("gunicorn") {
                let fastapi_standard = d.dep("fastapi").is_some_and(|dep| {
                    cx.view
                        .read_source(&dep.file, 1 << 20)
                        .is_some_and(|t| t.contains("fastapi[standard"))
                });
                if !fastapi_standard {
                    wsgi(cx, &mut d, "uvicorn");
                }
            }
        }
        Some("django") => {
            match app {
                Some(target) => {
                    d.svc.cite(&target.file, target.line, format!("the WSGI application is {}", target.describe()));
                    let chdir = target.dir.as_ref().map(|p| format!(" --chdir {p}")).unwrap_or_default();
                    d.svc.start_command = Some(format!(
                        "gunicorn {}{chdir} --bind 0.0.0.0:${{PORT:-{{port}}}}",
                        target.target
                    ));
                }
                None => cx.warn(
                    &d.svc.evidence[0].file.clone(),
                    "no wsgi.py found, so Slipway cannot name the WSGI application for gunicorn (manage.py runserver is only for development); set start_command in slipway.toml",
                ),
            }
            d.svc.build_command = Some("python manage.py collectstatic --noinput".into());
            wsgi(cx, &mut d, "gunicorn");
            django_database(cx, dir, &mut d);
        }
        Some("flask") => {
            let target = app.unwrap_or_else(|| App::at(dir, "app.py", "app:app"));
            d.svc.cite(
                &target.file,
                target.line,
                format!("the WSGI app is {}", target.describe()),
            );
            let chdir = target.dir.as_ref().map(|p| format!("--chdir {p} ")).unwrap_or_default();
            d.svc.start_command = Some(format!(
                "gunicorn {chdir}--bind 0.0.0.0:${{PORT:-{{port}}}} '{}'",
                target.target
            ));
            wsgi(cx, &mut d, "gunicorn");
        }
        _ => {
            // A plain script: an entry point declared in pyproject, or a main module.
            let script = project
                .and_then(|p| p.get("scripts"))
                .and_then(|s| s.as_table_like())
                .and_then(|t| t.iter().next().map(|(k, _)| k.to_string()));
            let main = ENTRY_SCRIPTS.iter().find(|f| cx.is_file(&join(dir, f)));
            if let Some(s) = script {
                d.svc.start_command = Some(s.clone());
                d.svc
                    .cite(&pyproject_path, None, format!("[project.scripts] declares {s}"));
            } else if let Some(m) = main {
                d.svc.start_command = Some(format!("python {m}"));
                d.svc.cite(join(dir, m), None, format!("{m} is the entry script"));
            } else {
                return vec![Found::Library {
                    path: super::shown(dir),
                    reason: "a Python package with no web framework and no entry script".into(),
                }];
            }
            d.svc.kind = "worker".into();
        }
    }
    vec![Found::Service(Box::new(d))]
}

/// Scripts that run a plain Python program, best first.
pub(crate) const ENTRY_SCRIPTS: &[&str] = &[
    "main.py",
    "app.py",
    "__main__.py",
    "run.py",
    "bot.py",
    "worker.py",
    "server.py",
];

/// Where a framework's app object lives.
#[derive(Debug, Clone)]
struct App {
    /// `module:attribute` as the server imports it, relative to `dir`.
    target: String,
    /// The file that defines it, root-relative.
    file: String,
    line: Option<u32>,
    /// The folder the server must import from (`--app-dir`, `--chdir`), relative to the
    /// service, when the module path alone is not importable from the service folder: `src`,
    /// or a folder whose name is no Python identifier (`order-api`).
    dir: Option<String>,
}

impl App {
    fn at(dir: &str, file: &str, target: &str) -> Self {
        App {
            target: target.into(),
            file: join(dir, file),
            line: None,
            dir: None,
        }
    }

    fn describe(&self) -> String {
        match &self.dir {
            Some(d) => format!("{} (imported from {d})", self.target),
            None => self.target.clone(),
        }
    }
}

fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The importable module path of a file relative to the service folder, and the folder it must
/// be imported from: `src/shop/main.py` -> (`src`, `shop.main`), `order-api/main.py` ->
/// (`order-api`, `main`), `app/main.py` -> (none, `app.main`).
fn module_path(rel: &str) -> (Option<String>, String) {
    let rel = rel.trim_end_matches(".py");
    let parts: Vec<&str> = rel.split('/').collect();
    let parts: Vec<&str> = if parts.last() == Some(&"__init__") && parts.len() > 1 {
        parts[..parts.len() - 1].to_vec()
    } else {
        parts
    };
    // The package path starts after the last folder that cannot be part of it.
    let start = parts
        .iter()
        .take(parts.len().saturating_sub(1))
        .rposition(|p| !is_identifier(p) || *p == "src")
        .map_or(0, |i| i + 1);
    let dir = (start > 0).then(|| parts[..start].join("/"));
    (dir, parts[start..].join("."))
}

/// The app object: `main:app` for FastAPI and Flask, `mysite.wsgi:application` for Django.
fn find_app(cx: &mut Cx, dir: &str, framework: Option<&str>) -> Option<App> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let files: Vec<String> = cx
        .view
        .index()
        .under(dir)
        .filter(|f| f.ends_with(".py") && !f.contains("/tests/") && !f.contains("/test/"))
        .take(400)
        .cloned()
        .collect();
    let app = |f: &str, attr: &str, line: Option<u32>| {
        let (dir, module) = module_path(&f[prefix.len()..]);
        App {
            target: format!("{module}:{attr}"),
            file: f.to_string(),
            line,
            dir,
        }
    };
    match framework? {
        "django" => {
            let mut wsgi: Vec<&String> = files
                .iter()
                .filter(|f| f.ends_with("/wsgi.py") || *f == "wsgi.py")
                .collect();
            wsgi.sort_by_key(|f| f.matches('/').count());
            let f = wsgi.first()?;
            Some(app(f, "application", None))
        }
        fw => {
            let ctor = match fw {
                "fastapi" => "FastAPI",
                "flask" => "Flask",
                "starlette" => "Starlette",
                _ => return None,
            };
            let assign = Regex::new(&format!(r"^(\w+)\s*(?::\s*\w+\s*)?=\s*(?:\w+\.)?{ctor}\(")).expect("valid regex");
            let factory = Regex::new(r"^def (create_app|make_app)\(").expect("valid regex");
            let mut ordered = files.clone();
            ordered.sort_by_key(|f| {
                let name = f.rsplit('/').next().unwrap_or(f);
                (
                    !matches!(name, "main.py" | "app.py" | "server.py" | "__init__.py"),
                    f.matches('/').count(),
                )
            });
            for f in ordered.iter().take(64) {
                let Some(text) = cx.view.read_source(f, 256 * 1024) else {
                    continue;
                };
                for (i, line) in text.lines().enumerate() {
                    if let Some(c) = assign.captures(line) {
                        return Some(app(f, &c[1], Some(i as u32 + 1)));
                    }
                    if fw == "flask" {
                        if let Some(c) = factory.captures(line) {
                            return Some(app(f, &format!("{}()", &c[1]), Some(i as u32 + 1)));
                        }
                    }
                }
            }
            None
        }
    }
}

fn django_database(cx: &mut Cx, dir: &str, d: &mut Detected) {
    let settings: Vec<String> = cx
        .view
        .index()
        .under(dir)
        .filter(|f| f.ends_with("/settings.py") || f.contains("/settings/") && f.ends_with(".py"))
        .take(8)
        .cloned()
        .collect();
    for f in settings {
        let Some(text) = cx.text(&f) else { continue };
        for (needle, service) in [
            ("django.db.backends.postgresql", "postgres"),
            ("django.db.backends.mysql", "mysql"),
            ("django.db.backends.sqlite3", "sqlite"),
            ("django.contrib.gis.db.backends.postgis", "postgres"),
        ] {
            if let Some(line) = line_of(&text, needle) {
                if !d.svc.backing_services.iter().any(|b| b == service) {
                    d.svc
                        .cite(&f, Some(line), format!("DATABASES uses {needle}: needs {service}"));
                    d.svc.backing_services.push(service.into());
                }
            }
        }
        if let Some(line) = line_of(&text, "django_redis").or_else(|| line_of(&text, "RedisCache")) {
            if !d.svc.backing_services.iter().any(|b| b == "redis") {
                d.svc.cite(&f, Some(line), "the cache is Redis");
                d.svc.backing_services.push("redis".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::module_path;

    #[test]
    fn module_paths_are_importable_from_the_folder_they_name() {
        assert_eq!(module_path("main.py"), (None, "main".into()));
        assert_eq!(module_path("app/main.py"), (None, "app.main".into()));
        assert_eq!(module_path("app/__init__.py"), (None, "app".into()));
        assert_eq!(
            module_path("src/shop/main.py"),
            (Some("src".into()), "shop.main".into())
        );
        assert_eq!(
            module_path("order-api/main.py"),
            (Some("order-api".into()), "main".into())
        );
        assert_eq!(
            module_path("services/order-api/app/main.py"),
            (Some("services/order-api".into()), "app.main".into())
        );
    }
}
