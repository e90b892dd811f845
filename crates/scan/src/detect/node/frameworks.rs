//! Node.js frameworks whose production output is read from their own configuration: TanStack
//! Start (a server), Expo (a static web export, or nothing to deploy), Vue CLI (static files).

use serde_json::Value;

use super::super::{Cx, Detected};
use super::{config_line, run_script};
use crate::view::{join, line_of};

/// TanStack Start builds a server: with Nitro (or the older Vinxi) a self-contained one in
/// `.output`, else a fetch handler in `dist/server` that srvx serves beside the client files.
pub(super) fn tanstack_start(cx: &mut Cx, dir: &str, d: &mut Detected, start: Option<String>) {
    let manifest = join(dir, "package.json");
    if let Some(start) = start {
        d.svc.start_command = Some(start);
        d.svc.artifact = Some(".output".into());
        return;
    }
    let nitro = ["nitro", "@tanstack/nitro-v2-vite-plugin", "vinxi"]
        .iter()
        .find_map(|n| d.dep(n).cloned());
    if let Some(dep) = nitro {
        d.svc.cite(
            &dep.file,
            dep.line,
            format!("{}: TanStack Start builds a Node.js server into .output", dep.name),
        );
        d.svc.start_command = Some("node .output/server/index.mjs".into());
        d.svc.artifact = Some(".output".into());
        return;
    }
    match d.dep("srvx").cloned() {
        Some(dep) => d.svc.cite(
            &dep.file,
            dep.line,
            "TanStack Start builds a fetch handler into dist/server; srvx serves it with the client files",
        ),
        None => cx.warn(
            &manifest,
            "TanStack Start builds a fetch handler (dist/server/server.js) that needs a server to run it: add srvx to the dependencies or the Nitro Vite plugin, or set start_command in slipway.toml",
        ),
    }
    d.svc.start_command = Some("srvx --prod -s ../client dist/server/server.js".into());
    d.svc.artifact = Some("dist".into());
}

/// An Expo app is deployable when it exports for the web (react-native-web, and `web.output`
/// set to `static` or `single` in app.json, or a script that runs `expo export`): static files
/// in `dist`. Returns false for an app that only targets phones.
pub(super) fn expo(cx: &mut Cx, dir: &str, d: &mut Detected, manifest: &Value, text: &str) -> bool {
    let manifest_path = join(dir, "package.json");
    let export_script = manifest.get("scripts").and_then(Value::as_object).and_then(|s| {
        s.iter()
            .find(|(_, v)| v.as_str().is_some_and(|v| v.contains("expo export")))
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
    });
    let app_json = join(dir, "app.json");
    let output = cx.json(&app_json).and_then(|(t, j)| {
        let o = j
            .get("expo")
            .and_then(|e| e.get("web"))
            .and_then(|w| w.get("output"))
            .and_then(Value::as_str)?
            .to_string();
        Some((o.clone(), line_of(&t, "\"output\"")))
    });
    let web = d.dep("react-native-web").cloned();
    let static_output = output.as_ref().filter(|(o, _)| o == "static" || o == "single");
    match (&web, static_output, &export_script) {
        (Some(dep), Some((o, line)), _) => {
            d.svc
                .cite(&dep.file, dep.line, "react-native-web renders the app in browsers");
            d.svc.cite(
                &app_json,
                *line,
                format!("expo.web.output is {o:?}: expo export writes static web files into dist"),
            );
        }
        (_, _, Some((name, script))) => d.svc.cite(
            &manifest_path,
            line_of(text, &format!("\"{name}\"")),
            format!("the {name} script exports the web app: {script}"),
        ),
        _ => return false,
    }
    let pm = d.svc.package_manager.clone().unwrap_or_else(|| "npm".into());
    let mut out = "dist".to_string();
    match &export_script {
        Some((name, script)) => {
            d.svc.build_command = Some(run_script(&pm, name));
            let dir_flag = regex_lite::Regex::new(r"(?:--output-dir|-o)[ =](\S+)").expect("valid regex");
            if let Some(c) = dir_flag.captures(script) {
                out = c[1].trim_start_matches("./").trim_end_matches('/').to_string();
            }
        }
        None => d.svc.build_command = Some("npx expo export --platform web".into()),
    }
    d.svc.kind = "static".into();
    d.svc.artifact = Some(out);
    true
}

/// Vue CLI builds static files into `dist`, or the `outputDir` of vue.config.js.
pub(super) fn vue_cli(cx: &mut Cx, dir: &str, d: &mut Detected) {
    d.svc.kind = "static".into();
    let config = join(dir, "vue.config.js");
    let re = regex_lite::Regex::new(r#"outputDir\s*:\s*["'`]([^"'`]+)["'`]"#).expect("valid regex");
    let set = cx
        .text(&config)
        .and_then(|t| config_line(&t, &re).map(|(line, c)| (line, c[1].trim_start_matches("./").to_string())));
    match set {
        Some((line, out)) => {
            d.svc
                .cite(&config, Some(line), format!("vue.config.js builds into {out}"));
            d.svc.artifact = Some(out);
        }
        None => {
            d.svc
                .cite(join(dir, "package.json"), None, "Vue CLI builds static files into dist");
            d.svc.artifact = Some("dist".into());
        }
    }
}
