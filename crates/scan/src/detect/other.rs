//! Deno, and folders known by their deployment habits rather than a manifest: Procfile apps,
//! static sites, Hugo sites and shell-script services.

use serde_json::Value;

use super::{Cx, Detected, Found, Trust};
use crate::view::{join, line_of};

pub(crate) fn deno(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let path = ["deno.json", "deno.jsonc"]
        .iter()
        .map(|f| join(dir, f))
        .find(|p| cx.is_file(p))
        .unwrap_or_default();
    let Some((text, json)) = cx.json(&path) else {
        return Vec::new();
    };
    let name = json.get("name").and_then(Value::as_str).map(str::to_string);
    let mut d = Detected::new(
        cx.service(dir, name.as_deref(), "deno"),
        "deno",
        &[".ts", ".tsx", ".js"],
    );
    d.svc.cite(&path, None, "deno.json: a Deno project");
    d.svc.package_manager = Some("deno".into());
    let locked = cx.is_file(&join(dir, "deno.lock"));
    if locked {
        d.svc.lockfile = Some("deno.lock".into());
    }
    d.svc.install_command = Some(
        if locked {
            "deno install --frozen"
        } else {
            "deno install"
        }
        .into(),
    );
    if let Some((file, line, v)) = cx.tool_version(dir, &["deno"]) {
        d.svc.cite(&file, line, format!("asks for Deno {v}"));
        d.svc.runtime_version = Some(v);
    } else {
        cx.runtime_from_range(&mut d.svc, "deno", None);
    }
    let imports = json.get("imports").map(|i| i.to_string()).unwrap_or_default();
    if imports.contains("$fresh") || imports.contains("@fresh/core") {
        d.svc.framework = Some("fresh".into());
        d.svc.cite(&path, line_of(&text, "fresh"), "imports Fresh: a Fresh app");
    } else if imports.contains("hono") {
        d.svc.framework = Some("hono".into());
        d.svc.cite(&path, line_of(&text, "hono"), "imports Hono");
    } else {
        d.svc.framework = Some("deno".into());
    }
    let tasks = json.get("tasks").and_then(Value::as_object);
    if tasks.is_some_and(|t| t.contains_key("build")) {
        d.svc.build_command = Some("deno task build".into());
    }
    if let Some(start) = tasks.and_then(|t| t.get("start")).and_then(Value::as_str) {
        d.svc
            .cite(&path, line_of(&text, "\"start\""), format!("start task: {start}"));
        d.svc.start_command = Some("deno task start".into());
    } else if let Some(main) = ["main.ts", "server.ts", "mod.ts", "main.js"]
        .iter()
        .find(|f| cx.is_file(&join(dir, f)))
    {
        d.svc.start_command = Some(format!("deno run --allow-net --allow-env --allow-read {main}"));
    } else {
        return vec![Found::Library {
            path: super::shown(dir),
            reason: "a Deno module with no start task and no main file: a library".into(),
        }];
    }
    vec![Found::Service(Box::new(d))]
}

/// Entry files of a Deno program without a deno.json, best first.
pub(crate) const DENO_ENTRIES: &[&str] = &[
    "main.ts",
    "mod.ts",
    "server.ts",
    "src/main.ts",
    "src/mod.ts",
    "src/server.ts",
];

/// A Deno program with no deno.json: its entry file uses the Deno namespace or imports by
/// URL (`jsr:`, `npm:`, `https://deno.land/`), which no other runtime runs as it is.
pub(crate) fn deno_without_config(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let signs = [
        "Deno.",
        "from \"jsr:",
        "from \"npm:",
        "from 'jsr:",
        "from 'npm:",
        "https://deno.land/",
    ];
    let found = DENO_ENTRIES.iter().find_map(|f| {
        let path = join(dir, f);
        let text = cx.view.read_source(&path, 256 * 1024)?;
        let (i, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| signs.iter().any(|s| l.contains(s)))?;
        Some((*f, path, i as u32 + 1, line.trim().chars().take(60).collect::<String>()))
    });
    let Some((entry, path, line, code)) = found else {
        if let Some(f) = DENO_ENTRIES.iter().find(|f| cx.is_file(&join(dir, f))) {
            cx.warn(
                &join(dir, f),
                format!("{f} has no package.json or deno.json and nothing in it names its runtime (Deno, Bun or Node.js); set language and start_command in slipway.toml"),
            );
        }
        return Vec::new();
    };
    let mut d = Detected::new(cx.service(dir, None, "deno"), "deno", &[".ts", ".tsx", ".js"]);
    d.svc.cite(
        &path,
        Some(line),
        format!("{entry} is a Deno program with no deno.json: {code}"),
    );
    d.svc.package_manager = Some("deno".into());
    d.svc.framework = Some("deno".into());
    let locked = cx.is_file(&join(dir, "deno.lock"));
    if locked {
        d.svc.lockfile = Some("deno.lock".into());
    }
    d.svc.install_command = Some(format!(
        "deno install{} --entrypoint {entry}",
        if locked { " --frozen" } else { "" }
    ));
    if let Some((file, line, v)) = cx.tool_version(dir, &["deno"]) {
        d.svc.cite(&file, line, format!("asks for Deno {v}"));
        d.svc.runtime_version = Some(v);
    } else {
        cx.runtime_from_range(&mut d.svc, "deno", None);
    }
    d.svc.start_command = Some(format!("deno run --allow-net --allow-env --allow-read {entry}"));
    let text = cx.view.read_source(&path, 256 * 1024).unwrap_or_default();
    if super::node::start::starts(&text).0 != super::node::start::Starts::Listens {
        d.svc.kind = "worker".into();
    }
    vec![Found::Service(Box::new(d))]
}

/// Start scripts of a shell-script service, best first.
pub(crate) const SHELL_SCRIPTS: &[&str] = &[
    "start.sh",
    "run.sh",
    "serve.sh",
    "server.sh",
    "main.sh",
    "app.sh",
    "entrypoint.sh",
];

/// A folder with no ecosystem manifest: a Procfile, a start script, or a static site.
pub(crate) fn fallback(cx: &mut Cx, dir: &str) -> Vec<Found> {
    let has = |cx: &Cx, f: &str| cx.is_file(&join(dir, f));
    let procfile = join(dir, "Procfile");
    if let Some(text) = cx.text(&procfile) {
        if let Some((i, cmd)) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| l.strip_prefix("web:").map(|c| (i, c.trim().to_string())))
        {
            let first = cmd.split_whitespace().next().unwrap_or("");
            let language = match first {
                "node" | "npm" | "yarn" | "pnpm" => "node",
                "python" | "gunicorn" | "uvicorn" => "python",
                "bundle" | "ruby" | "puma" => "ruby",
                "java" => "java",
                "php" | "heroku-php-apache2" | "heroku-php-nginx" => "php",
                _ => "shell",
            };
            let mut d = Detected::new(cx.service(dir, None, language), "procfile", &[".sh"]);
            d.svc.cite(
                &procfile,
                Some(i as u32 + 1),
                "a Procfile with a web process and no manifest Slipway knows",
            );
            d.svc.framework = Some("procfile".into());
            d.svc.start_command = Some(cmd);
            return vec![Found::Service(Box::new(d))];
        }
    }
    // A start script is the folder's own word on how it runs, even beside an index.html.
    for script in SHELL_SCRIPTS {
        let path = join(dir, script);
        let Some(text) = cx.text(&path) else { continue };
        let first = text.lines().next().unwrap_or("");
        let mut d = Detected::new(cx.service(dir, None, "shell"), "shell", &[".sh"]);
        if first.starts_with("#!") {
            d.svc
                .cite(&path, Some(1), format!("{script} with {first}: a shell-script service"));
        } else {
            d.svc.cite(
                &path,
                None,
                format!("{script}: a shell-script service (no #! line, so run with sh)"),
            );
        }
        d.svc.start_command = Some(if first.starts_with("#!") {
            format!("./{script}")
        } else {
            format!("sh {script}")
        });
        d.svc.kind = "worker".into();
        if let Some((i, port)) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| super::code::port_in_command(l).map(|p| (i, p)))
        {
            d.port(
                port,
                Trust::Code,
                &path,
                Some(i as u32 + 1),
                format!("{script} serves on port {port}"),
            );
        }
        return vec![Found::Service(Box::new(d))];
    }
    for hugo in ["hugo.toml", "hugo.yaml", "hugo.json"] {
        if has(cx, hugo) {
            let mut d = Detected::new(cx.service(dir, None, "static"), "static", &[]);
            d.svc.cite(join(dir, hugo), None, format!("{hugo}: a Hugo site"));
            d.svc.framework = Some("hugo".into());
            d.svc.kind = "static".into();
            d.svc.build_command = Some("hugo --minify".into());
            d.svc.artifact = Some("public".into());
            return vec![Found::Service(Box::new(d))];
        }
    }
    if has(cx, "index.html") {
        let mut d = Detected::new(cx.service(dir, None, "static"), "static", &[]);
        d.svc.cite(
            join(dir, "index.html"),
            None,
            "index.html with no build tooling: a static site",
        );
        d.svc.framework = Some("static".into());
        d.svc.kind = "static".into();
        d.svc.artifact = Some(".".into());
        return vec![Found::Service(Box::new(d))];
    }
    Vec::new()
}
