//! Node.js services, with Next.js specifics.

use serde_json::Value;

use crate::knowledge::{self, NODE_LTS, NODE_LTS_CODENAMES, NPM_BACKING_SERVICES};
use crate::view::{join, line_of};
use crate::{semver, NextjsFacts, ProjectView, ScanWarning, ServiceProfile};

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

/// Detects a Node.js service in folder `dir` (root-relative, `""` for the root).
pub fn detect(view: &ProjectView, dir: &str, warnings: &mut Vec<ScanWarning>) -> Option<ServiceProfile> {
    let manifest_path = join(dir, "package.json");
    let text = view.read_text(&manifest_path, warnings)?;
    let manifest: Value = match serde_json::from_str(&text) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            warnings.push(ScanWarning {
                path: manifest_path,
                message: "not analysed: package.json is not a JSON object".into(),
            });
            return None;
        }
        Err(e) => {
            warnings.push(ScanWarning {
                path: manifest_path,
                message: format!(
                    "not analysed: invalid JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            });
            return None;
        }
    };

    let folder_name = if dir.is_empty() {
        view.root()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("app")
            .to_string()
    } else {
        dir.rsplit('/').next().unwrap_or(dir).to_string()
    };
    let name = manifest
        .get("name")
        .and_then(Value::as_str)
        .map(|n| n.rsplit('/').next().unwrap_or(n).to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or(folder_name);
    let mut svc = ServiceProfile::new(name, if dir.is_empty() { "." } else { dir });
    svc.language = Some("node".into());
    svc.cite(&manifest_path, None, "package.json makes this a Node.js project");

    detect_package_manager(view, dir, &manifest, &text, &mut svc);
    detect_runtime(view, dir, &manifest, &text, &mut svc, warnings);

    let scripts = manifest.get("scripts").and_then(Value::as_object);
    let script = |k: &str| {
        scripts
            .and_then(|s| s.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let dep_version = |k: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .find_map(|section| manifest.get(section)?.get(k)?.as_str().map(str::to_string))
    };

    if let Some(version) = dep_version("next") {
        svc.framework = Some("nextjs".into());
        svc.cite(
            &manifest_path,
            line_of(&text, "\"next\""),
            format!("depends on next {version}: a Next.js app"),
        );
        detect_nextjs(view, dir, &mut svc, warnings);
    }

    let pm = svc.package_manager.clone().unwrap_or_else(|| "npm".into());
    if let Some(build) = script("build") {
        svc.build_command = Some(run_script(&pm, "build"));
        svc.cite(
            &manifest_path,
            line_of(&text, "\"build\""),
            format!("build script: {build}"),
        );
    }
    let start = script("start");
    if let Some(start) = &start {
        svc.cite(
            &manifest_path,
            line_of(&text, "\"start\""),
            format!("start script: {start}"),
        );
    }
    svc.start_command = match (&svc.nextjs, &start) {
        (Some(n), _) if n.standalone => Some("node server.js".into()),
        (_, Some(s)) => Some(s.clone()),
        (Some(_), None) => Some("next start".into()),
        (None, None) => None,
    };

    detect_port(&manifest_path, &text, start.as_deref(), &mut svc);
    detect_backing_services(view, dir, &manifest, &text, &mut svc, warnings);
    Some(svc)
}

fn detect_package_manager(view: &ProjectView, dir: &str, manifest: &Value, text: &str, svc: &mut ServiceProfile) {
    let field = manifest.get("packageManager").and_then(Value::as_str);
    let lockfile = LOCKFILES.iter().find(|(file, _)| view.is_file(&join(dir, file)));
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
        "yarn" if yarn_berry(view, dir, field) => {
            let why = if view.is_file(&join(dir, ".yarnrc.yml")) {
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
}

/// Yarn 2 and newer ("Berry") has its own config file and flags.
fn yarn_berry(view: &ProjectView, dir: &str, field: Option<&str>) -> bool {
    let major = field
        .and_then(|f| f.strip_prefix("yarn@"))
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    view.is_file(&join(dir, ".yarnrc.yml")) || major.is_some_and(|m| m >= 2)
}

/// How the package manager runs a package.json script.
pub fn run_script(pm: &str, script: &str) -> String {
    match pm {
        "yarn" => format!("yarn {script}"),
        other => format!("{other} run {script}"),
    }
}

fn detect_runtime(
    view: &ProjectView,
    dir: &str,
    manifest: &Value,
    text: &str,
    svc: &mut ServiceProfile,
    warnings: &mut Vec<ScanWarning>,
) {
    for file in [".nvmrc", ".node-version"] {
        let path = join(dir, file);
        let Some(content) = view.read_text(&path, warnings) else {
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
        warnings.push(ScanWarning {
            path,
            message: format!("cannot read a Node.js version from {raw:?}"),
        });
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
            None => warnings.push(ScanWarning {
                path: join(dir, "package.json"),
                message: format!("engines.node {range:?} allows no supported Node.js LTS line; using the default"),
            }),
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
    if lower == "lts/*" || lower == "node" || lower == "stable" || lower == "latest" {
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

fn detect_nextjs(view: &ProjectView, dir: &str, svc: &mut ServiceProfile, warnings: &mut Vec<ScanWarning>) {
    let mut facts = NextjsFacts {
        standalone: false,
        config_file: None,
        has_public_dir: view.is_dir(&join(dir, "public")),
    };
    let standalone = regex_lite::Regex::new(r#"output\s*:\s*["'`]standalone["'`]"#).expect("valid regex");
    for file in NEXT_CONFIGS {
        let path = join(dir, file);
        let Some(text) = view.read_text(&path, warnings) else {
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

fn detect_port(manifest_path: &str, text: &str, start: Option<&str>, svc: &mut ServiceProfile) {
    let flag = regex_lite::Regex::new(r"(?:^|\s)(?:-p|--port)(?:\s+|=)(\d{2,5})\b").expect("valid regex");
    let env = regex_lite::Regex::new(r"(?:^|\s)PORT=(\d{2,5})\b").expect("valid regex");
    if let Some(start) = start {
        for re in [&flag, &env] {
            if let Some(port) = re.captures(start).and_then(|c| c[1].parse::<u16>().ok()) {
                svc.port = Some(port);
                svc.cite(
                    manifest_path,
                    line_of(text, "\"start\""),
                    format!("start script listens on port {port}"),
                );
                return;
            }
        }
    }
    if let Some(fw) = &svc.framework {
        if let Some((_, port)) = knowledge::DEFAULT_PORTS.iter().find(|(f, _)| f == fw) {
            svc.port = Some(*port);
            svc.cite(
                manifest_path,
                None,
                format!("no port set: {fw} listens on {port} by default"),
            );
        }
    }
}

fn detect_backing_services(
    view: &ProjectView,
    dir: &str,
    manifest: &Value,
    text: &str,
    svc: &mut ServiceProfile,
    warnings: &mut Vec<ScanWarning>,
) {
    let manifest_path = join(dir, "package.json");
    let mut found: Vec<String> = Vec::new();
    for section in ["dependencies", "devDependencies"] {
        let Some(deps) = manifest.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (package, service) in NPM_BACKING_SERVICES {
            if !deps.contains_key(*package) {
                continue;
            }
            let service = if *service == "prisma" {
                match prisma_provider(view, dir, warnings) {
                    Some((file, line, kind)) => {
                        svc.cite(file, Some(line), format!("Prisma datasource provider is {kind}"));
                        kind
                    }
                    None => continue,
                }
            } else {
                svc.cite(
                    &manifest_path,
                    line_of(text, &format!("\"{package}\"")),
                    format!("depends on {package}: needs {service}"),
                );
                (*service).to_string()
            };
            if !found.contains(&service) {
                found.push(service);
            }
        }
    }
    found.sort();
    svc.backing_services = found;
}

fn prisma_provider(view: &ProjectView, dir: &str, warnings: &mut Vec<ScanWarning>) -> Option<(String, u32, String)> {
    let path = join(dir, "prisma/schema.prisma");
    let text = view.read_text(&path, warnings)?;
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
                    "postgresql" | "postgres" => "postgres",
                    "mysql" => "mysql",
                    "mongodb" => "mongodb",
                    "sqlite" => "sqlite",
                    other => other,
                };
                return Some((path, i as u32 + 1, kind.to_string()));
            }
        }
    }
    None
}
