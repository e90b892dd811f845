//! How a Node.js package starts in production: its start script when that is a production
//! command, else its entry file (the `main` or `module` field, or an index file), run by the
//! runtime itself. Development servers and watchers never become the start; migrations run
//! before the server, never instead of it; a package is called a library only on evidence.

use serde_json::Value;

use super::super::commands::{self, is_script_file};
use super::super::{Cx, Detected, Trust};
use crate::view::{join, line_of};

/// Script names that start the app in production, best first.
pub(crate) const START_SCRIPTS: &[&str] = &["start:prod", "start:production", "start"];

/// Entry files tried when package.json names none, in order.
const ENTRY_FILES: &[&str] = &[
    "server.js",
    "index.js",
    "app.js",
    "main.js",
    "src/index.ts",
    "index.ts",
    "src/index.js",
    "server.ts",
    "index.mjs",
    "server.mjs",
    "main.ts",
    "app.ts",
    "src/server.ts",
    "src/main.ts",
    "src/app.ts",
    "src/server.js",
    "src/main.js",
    "src/app.js",
];

/// What a package.json's start script means for production.
#[derive(Debug, Default)]
pub(crate) struct StartScript {
    /// The command that starts the app in production, when the script gives one.
    pub command: Option<String>,
    /// Migrations the script runs and nothing else: they go before the server.
    pub migrations: Option<String>,
    /// A start script exists at all (even one that is only for development).
    pub present: bool,
}

/// Reads the start script and keeps only what production runs.
pub(crate) fn start_script(cx: &mut Cx, dir: &str, manifest: &Value, text: &str, d: &mut Detected) -> StartScript {
    let manifest_path = join(dir, "package.json");
    let scripts = manifest.get("scripts").and_then(Value::as_object);
    let Some((name, script)) = START_SCRIPTS.iter().find_map(|k| {
        scripts
            .and_then(|s| s.get(*k))
            .and_then(Value::as_str)
            .map(|v| (*k, v.trim().to_string()))
    }) else {
        return StartScript::default();
    };
    let line = line_of(text, &format!("\"{name}\""));
    d.svc.cite(&manifest_path, line, format!("start script: {script}"));
    let mut out = StartScript {
        present: true,
        ..Default::default()
    };
    if let Some(port) = super::super::code::port_in_command(&script) {
        d.port(
            port,
            Trust::Code,
            &manifest_path,
            line,
            format!("the start script listens on port {port}"),
        );
    }
    if let Some(dev) = commands::development_server(&script) {
        let dev_dep = first_program(&dev.step).filter(|p| is_dev_dependency(manifest, p));
        let from = match dev_dep {
            Some(p) => format!(" ({p} is a devDependency, absent from a production install)"),
            None => String::new(),
        };
        match &dev.production {
            Some(p) => {
                d.svc.cite(
                    &manifest_path,
                    line,
                    format!("`{}` is {}{from}: production runs {p}", dev.step, dev.why),
                );
                out.command = Some(p.clone());
            }
            None => d.svc.cite(
                &manifest_path,
                line,
                format!("`{}` is {}{from}: not a production start", dev.step, dev.why),
            ),
        }
        return out;
    }
    if commands::migrations_only(&script) {
        d.svc.cite(
            &manifest_path,
            line,
            format!("the start script only runs migrations ({script}): they run before the server, which still has to start"),
        );
        for step in commands::steps(&script) {
            if let Some(p) = first_program(step).filter(|p| is_dev_dependency(manifest, p)) {
                cx.warn(
                    &manifest_path,
                    format!("{p} is a devDependency, so `{step}` fails in a production image that installs dependencies only; move {p} to dependencies"),
                );
            }
        }
        out.migrations = Some(script);
        return out;
    }
    // A TypeScript runner that only the development install has.
    let words = commands::program_words(&script);
    if let (Some(&runner), Some(file)) = (words.first(), words.iter().skip(1).find(|w| is_script_file(w))) {
        if ["tsx", "ts-node", "babel-node"].contains(&runner)
            && is_dev_dependency(manifest, runner)
            && !script.contains("&&")
        {
            d.svc.cite(
                &manifest_path,
                line,
                format!("{runner} is a devDependency, absent from a production install: production runs node {file}"),
            );
            out.command = Some(format!("node {file}"));
            return out;
        }
    }
    out.command = Some(script);
    out
}

/// True when a start command only serves the built files (`serve -s dist`): the site is static.
pub(crate) fn serves_files(cmd: &str) -> bool {
    let words = commands::program_words(cmd);
    words
        .first()
        .is_some_and(|p| ["serve", "http-server", "sirv", "live-server", "static-server"].contains(p))
}

/// The package (binary) a step runs: `prisma` for `npx prisma migrate deploy`.
fn first_program(step: &str) -> Option<&str> {
    commands::program_words(step).first().copied()
}

/// True when `name` is only in devDependencies.
fn is_dev_dependency(manifest: &Value, name: &str) -> bool {
    let in_section = |s: &str| {
        manifest
            .get(s)
            .and_then(Value::as_object)
            .is_some_and(|o| o.contains_key(name))
    };
    in_section("devDependencies") && !in_section("dependencies")
}

/// How an entry file behaves when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Starts {
    /// It listens on a port: a web service.
    Listens,
    /// It keeps running without a port: a timer, a loop, a queue consumer, a bot.
    Runs,
    /// It only declares and exports: nothing happens when it runs.
    Nothing,
}

/// What an entry file's text says it does, with the line that says so. A file starts something
/// when a statement at its top level runs (a call, `app.listen(...)`, `const server =
/// Bun.serve(...)`, `await main()`), or when it exports a Bun server (`export default { fetch }`);
/// it listens when it starts something and calls a server's listen anywhere.
pub(crate) fn starts(text: &str) -> (Starts, Option<(u32, String)>) {
    const LISTENS: &[&str] = &[
        ".listen(",
        "createServer(",
        "Bun.serve(",
        "Deno.serve(",
        "serve({",
        "serve(app",
        "WebSocketServer(",
        "new Server(",
        "server.start(",
    ];
    const DECLARES: &[&str] = &[
        "import ",
        "import{",
        "export ",
        "const ",
        "let ",
        "var ",
        "function ",
        "async function ",
        "class ",
        "module.exports",
        "exports.",
        "type ",
        "interface ",
        "enum ",
        "declare ",
        "abstract ",
        "namespace ",
    ];
    let mut runs: Option<(u32, String)> = None;
    let mut listens: Option<(u32, String)> = None;
    let mut bun_export = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("//") || t.starts_with('*') || t.starts_with("/*") || t.is_empty() {
            continue;
        }
        let at = || (i as u32 + 1, t.chars().take(60).collect::<String>());
        let listen = LISTENS.iter().any(|p| t.contains(p));
        if listen && listens.is_none() {
            listens = Some(at());
        }
        if t.starts_with("export default {") {
            bun_export = true;
        }
        if bun_export && (t.starts_with("fetch(") || t.starts_with("async fetch(") || t.starts_with("fetch:")) {
            return (Starts::Listens, Some(at()));
        }
        let top = line.starts_with(|c: char| c.is_ascii_alphabetic() || c == '(' || c == '[' || c == '@');
        if top && runs.is_none() {
            let declaration =
                DECLARES.iter().any(|p| t.starts_with(p)) || t.starts_with("'use ") || t.starts_with("\"use ");
            if !declaration || listen {
                runs = Some(at());
            }
        }
    }
    match (runs, listens) {
        (Some(_), Some(l)) => (Starts::Listens, Some(l)),
        (Some(r), None) => (Starts::Runs, Some(r)),
        (None, _) => (Starts::Nothing, None),
    }
}

/// A package's entry file and how it behaves.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The file, relative to the package folder.
    pub file: String,
    /// The file's text says what it does.
    pub starts: Starts,
    /// The line that shows it, and its text.
    pub at: Option<(u32, String)>,
    /// Where the file name came from.
    pub source: String,
}

/// The package's entry file: `main` or `module` when it exists (or when the build writes it),
/// else the first index or server file.
pub(crate) fn entry(cx: &Cx, dir: &str, manifest: &Value) -> Option<Entry> {
    let builds = manifest
        .get("scripts")
        .and_then(|s| s.get("build"))
        .and_then(Value::as_str)
        .is_some();
    let mut found: Option<(String, String)> = None;
    for field in ["main", "module"] {
        let Some(f) = manifest.get(field).and_then(Value::as_str) else {
            continue;
        };
        let f = f.trim_start_matches("./").to_string();
        let f = if is_script_file(&f) || f.is_empty() {
            f
        } else {
            format!("{f}.js")
        };
        let built_output = ["dist/", "build/", "out/", "lib/", ".output/"]
            .iter()
            .any(|p| f.starts_with(p));
        if cx.is_file(&join(dir, &f)) || (builds && built_output) {
            found = Some((f, format!("the {field} field of package.json")));
            break;
        }
    }
    if found.is_none() {
        // A command-line entry: `"bin": "cli.js"` or `"bin": {"tool": "cli.js"}`.
        let bin = match manifest.get("bin") {
            Some(Value::String(b)) => Some(b.clone()),
            Some(Value::Object(o)) => o.values().find_map(Value::as_str).map(str::to_string),
            _ => None,
        };
        found = bin
            .map(|b| b.trim_start_matches("./").to_string())
            .filter(|b| cx.is_file(&join(dir, b)))
            .map(|b| (b, "the command-line entry (bin) of package.json".to_string()));
    }
    if found.is_none() {
        found = ENTRY_FILES
            .iter()
            .find(|f| cx.is_file(&join(dir, f)))
            .map(|f| ((*f).to_string(), format!("{f} is the entry file")));
    }
    let (file, source) = found?;
    let text = cx.view.read_source(&join(dir, &file), 256 * 1024).unwrap_or_default();
    let (starts, at) = if text.is_empty() {
        // Written by the build: what it does is the source's business; it is the app's entry.
        (Starts::Runs, None)
    } else {
        starts(&text)
    };
    Some(Entry {
        file,
        starts,
        at,
        source,
    })
}

/// Fields that say a package is published for others to import.
pub(crate) fn publish_signals(manifest: &Value) -> Vec<&'static str> {
    ["exports", "files", "types", "typings", "publishConfig"]
        .into_iter()
        .filter(|k| manifest.get(*k).is_some())
        .collect()
}

/// How Node.js runs `file`: TypeScript through type stripping (Node.js 22.18 and newer) or,
/// when the package compiles it with tsc, the compiled file.
pub(crate) fn node_command(cx: &mut Cx, dir: &str, manifest: &Value, file: &str, d: &mut Detected) -> String {
    let ts = [".ts", ".mts", ".cts"].iter().any(|e| file.ends_with(e));
    if !ts {
        return format!("node {file}");
    }
    let build = manifest
        .get("scripts")
        .and_then(|s| s.get("build"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if commands::steps(build)
        .iter()
        .any(|s| commands::program_words(s).first() == Some(&"tsc"))
    {
        if let Some(out) = compiled_path(cx, dir, file) {
            let tsconfig = join(dir, "tsconfig.json");
            d.svc.cite(
                &tsconfig,
                cx.text(&tsconfig).and_then(|t| line_of(&t, "outDir")),
                format!("tsc compiles {file} to {out}"),
            );
            return format!("node {out}");
        }
    }
    let version = d.svc.runtime_version.clone().unwrap_or_default();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next());
    let strips = major >= 23 || (major == 22 && minor.is_none_or(|m| m >= 18));
    if strips {
        d.svc.cite(
            join(dir, file),
            None,
            format!("{file} is TypeScript: Node.js {version} runs it directly by stripping the types"),
        );
    } else {
        cx.warn(
            &join(dir, file),
            format!("{file} is TypeScript, which Node.js runs directly only from 22.18 on, and this project asks for Node.js {version}: compile it in a build step and set start_command in slipway.toml, or raise the Node.js version"),
        );
    }
    format!("node {file}")
}

/// Where `tsc` writes `file`, from tsconfig.json's `outDir` and `rootDir`.
fn compiled_path(cx: &mut Cx, dir: &str, file: &str) -> Option<String> {
    let text = cx.text(&join(dir, "tsconfig.json"))?;
    let field = |name: &str| {
        regex_lite::Regex::new(&format!(r#""{name}"\s*:\s*"([^"]+)""#))
            .ok()?
            .captures(&text)
            .map(|c| c[1].trim_start_matches("./").trim_end_matches('/').to_string())
    };
    let out_dir = field("outDir")?;
    let root_dir = field("rootDir").or_else(|| {
        // tsc's root is the common folder of the inputs: `src` when everything it compiles is there.
        let include_src = regex_lite::Regex::new(r#""include"\s*:\s*\[\s*"(?:\./)?src(?:/\*\*(?:/\*)?)?""#)
            .ok()?
            .is_match(&text);
        (include_src && file.starts_with("src/")).then(|| "src".to_string())
    });
    let rel = match &root_dir {
        Some(r) if r != "." => file.strip_prefix(&format!("{r}/"))?,
        _ => file,
    };
    let stem = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
    let ext = if file.ends_with(".mts") {
        "mjs"
    } else if file.ends_with(".cts") {
        "cjs"
    } else {
        "js"
    };
    Some(format!("{out_dir}/{stem}.{ext}"))
}

#[cfg(test)]
mod tests {
    use super::{starts, Starts};

    #[test]
    fn entry_files_are_read_for_what_they_start() {
        let server = "const http = require('node:http');\nhttp.createServer(handler).listen(8080);\n";
        assert_eq!(starts(server).0, Starts::Listens);
        let bot =
            "import { Client } from 'discord.js';\nconst client = new Client({});\nclient.login(process.env.TOKEN);\n";
        assert_eq!(starts(bot).0, Starts::Runs);
        let bun = "export default {\n  port: 3000,\n  fetch(req) {\n    return new Response('ok');\n  },\n};\n";
        assert_eq!(starts(bun).0, Starts::Listens);
        let declared = "const app = express();\nexport const server = app.listen(3000);\n";
        assert_eq!(starts(declared).0, Starts::Listens);
        let factory = "export function serve(port) {\n  return http.createServer(h).listen(port);\n}\n";
        assert_eq!(
            starts(factory).0,
            Starts::Nothing,
            "a server factory starts nothing when loaded"
        );
        let job = "import { sync } from './sync.js';\n\nawait sync();\n";
        assert_eq!(starts(job).0, Starts::Runs);
        let lib = "'use strict';\nconst path = require('path');\nfunction slug(s) {\n  return s.toLowerCase();\n}\nmodule.exports = { slug };\n";
        assert_eq!(starts(lib).0, Starts::Nothing);
        let esm = "export function add(a, b) {\n  return a + b;\n}\nexport default add;\n";
        assert_eq!(starts(esm).0, Starts::Nothing);
    }
}
