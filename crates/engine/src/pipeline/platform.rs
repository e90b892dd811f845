//! Platform configuration files, each from the deployment spec: `railway.json`, `fly.toml`,
//! `render.yaml`. The same port, health path, migration command and variables the pipeline
//! and the Dockerfile use.

use crate::generate::Artifact;
use crate::params::{Strategy, Target};
use crate::spec::{DeploySpec, ServiceSpec};
use crate::write::yaml::{self, Yaml};

use super::slug;

/// `name` in the service's folder.
pub fn file_in(svc: &ServiceSpec, name: &str) -> String {
    if svc.path == "." {
        name.to_string()
    } else {
        format!("{}/{name}", svc.path)
    }
}

/// Where a deployed service's variables are set on `target`.
pub fn variables_place(target: Target, svc: &ServiceSpec) -> String {
    match target {
        Target::Railway => format!("Railway, service {}, Variables", slug(&svc.name)),
        Target::Fly => format!("Fly.io secrets of app {} (fly secrets set)", slug(&svc.name)),
        Target::Render => format!("Render, service {}, Environment", slug(&svc.name)),
        Target::Heroku => "Heroku app settings, Config Vars".into(),
        Target::Vercel => "Vercel project settings, Environment Variables".into(),
        Target::Netlify => "Netlify site settings, Environment variables".into(),
        other => format!("{} configuration", other.label()),
    }
}

fn railway(svc: &ServiceSpec) -> Artifact {
    let mut deploy = serde_json::Map::new();
    if let Some(h) = &svc.health_path {
        deploy.insert("healthcheckPath".into(), h.clone().into());
        deploy.insert("healthcheckTimeout".into(), 120.into());
    }
    if let Some(m) = &svc.migrate {
        deploy.insert("preDeployCommand".into(), serde_json::json!([m]));
    }
    deploy.insert("restartPolicyType".into(), "ON_FAILURE".into());
    deploy.insert("restartPolicyMaxRetries".into(), 5.into());
    // The old deployment keeps serving until the new one is healthy, then drains.
    deploy.insert("overlapSeconds".into(), 30.into());
    deploy.insert("drainingSeconds".into(), 30.into());
    let value = serde_json::json!({
        "$schema": "https://railway.com/railway.schema.json",
        "build": {
            "builder": "DOCKERFILE",
            "dockerfilePath": svc.dockerfile,
        },
        "deploy": deploy,
    });
    let mut content = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    content.push('\n');
    Artifact {
        path: file_in(svc, "railway.json"),
        content,
        purpose: format!(
            "tells Railway to build {} with its Dockerfile, wait for {} before switching traffic, and restart it on failure",
            svc.name,
            svc.health_path.as_deref().unwrap_or("the new deployment")
        ),
        step: "platform".into(),
    }
}

fn fly(svc: &ServiceSpec, spec: &DeploySpec) -> Artifact {
    use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};
    let mut doc = DocumentMut::new();
    doc.decor_mut().set_prefix(format!(
        "# Written by Slipway for {}: deploy with `flyctl deploy`, or from the pipeline by image digest.\n\n",
        svc.name
    ));
    doc["app"] = value(slug(&svc.name));
    doc["primary_region"] = value("iad");
    doc["primary_region"]
        .as_value_mut()
        .expect("a value")
        .decor_mut()
        .set_suffix(" # the region nearest your users; `fly platform regions` lists them");
    let mut build = Table::new();
    build["dockerfile"] = value("Dockerfile");
    doc["build"] = Item::Table(build);
    let mut deploy = Table::new();
    deploy["strategy"] = value(match spec.strategy {
        Strategy::Rolling => "rolling",
        Strategy::Canary => "canary",
        Strategy::BlueGreen => "bluegreen",
    });
    deploy["wait_timeout"] = value("5m");
    if let Some(m) = &svc.migrate {
        deploy["release_command"] = value(m.as_str());
    }
    doc["deploy"] = Item::Table(deploy);
    if let Some(port) = svc.port {
        let mut env = Table::new();
        env["PORT"] = value(port.to_string());
        doc["env"] = Item::Table(env);
    }
    if svc.kind != "worker" {
        let mut http = Table::new();
        http["internal_port"] = value(i64::from(svc.port.unwrap_or(8080)));
        http["force_https"] = value(true);
        http["auto_stop_machines"] = value("off");
        http["auto_start_machines"] = value(true);
        http["min_machines_running"] = value(i64::from(spec.scaling.min_replicas));
        if let Some(path) = &svc.health_path {
            let mut check = Table::new();
            check["grace_period"] = value("10s");
            check["interval"] = value("15s");
            check["method"] = value("GET");
            check["path"] = value(path.as_str());
            check["timeout"] = value("5s");
            let mut checks = ArrayOfTables::new();
            checks.push(check);
            http["checks"] = Item::ArrayOfTables(checks);
        }
        doc["http_service"] = Item::Table(http);
    }
    Artifact {
        path: file_in(svc, "fly.toml"),
        content: doc.to_string(),
        purpose: format!(
            "configures the Fly.io app {}: its port, the {} strategy and a health check{}",
            slug(&svc.name),
            spec.strategy.id(),
            if svc.migrate.is_some() {
                ", and migrations before each release"
            } else {
                ""
            }
        ),
        step: "platform".into(),
    }
}

fn render(spec: &DeploySpec) -> Artifact {
    let mut services = Vec::new();
    let mut databases = Vec::new();
    for svc in &spec.services {
        if !super::fits(Target::Render, svc) {
            continue;
        }
        let name = slug(&svc.name);
        let kind = if svc.kind == "worker" { "worker" } else { "web" };
        let mut s = Yaml::map()
            .with("type", kind)
            .with("name", name.as_str())
            .with("runtime", "docker")
            .with("dockerfilePath", format!("./{}", svc.dockerfile))
            .with(
                "dockerContext",
                if svc.context == "." {
                    ".".to_string()
                } else {
                    format!("./{}", svc.context)
                },
            )
            .with_note(
                "autoDeployTrigger",
                "off",
                "The pipeline deploys after the tests pass, through the deploy hook.",
            );
        if kind == "web" {
            s = s.with_opt("healthCheckPath", svc.health_path.as_deref());
        }
        s = s.with_opt("preDeployCommand", svc.migrate.as_deref());
        let mut env = Vec::new();
        for e in &svc.env {
            let entry = match e.backing.as_deref() {
                Some("postgres") => {
                    let db = format!("{name}-db");
                    if !databases
                        .iter()
                        .any(|d: &Yaml| d.get("name") == Some(&Yaml::str(db.as_str())))
                    {
                        databases.push(Yaml::map().with("name", db.as_str()));
                    }
                    Yaml::map().with("key", e.name.as_str()).with(
                        "fromDatabase",
                        Yaml::map()
                            .with("name", db.as_str())
                            .with("property", "connectionString"),
                    )
                }
                Some("redis") => {
                    let kv = format!("{name}-cache");
                    if !services
                        .iter()
                        .any(|d: &Yaml| d.get("name") == Some(&Yaml::str(kv.as_str())))
                    {
                        services.push(
                            Yaml::map()
                                .with("type", "keyvalue")
                                .with("name", kv.as_str())
                                .with("ipAllowList", Yaml::Seq(vec![])),
                        );
                    }
                    Yaml::map().with("key", e.name.as_str()).with(
                        "fromService",
                        Yaml::map()
                            .with("type", "keyvalue")
                            .with("name", kv.as_str())
                            .with("property", "connectionString"),
                    )
                }
                // Filled in on Render's dashboard; the blueprint holds no value.
                _ => Yaml::map().with("key", e.name.as_str()).with("sync", false),
            };
            env.push(entry);
        }
        if !env.is_empty() {
            s = s.with("envVars", Yaml::Seq(env));
        }
        services.insert(0, s);
    }
    let mut doc = Yaml::map().with("services", Yaml::Seq(services));
    if !databases.is_empty() {
        doc = doc.with("databases", Yaml::Seq(databases));
    }
    Artifact {
        path: "render.yaml".into(),
        content: yaml::to_string(
            &doc,
            "Written by Slipway: a Render Blueprint. Apply it once in the Render dashboard (New, Blueprint);\nsecrets marked sync: false are entered there, never here.",
        ),
        purpose: "describes the Render services and the databases they need, with secrets left to the dashboard".into(),
        step: "platform".into(),
    }
}

fn heroku(svc: &ServiceSpec) -> Artifact {
    let mut doc = Yaml::map().with(
        "build",
        Yaml::map().with("docker", Yaml::map().with("web", svc.dockerfile.as_str())),
    );
    if let Some(m) = &svc.migrate {
        doc = doc.with(
            "release",
            Yaml::map()
                .with("image", "web")
                .with("command", Yaml::strs([m.as_str()])),
        );
    }
    Artifact {
        path: "heroku.yml".into(),
        content: yaml::to_string(
            &doc,
            "Written by Slipway: Heroku's container stack builds this Dockerfile (heroku stack:set container).",
        ),
        purpose: format!(
            "builds {} on Heroku's container stack{}",
            svc.name,
            if svc.migrate.is_some() {
                ", with migrations in the release phase"
            } else {
                ""
            }
        ),
        step: "platform".into(),
    }
}

/// Frameworks whose static output is one page that routes in the browser.
pub(crate) fn single_page(svc: &ServiceSpec) -> bool {
    matches!(
        svc.framework.as_deref(),
        Some("vite" | "create-react-app" | "vue-cli" | "angular" | "react-router" | "expo")
    )
}

fn netlify(svc: &ServiceSpec) -> Artifact {
    use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};
    let mut doc = DocumentMut::new();
    doc.decor_mut().set_prefix(
        "# Written by Slipway: the pipeline builds the site and deploys the folder below.

",
    );
    let mut build = Table::new();
    if svc.path != "." {
        build["base"] = value(svc.path.as_str());
    }
    if let Some(b) = &svc.build {
        build["command"] = value(b.as_str());
    }
    build["publish"] = value(svc.output.clone().unwrap_or_else(|| "dist".into()));
    doc["build"] = Item::Table(build);
    let mut redirects = ArrayOfTables::new();
    if single_page(svc) {
        let mut r = Table::new();
        r["from"] = value("/*");
        r["to"] = value("/index.html");
        r["status"] = value(200);
        redirects.push(r);
        doc["redirects"] = Item::ArrayOfTables(redirects);
    }
    let mut headers = ArrayOfTables::new();
    let mut h = Table::new();
    h["for"] = value("/assets/*");
    let mut values = Table::new();
    values["Cache-Control"] = value("public, max-age=31536000, immutable");
    h["values"] = Item::Table(values);
    headers.push(h);
    doc["headers"] = Item::ArrayOfTables(headers);
    Artifact {
        path: file_in(svc, "netlify.toml"),
        content: doc.to_string(),
        purpose: format!(
            "tells Netlify where {}'s built files are{}",
            svc.name,
            if single_page(svc) {
                ", with the single-page fallback to index.html"
            } else {
                ""
            }
        ),
        step: "platform".into(),
    }
}

fn vercel(svc: &ServiceSpec) -> Artifact {
    let mut value = serde_json::json!({ "$schema": "https://openapi.vercel.sh/vercel.json" });
    if svc.framework.as_deref() == Some("nextjs") {
        value["framework"] = "nextjs".into();
    } else {
        if let Some(b) = &svc.build {
            value["buildCommand"] = b.clone().into();
        }
        if let Some(o) = &svc.output {
            value["outputDirectory"] = o.clone().into();
        }
        if single_page(svc) {
            value["rewrites"] = serde_json::json!([{ "source": "/(.*)", "destination": "/index.html" }]);
        }
    }
    let mut content = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    content.push('\n');
    Artifact {
        path: file_in(svc, "vercel.json"),
        content,
        purpose: format!("tells Vercel how {} builds and where its output is", svc.name),
        step: "platform".into(),
    }
}

/// The platform files for every target in `spec`.
pub fn files(spec: &DeploySpec) -> Vec<Artifact> {
    let mut out = Vec::new();
    for target in &spec.targets {
        match target {
            Target::Railway => out.extend(
                spec.services
                    .iter()
                    .filter(|s| super::fits(Target::Railway, s))
                    .map(railway),
            ),
            Target::Fly => out.extend(
                spec.services
                    .iter()
                    .filter(|s| super::fits(Target::Fly, s))
                    .map(|s| fly(s, spec)),
            ),
            Target::Render => out.push(render(spec)),
            Target::Heroku => out.extend(
                spec.services
                    .iter()
                    .find(|s| super::fits(Target::Heroku, s))
                    .map(heroku),
            ),
            Target::Netlify => out.extend(
                spec.services
                    .iter()
                    .filter(|s| super::fits(Target::Netlify, s))
                    .map(netlify),
            ),
            Target::Vercel => out.extend(
                spec.services
                    .iter()
                    .filter(|s| super::fits(Target::Vercel, s))
                    .map(vercel),
            ),
            _ => {}
        }
    }
    out
}

/// A person's own platform file with what Slipway's would add and theirs lacks, and what was
/// added; `None` when nothing is missing or the file does not parse (the person's values always
/// win: nothing of theirs is changed). TOML files keep their layout and comments, and each
/// addition is marked `# Slipway:`; JSON has no comments, so the reasons say what was added.
pub fn extend(path: &str, existing: &str, generated: &str) -> Option<(String, Vec<String>)> {
    let mut reasons = Vec::new();
    if path.ends_with(".toml") {
        let mut theirs: toml_edit::DocumentMut = existing.parse().ok()?;
        let ours: toml_edit::DocumentMut = generated.parse().ok()?;
        merge_toml(theirs.as_table_mut(), ours.as_table(), "", &mut reasons);
        if reasons.is_empty() {
            return None;
        }
        return Some((theirs.to_string(), reasons));
    }
    if path.ends_with(".json") {
        let mut theirs: serde_json::Value = serde_json::from_str(existing).ok()?;
        let ours: serde_json::Value = serde_json::from_str(generated).ok()?;
        merge_json(&mut theirs, &ours, "", &mut reasons);
        if reasons.is_empty() {
            return None;
        }
        let mut text = serde_json::to_string_pretty(&theirs).ok()?;
        text.push('\n');
        return Some((text, reasons));
    }
    None
}

fn merge_toml(theirs: &mut toml_edit::Table, ours: &toml_edit::Table, at: &str, reasons: &mut Vec<String>) {
    for (key, item) in ours.iter() {
        let path = if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        };
        match theirs.get_mut(key) {
            None => {
                let mut item = item.clone();
                let note = format!("\n# Slipway: added [{path}] for the deploy\n");
                match &mut item {
                    toml_edit::Item::Table(t) => {
                        t.decor_mut().set_prefix(note);
                    }
                    toml_edit::Item::ArrayOfTables(a) => {
                        if let Some(first) = a.iter_mut().next() {
                            first.decor_mut().set_prefix(note);
                        }
                    }
                    _ => {}
                }
                let value_note = matches!(item, toml_edit::Item::Value(_));
                theirs.insert(key, item);
                if value_note {
                    if let Some(mut k) = theirs.key_mut(key) {
                        k.leaf_decor_mut()
                            .set_prefix(format!("# Slipway: added {key} for the deploy\n"));
                    }
                }
                reasons.push(format!("added {path}"));
            }
            Some(existing) => {
                if let (Some(t), Some(o)) = (existing.as_table_mut(), item.as_table()) {
                    merge_toml(t, o, &path, reasons);
                }
            }
        }
    }
}

fn merge_json(theirs: &mut serde_json::Value, ours: &serde_json::Value, at: &str, reasons: &mut Vec<String>) {
    let (Some(t), Some(o)) = (theirs.as_object_mut(), ours.as_object()) else {
        return;
    };
    for (key, value) in o {
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        match t.get_mut(key) {
            None => {
                t.insert(key.clone(), value.clone());
                reasons.push(format!("added {path}"));
            }
            Some(existing) => merge_json(existing, value, &path, reasons),
        }
    }
}

#[cfg(test)]
mod extend_tests {
    use super::extend;

    #[test]
    fn a_fly_toml_of_theirs_keeps_its_values_and_gains_the_checks() {
        let theirs = "# our app\napp = \"flask-demo\"\n\n[http_service]\n  internal_port = 5000\n";
        let ours = "app = \"demo\"\n\n[deploy]\nstrategy = \"rolling\"\n\n[http_service]\ninternal_port = 8000\nforce_https = true\n\n[[http_service.checks]]\npath = \"/health\"\n";
        let (text, reasons) = extend("fly.toml", theirs, ours).unwrap();
        assert!(text.starts_with("# our app\napp = \"flask-demo\"\n"), "{text}");
        assert!(text.contains("  internal_port = 5000\n"), "their port stays: {text}");
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        assert_eq!(doc["deploy"]["strategy"].as_str(), Some("rolling"));
        assert_eq!(doc["http_service"]["force_https"].as_bool(), Some(true));
        assert_eq!(doc["http_service"]["checks"].as_array_of_tables().unwrap().len(), 1);
        assert!(text.contains("# Slipway: added [deploy] for the deploy"));
        assert_eq!(
            reasons,
            [
                "added deploy",
                "added http_service.force_https",
                "added http_service.checks"
            ]
        );
        // Nothing missing, nothing changed; a file that does not parse is never rewritten.
        assert!(extend("fly.toml", &text, ours).is_none());
        assert!(extend("fly.toml", "app = [", ours).is_none());
    }

    #[test]
    fn a_railway_json_of_theirs_gains_the_health_check_and_keeps_its_builder() {
        let theirs = "{\"build\": {\"builder\": \"RAILPACK\"}}";
        let ours = "{\"build\": {\"builder\": \"DOCKERFILE\", \"dockerfilePath\": \"Dockerfile\"}, \"deploy\": {\"healthcheckPath\": \"/health\"}}";
        let (text, reasons) = extend("railway.json", theirs, ours).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["build"]["builder"], "RAILPACK");
        assert_eq!(v["deploy"]["healthcheckPath"], "/health");
        assert_eq!(reasons, ["added build.dockerfilePath", "added deploy"]);
    }
}
