//! compose.yaml for the app and its backing services.

use std::fmt::Write as _;

use slipway_scan::ProjectProfile;

use super::dockerfile::image_name;
use super::Artifact;
use crate::knowledge::{service_image, ServiceImage};

/// An environment variable: name and value as compose reads it.
type EnvVar = (&'static str, &'static str);

/// Environment for a backing service's own container, and what the app gets to reach it.
fn service_env(id: &str) -> (Vec<EnvVar>, Option<EnvVar>) {
    match id {
        "postgres" => (
            vec![
                ("POSTGRES_USER", "${POSTGRES_USER:-app}"),
                (
                    "POSTGRES_PASSWORD",
                    "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}",
                ),
                ("POSTGRES_DB", "${POSTGRES_DB:-app}"),
            ],
            Some((
                "DATABASE_URL",
                "postgresql://${POSTGRES_USER:-app}:${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB:-app}",
            )),
        ),
        "mysql" => (
            vec![
                ("MYSQL_DATABASE", "${MYSQL_DATABASE:-app}"),
                ("MYSQL_USER", "${MYSQL_USER:-app}"),
                ("MYSQL_PASSWORD", "${MYSQL_PASSWORD:?set MYSQL_PASSWORD in .env}"),
                (
                    "MYSQL_ROOT_PASSWORD",
                    "${MYSQL_ROOT_PASSWORD:?set MYSQL_ROOT_PASSWORD in .env}",
                ),
            ],
            Some((
                "DATABASE_URL",
                "mysql://${MYSQL_USER:-app}:${MYSQL_PASSWORD}@mysql:3306/${MYSQL_DATABASE:-app}",
            )),
        ),
        "mongodb" => (vec![], Some(("MONGODB_URI", "mongodb://mongodb:27017/app"))),
        "redis" => (vec![], Some(("REDIS_URL", "redis://redis:6379"))),
        _ => (vec![], None),
    }
}

fn quote(s: &str) -> String {
    format!("{s:?}")
}

/// One compose file for every service, plus `.env.example` naming the variables it needs.
pub fn compose_file(profile: &ProjectProfile) -> Vec<Artifact> {
    let mut backing: Vec<&'static ServiceImage> = Vec::new();
    for svc in &profile.services {
        for id in &svc.backing_services {
            if let Some(img) = service_image(id) {
                if !backing.iter().any(|b| b.id == img.id) {
                    backing.push(img);
                }
            }
        }
    }
    backing.sort_by_key(|b| b.id);

    let mut f = String::new();
    f.push_str("# The app and the services it needs, written by Slipway.\n");
    f.push_str("# Start: docker compose up --build\n");
    f.push_str("services:\n");
    let mut env_names: Vec<&str> = Vec::new();
    let mut app_volumes: Vec<String> = Vec::new();
    for svc in &profile.services {
        let port = svc.port.unwrap_or(3000);
        let _ = writeln!(f, "  {}:", image_name(&svc.name));
        f.push_str("    build:\n");
        match svc.workspace.as_ref().filter(|w| w.tool != "go") {
            // A workspace member builds from the workspace root with its own Dockerfile.
            Some(ws) => {
                let _ = writeln!(f, "      context: {}", ws.root);
                let _ = writeln!(f, "      dockerfile: {}/Dockerfile", svc.path);
            }
            None => {
                let _ = writeln!(f, "      context: {}", if svc.path == "." { "." } else { &svc.path });
            }
        }
        let _ = writeln!(f, "    image: {}:local", image_name(&svc.name));
        let listens = svc.kind != "worker";
        if listens {
            f.push_str("    ports:\n");
            let _ = writeln!(f, "      - {}", quote(&format!("{port}:{port}")));
        }
        let mut env: Vec<(String, String)> = Vec::new();
        if svc.language.as_deref() == Some("node") && svc.kind != "static" {
            env.push(("NODE_ENV".into(), "production".into()));
        }
        if listens && svc.kind != "static" {
            env.push(("PORT".into(), quote(&port.to_string())));
        }
        for id in &svc.backing_services {
            if let (_, Some((name, value))) = service_env(id) {
                env.push((name.to_string(), quote(value)));
            }
        }
        if !env.is_empty() {
            f.push_str("    environment:\n");
            for (name, value) in env {
                let _ = writeln!(f, "      {name}: {value}");
            }
        }
        let deps: Vec<&str> = backing
            .iter()
            .filter(|b| svc.backing_services.iter().any(|s| s == b.id))
            .map(|b| b.id)
            .collect();
        // What the app keeps on disk lives in a named volume, so it outlives the container.
        let data = svc.data_path.as_deref().filter(|_| svc.kind != "static");
        if let Some(folder) = data {
            f.push_str("    volumes:\n");
            let _ = writeln!(f, "      - {}-data:{folder}", image_name(&svc.name));
            app_volumes.push(format!("{}-data", image_name(&svc.name)));
        }
        if !deps.is_empty() {
            f.push_str("    depends_on:\n");
            for d in deps {
                let _ = writeln!(f, "      {d}:\n        condition: service_healthy");
            }
        }
        f.push_str("    restart: unless-stopped\n");
    }
    for b in &backing {
        let _ = writeln!(f, "  {}:", b.id);
        let _ = writeln!(f, "    image: {}", b.image);
        let (env, _) = service_env(b.id);
        if !env.is_empty() {
            f.push_str("    environment:\n");
            for (name, value) in &env {
                let _ = writeln!(f, "      {name}: {}", quote(value));
                env_names.push(name);
            }
        }
        f.push_str("    volumes:\n");
        let _ = writeln!(f, "      - {}-data:{}", b.id, b.data_path);
        f.push_str("    healthcheck:\n");
        let test: Vec<String> = b.healthcheck.iter().map(|a| quote(a)).collect();
        let _ = writeln!(f, "      test: [{}]", test.join(", "));
        f.push_str("      interval: 10s\n      timeout: 5s\n      retries: 5\n      start_period: 10s\n");
        f.push_str("    restart: unless-stopped\n");
    }
    if !backing.is_empty() || !app_volumes.is_empty() {
        f.push_str("volumes:\n");
        for v in &app_volumes {
            let _ = writeln!(f, "  {v}:");
        }
        for b in &backing {
            let _ = writeln!(f, "  {}-data:", b.id);
        }
    }
    let mut out = vec![Artifact {
        path: "compose.yaml".into(),
        content: f,
        purpose: "runs the app and its backing services together with one command".into(),
        step: "compose".into(),
    }];
    if !env_names.is_empty() {
        let mut example =
            String::from("# Variables compose.yaml reads. Copy to .env and fill in; never commit .env.\n");
        for name in env_names {
            let _ = writeln!(example, "{name}=");
        }
        out.push(Artifact {
            path: ".env.example".into(),
            content: example,
            purpose: "names the variables compose.yaml needs, without values".into(),
            step: "compose".into(),
        });
    }
    out
}

/// How a service runs in development with its source mounted: the image stage that has the
/// development dependencies, the command that reloads on change, and where the source goes.
fn dev_run(svc: &slipway_scan::ServiceProfile) -> Option<(&'static str, String, &'static str)> {
    if svc.workspace.as_ref().is_some_and(|w| w.tool != "go") || svc.kind != "web" {
        return None;
    }
    let port = svc.port?;
    let start = svc.start_command.as_deref().unwrap_or("");
    let module = || {
        start
            .split_whitespace()
            .find(|w| w.contains(':') && !w.contains('$') && !w.contains('/'))
            .map(|w| w.trim_matches('\'').to_string())
    };
    let built = svc.build_command.is_some() || svc.nextjs.is_some();
    let bin = |cmd: &str| format!("node_modules/.bin/{cmd}");
    let (stage, cmd) = match (svc.language.as_deref(), svc.framework.as_deref()) {
        (Some("node"), Some("nextjs")) => ("deps", format!("{} dev -H 0.0.0.0 -p {port}", bin("next"))),
        (Some("node"), Some("nuxt")) => ("deps", format!("{} dev --host 0.0.0.0 --port {port}", bin("nuxt"))),
        (Some("node"), Some("remix")) => (
            "deps",
            format!("{} vite:dev --host 0.0.0.0 --port {port}", bin("remix")),
        ),
        (Some("node"), Some("react-router")) => (
            "deps",
            format!("{} dev --host 0.0.0.0 --port {port}", bin("react-router")),
        ),
        (Some("node"), Some("astro")) => ("deps", format!("{} dev --host 0.0.0.0 --port {port}", bin("astro"))),
        (Some("node"), Some("sveltekit")) => ("deps", format!("{} dev --host 0.0.0.0 --port {port}", bin("vite"))),
        (Some("node"), Some("nestjs")) if built => ("deps", format!("{} start --watch", bin("nest"))),
        // Plain JavaScript servers: node restarts itself on change.
        (Some("node"), _) if !built && start.starts_with("node ") => {
            ("prod-deps", start.replacen("node ", "node --watch ", 1))
        }
        (Some("python"), Some("fastapi" | "starlette")) => (
            "build",
            format!("uvicorn {} --host 0.0.0.0 --port {port} --reload", module()?),
        ),
        (Some("python"), Some("django")) => ("build", format!("python manage.py runserver 0.0.0.0:{port}")),
        (Some("python"), Some("flask")) => (
            "build",
            format!("flask --app {} run --debug --host 0.0.0.0 --port {port}", module()?),
        ),
        _ => return None,
    };
    let mount = "/app";
    Some((stage, cmd, mount))
}

/// `compose.dev.yaml`: the same services with their source mounted and a reloading command,
/// for the frameworks that reload. Used on top of compose.yaml, never instead of it.
pub fn compose_dev(profile: &ProjectProfile) -> Option<Artifact> {
    let mut f = String::new();
    f.push_str("# Development on top of compose.yaml, written by Slipway: the source is mounted and the\n");
    f.push_str("# app reloads when it changes. Start: docker compose -f compose.yaml -f compose.dev.yaml up --build\n");
    f.push_str("services:\n");
    let mut any = false;
    for svc in &profile.services {
        let Some((stage, cmd, mount)) = dev_run(svc) else {
            continue;
        };
        any = true;
        let context = if svc.path == "." { "." } else { svc.path.as_str() };
        let _ = writeln!(f, "  {}:", image_name(&svc.name));
        f.push_str("    build:\n");
        let _ = writeln!(f, "      target: {stage}");
        let args: Vec<String> = cmd.split_whitespace().map(quote).collect();
        let _ = writeln!(f, "    command: [{}]", args.join(", "));
        f.push_str("    environment:\n");
        if svc.language.as_deref() == Some("node") {
            f.push_str("      NODE_ENV: development\n");
        } else {
            f.push_str("      PYTHONDONTWRITEBYTECODE: \"1\"\n");
        }
        f.push_str("    volumes:\n");
        let source = if context == "." {
            ".".to_string()
        } else {
            format!("./{context}")
        };
        let _ = writeln!(f, "      - {}", quote(&format!("{source}:{mount}")));
        if svc.language.as_deref() == Some("node") {
            // The image's node_modules, not the host's, which may be built for another OS.
            let _ = writeln!(f, "      - {mount}/node_modules");
        }
        f.push_str("    restart: \"no\"\n");
    }
    any.then(|| Artifact {
        path: "compose.dev.yaml".into(),
        content: f,
        purpose: "runs the app in development with its source mounted and reloading".into(),
        step: "compose".into(),
    })
}
