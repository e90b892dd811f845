//! `slipway.toml`: the user's corrections to the analysis, kept at the project root.
//!
//! ```toml
//! # What you set here wins over what Slipway detects.
//! [services."apps/api"]
//! port = 8080
//! start_command = "node dist/server.js"
//!
//! [services."tools/seed"]
//! ignore = true
//! ```
//!
//! Every scan reads it; a field set here replaces the detected value, with the line cited as
//! evidence and the field listed in [`ServiceProfile::corrected`]. Editing goes through
//! [`set_correction`], which keeps the user's comments and formatting (toml_edit) and writes
//! atomically.

use std::path::Path;

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::view::line_of;
use crate::{DeploySettings, ProjectView, ScanWarning, ServiceProfile, Skipped};

/// The file name, at the project root.
pub const FILE: &str = "slipway.toml";

/// Fields a correction may set, and what kind of value each takes.
pub const FIELDS: &[(&str, FieldKind)] = &[
    ("name", FieldKind::Text),
    ("kind", FieldKind::Text),
    ("language", FieldKind::Text),
    ("framework", FieldKind::Text),
    ("package_manager", FieldKind::Text),
    ("runtime_version", FieldKind::Text),
    ("port", FieldKind::Port),
    ("install_command", FieldKind::Text),
    ("build_command", FieldKind::Text),
    ("start_command", FieldKind::Text),
    ("health_path", FieldKind::Text),
    ("readiness_path", FieldKind::Text),
    ("data_path", FieldKind::Text),
    ("metrics_path", FieldKind::Text),
    ("artifact", FieldKind::Text),
    ("ci_install_command", FieldKind::Text),
    ("lint_commands", FieldKind::List),
    ("test_command", FieldKind::Text),
    ("backing_services", FieldKind::List),
    ("env_vars", FieldKind::List),
    ("ignore", FieldKind::Flag),
];

/// The type of a correctable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A string.
    Text,
    /// A TCP port, 1 to 65535.
    Port,
    /// A list of strings.
    List,
    /// true or false.
    Flag,
    /// A whole number.
    Count,
}

/// Why a correction could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The field is not one Slipway knows.
    #[error("{field:?} is not a field Slipway can correct; use one of: {known}")]
    UnknownField {
        /// The field asked for.
        field: String,
        /// The known fields.
        known: String,
    },
    /// The value does not fit the field.
    #[error("{field} cannot be {value}: {why}")]
    BadValue {
        /// The field.
        field: String,
        /// The value, as given.
        value: String,
        /// What it must be.
        why: String,
    },
    /// The existing slipway.toml does not parse; Slipway will not rewrite what it cannot read.
    #[error("{path} is not valid TOML ({message}); fix it by hand first so none of it is lost")]
    Unreadable {
        /// The file.
        path: String,
        /// The parser's words.
        message: String,
    },
    /// Reading or writing the file failed.
    #[error("cannot write {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        message: String,
    },
}

fn kind_of(field: &str) -> Option<FieldKind> {
    FIELDS.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
}

fn norm_path(p: &str) -> String {
    let p = p.trim().trim_start_matches("./").trim_end_matches('/');
    if p.is_empty() {
        ".".into()
    } else {
        p.to_string()
    }
}

/// Applies the corrections in `slipway.toml` to the detected services.
pub(crate) fn apply(
    view: &ProjectView,
    services: &mut Vec<ServiceProfile>,
    skipped: &mut Vec<Skipped>,
    warnings: &mut Vec<ScanWarning>,
) -> DeploySettings {
    let Some(text) = view.read_text(FILE, warnings) else {
        return DeploySettings::default();
    };
    let doc = match text.parse::<DocumentMut>() {
        Ok(d) => d,
        Err(e) => {
            let line = e.span().map_or(1, |s| crate::view::line_at(&text, s.start));
            warnings.push(ScanWarning {
                path: FILE.into(),
                message: format!(
                    "not applied: invalid TOML at line {line}: {}",
                    e.message().lines().next().unwrap_or("")
                ),
            });
            return DeploySettings::default();
        }
    };
    let deploy = read_deploy(&doc, &text, warnings);
    let Some(table) = doc.get("services").and_then(Item::as_table_like) else {
        if doc.iter().any(|(k, _)| k != "deploy") {
            warnings.push(ScanWarning {
                path: FILE.into(),
                message: "no [services.\"<folder>\"] tables: nothing to apply".into(),
            });
        }
        return deploy;
    };
    for (raw_path, entry) in table.iter() {
        let path = norm_path(raw_path);
        let header = line_of(&text, &format!("\"{raw_path}\"")).or_else(|| line_of(&text, raw_path));
        let Some(entry) = entry.as_table_like() else {
            warnings.push(ScanWarning {
                path: FILE.into(),
                message: format!("services.{raw_path:?} must be a table of fields"),
            });
            continue;
        };
        if entry.get("ignore").and_then(Item::as_bool) == Some(true) {
            services.retain(|s| s.path != path);
            skipped.push(Skipped {
                path: path.clone(),
                reason: format!("ignored in slipway.toml (line {})", header.unwrap_or(1)),
            });
            continue;
        }
        let index = match services.iter().position(|s| s.path == path) {
            Some(i) => i,
            None => {
                let exists = path == "." || view.is_dir(&path);
                if !exists {
                    warnings.push(ScanWarning {
                        path: FILE.into(),
                        message: format!(
                            "line {}: there is no folder {path:?} in the project",
                            header.unwrap_or(1)
                        ),
                    });
                    continue;
                }
                let name = if path == "." {
                    view.root_name()
                } else {
                    path.rsplit('/').next().unwrap_or(&path).to_string()
                };
                let mut svc = ServiceProfile::new(name, path.clone());
                svc.cite(FILE, header, "declared as a service in slipway.toml");
                skipped.retain(|s| s.path != path);
                services.push(svc);
                services.len() - 1
            }
        };
        let svc = &mut services[index];
        for (field, item) in entry.iter() {
            let line = line_of(&text, &format!("{field} =")).or(header);
            let Some(kind) = kind_of(field) else {
                warnings.push(ScanWarning {
                    path: FILE.into(),
                    message: format!(
                        "line {}: {field:?} is not a field Slipway knows; ignored",
                        line.unwrap_or(1)
                    ),
                });
                continue;
            };
            if field == "ignore" {
                continue;
            }
            let value = item.as_value();
            match set_field(svc, field, kind, value) {
                Ok(shown) => {
                    svc.cite(FILE, line, format!("{field} set to {shown} in slipway.toml"));
                    // A warning that asked for this field is answered now.
                    let asked = format!("set {field} ");
                    let inside = |p: &str| path == "." || p == path || p.starts_with(&format!("{path}/"));
                    warnings.retain(|w| !(w.message.contains(&asked) && inside(&w.path)));
                    if !svc.corrected.iter().any(|c| c == field) {
                        svc.corrected.push(field.to_string());
                    }
                }
                Err(why) => warnings.push(ScanWarning {
                    path: FILE.into(),
                    message: format!("line {}: {field} {why}; ignored", line.unwrap_or(1)),
                }),
            }
        }
    }
    services.sort_by(|a, b| a.path.cmp(&b.path));
    deploy
}

/// Fields of the `[deploy]` table and the kind of value each takes.
pub const DEPLOY_FIELDS: &[(&str, FieldKind)] = &[
    ("ci", FieldKind::Text),
    ("registry", FieldKind::Text),
    ("image", FieldKind::Text),
    ("targets", FieldKind::List),
    ("branch", FieldKind::Text),
    ("strategy", FieldKind::Text),
    ("environments", FieldKind::List),
    ("approval", FieldKind::Flag),
    ("min_replicas", FieldKind::Count),
    ("max_replicas", FieldKind::Count),
    ("cpu_percent", FieldKind::Count),
    ("host", FieldKind::Text),
    ("replicas", FieldKind::Count),
    ("autoscale", FieldKind::Flag),
    ("ha", FieldKind::Flag),
    ("vpa", FieldKind::Flag),
    ("namespace", FieldKind::Text),
    ("packaging", FieldKind::Text),
    ("route", FieldKind::Text),
    ("ingress_class", FieldKind::Text),
    ("tls_issuer", FieldKind::Text),
    ("acme_email", FieldKind::Text),
    ("secret_store", FieldKind::Text),
    ("mesh", FieldKind::Text),
    ("gitops", FieldKind::Text),
    ("rollouts", FieldKind::Text),
    ("backing", FieldKind::Text),
    ("charts", FieldKind::Text),
    ("iac", FieldKind::Text),
    ("region", FieldKind::Text),
    ("task_cpu", FieldKind::Count),
    ("task_memory", FieldKind::Count),
    ("db_class", FieldKind::Text),
    ("db_storage", FieldKind::Count),
    ("backup_days", FieldKind::Count),
    ("multi_az", FieldKind::Flag),
    ("vpc_cidr", FieldKind::Text),
    ("rpo_minutes", FieldKind::Count),
    ("rto_minutes", FieldKind::Count),
    ("backup_region", FieldKind::Text),
    ("log_days", FieldKind::Count),
    ("server_size", FieldKind::Text),
    ("disk_size", FieldKind::Count),
    ("kubernetes_version", FieldKind::Text),
    ("node_size", FieldKind::Text),
    ("max_nodes", FieldKind::Count),
    ("prometheus", FieldKind::Text),
    ("prometheus_release", FieldKind::Text),
    ("auto_sync", FieldKind::Flag),
    ("prune", FieldKind::Flag),
    ("self_heal", FieldKind::Flag),
    ("cpu_request", FieldKind::Text),
    ("memory_request", FieldKind::Text),
    ("cpu_limit", FieldKind::Text),
    ("memory_limit", FieldKind::Text),
];

/// Reads `[deploy]`: each field of the right type is kept with its line; a field of the wrong
/// type, or one Slipway does not know, becomes a warning naming the line, and the rest applies.
fn read_deploy(doc: &DocumentMut, text: &str, warnings: &mut Vec<ScanWarning>) -> DeploySettings {
    let mut d = DeploySettings::default();
    let Some(table) = doc.get("deploy") else {
        return d;
    };
    let header = line_of(text, "[deploy]").unwrap_or(1);
    let Some(table) = table.as_table_like() else {
        warnings.push(ScanWarning {
            path: FILE.into(),
            message: format!("line {header}: deploy must be a table ([deploy]); ignored"),
        });
        return d;
    };
    for (field, item) in table.iter() {
        // The field's own line: the first `field =` after the table header.
        let line = text
            .lines()
            .enumerate()
            .skip(header as usize)
            .find(|(_, l)| {
                let l = l.trim_start();
                l.strip_prefix(field).is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map_or(header, |(i, _)| i as u32 + 1);
        let warn = |warnings: &mut Vec<ScanWarning>, why: String| {
            warnings.push(ScanWarning {
                path: FILE.into(),
                message: format!("line {line}: deploy.{field} {why}; ignored"),
            })
        };
        let Some(kind) = DEPLOY_FIELDS.iter().find(|(f, _)| *f == field).map(|(_, k)| *k) else {
            let known: Vec<&str> = DEPLOY_FIELDS.iter().map(|(f, _)| *f).collect();
            warn(
                warnings,
                format!("is not a field Slipway knows (it knows {})", known.join(", ")),
            );
            continue;
        };
        let value = item.as_value();
        let ok = match kind {
            FieldKind::Text => match value.and_then(Value::as_str) {
                Some(text) => {
                    let s = Some(text.to_string());
                    match field {
                        "ci" => d.ci = s,
                        "registry" => d.registry = s,
                        "image" => d.image = s,
                        "branch" => d.branch = s,
                        "strategy" => d.strategy = s,
                        "host" => d.host = s,
                        other => {
                            d.kube.insert(other.to_string(), text.to_string());
                        }
                    }
                    true
                }
                None => {
                    warn(warnings, format!("must be a string, not {}", type_name(item)));
                    false
                }
            },
            FieldKind::List => {
                let items: Option<Vec<String>> = match value {
                    Some(Value::String(s)) => Some(vec![s.value().clone()]),
                    Some(Value::Array(a)) => a.iter().map(|v| v.as_str().map(str::to_string)).collect(),
                    _ => None,
                };
                match items {
                    Some(items) => {
                        if field == "targets" {
                            d.targets = items;
                        } else {
                            d.environments = items;
                        }
                        true
                    }
                    None => {
                        warn(warnings, "must be a list of strings".into());
                        false
                    }
                }
            }
            FieldKind::Flag => match value.and_then(Value::as_bool) {
                Some(b) => {
                    match field {
                        "approval" => d.approval = Some(b),
                        "autoscale" => d.autoscale = Some(b),
                        "ha" => d.ha = Some(b),
                        "vpa" => d.vpa = Some(b),
                        // The GitOps sync flags are read by the Kubernetes spec, like its texts.
                        other => {
                            d.kube.insert(other.to_string(), b.to_string());
                        }
                    }
                    true
                }
                None => {
                    warn(warnings, format!("must be true or false, not {}", type_name(item)));
                    false
                }
            },
            FieldKind::Count | FieldKind::Port => {
                // A whole number of the wrong size is kept: the deployment spec refuses it in
                // words, naming this line, before anything is generated.
                let n = value.and_then(Value::as_integer);
                match n.and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => {
                        match field {
                            "min_replicas" => d.min_replicas = Some(n),
                            "max_replicas" => d.max_replicas = Some(n),
                            "replicas" => d.replicas = Some(n),
                            "cpu_percent" => d.cpu_percent = Some(n),
                            // The cloud's numbers are read by the cloud spec, like its texts.
                            other => {
                                d.kube.insert(other.to_string(), n.to_string());
                            }
                        }
                        true
                    }
                    None => {
                        warn(warnings, "must be a whole number (0 or more)".into());
                        false
                    }
                }
            }
        };
        if ok {
            d.lines.insert(field.to_string(), line);
        }
    }
    d
}

fn type_name(item: &Item) -> &'static str {
    match item.as_value() {
        Some(Value::String(_)) => "a string",
        Some(Value::Integer(_)) => "a number",
        Some(Value::Float(_)) => "a number",
        Some(Value::Boolean(_)) => "true or false",
        Some(Value::Array(_)) => "a list",
        Some(Value::InlineTable(_)) => "a table",
        Some(Value::Datetime(_)) => "a date",
        None => "a table",
    }
}

fn set_field(svc: &mut ServiceProfile, field: &str, kind: FieldKind, value: Option<&Value>) -> Result<String, String> {
    match kind {
        FieldKind::Port => {
            let n = value.and_then(Value::as_integer).ok_or("must be a whole number")?;
            let port = u16::try_from(n)
                .ok()
                .filter(|p| *p > 0)
                .ok_or("must be between 1 and 65535")?;
            svc.port = Some(port);
            Ok(port.to_string())
        }
        FieldKind::List => {
            let arr = value.and_then(Value::as_array).ok_or("must be a list of strings")?;
            let items: Vec<String> = arr.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            if items.len() != arr.len() {
                return Err("must be a list of strings".into());
            }
            let shown = format!("[{}]", items.join(", "));
            match field {
                "backing_services" => svc.backing_services = items,
                "lint_commands" => svc.lint_commands = items,
                _ => svc.env_vars = items,
            }
            Ok(shown)
        }
        FieldKind::Flag | FieldKind::Count => Ok(String::new()),
        FieldKind::Text => {
            let s = value.and_then(Value::as_str).ok_or("must be a string")?.to_string();
            if field == "kind" && !["web", "static", "worker"].contains(&s.as_str()) {
                return Err("must be web, static or worker".into());
            }
            let shown = format!("{s:?}");
            let slot = match field {
                "name" => {
                    svc.name = s;
                    return Ok(shown);
                }
                "kind" => {
                    svc.kind = s;
                    return Ok(shown);
                }
                "language" => &mut svc.language,
                "framework" => &mut svc.framework,
                "package_manager" => &mut svc.package_manager,
                "runtime_version" => &mut svc.runtime_version,
                "install_command" => &mut svc.install_command,
                "build_command" => &mut svc.build_command,
                "start_command" => &mut svc.start_command,
                "health_path" => &mut svc.health_path,
                "readiness_path" => &mut svc.readiness_path,
                "data_path" => {
                    if !s.starts_with('/') || s.contains("..") {
                        return Err("must be an absolute path inside the container, such as /data".into());
                    }
                    &mut svc.data_path
                }
                "metrics_path" => {
                    if !s.starts_with('/') || s.contains(char::is_whitespace) {
                        return Err("must be an HTTP path, such as /metrics".into());
                    }
                    &mut svc.metrics_path
                }
                "ci_install_command" => &mut svc.ci_install_command,
                "test_command" => &mut svc.test_command,
                _ => &mut svc.artifact,
            };
            *slot = Some(s);
            Ok(shown)
        }
    }
}

/// Sets (or, with `None`, removes) one correction in `<root>/slipway.toml`, creating the file
/// when needed and keeping everything else in it as written.
pub fn set_correction(
    root: &Path,
    service: &str,
    field: &str,
    value: Option<&serde_json::Value>,
) -> Result<(), ConfigError> {
    let kind = kind_of(field).ok_or_else(|| ConfigError::UnknownField {
        field: field.to_string(),
        known: FIELDS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "),
    })?;
    edit(root, Some(service), field, kind, value)
}

/// Sets (or, with `None`, removes) one field of the `[deploy]` table in `<root>/slipway.toml`,
/// keeping everything else in the file as written.
pub fn set_deploy(root: &Path, field: &str, value: Option<&serde_json::Value>) -> Result<(), ConfigError> {
    let kind = DEPLOY_FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, k)| *k)
        .ok_or_else(|| ConfigError::UnknownField {
            field: field.to_string(),
            known: DEPLOY_FIELDS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "),
        })?;
    edit(root, None, field, kind, value)
}

fn edit(
    root: &Path,
    service: Option<&str>,
    field: &str,
    kind: FieldKind,
    value: Option<&serde_json::Value>,
) -> Result<(), ConfigError> {
    let path = root.join(FILE);
    let shown = path.display().to_string();
    let io = |e: std::io::Error| ConfigError::Io {
        path: shown.clone(),
        message: e.to_string(),
    };
    let existing = match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let mut doc = match &existing {
        Some(t) => t.parse::<DocumentMut>().map_err(|e| ConfigError::Unreadable {
            path: shown.clone(),
            message: e.message().lines().next().unwrap_or("").to_string(),
        })?,
        None => {
            let mut d = DocumentMut::new();
            d.decor_mut().set_prefix(
                "# Corrections to Slipway's project analysis. What is set here wins over what Slipway\n\
                 # detects; remove a line to go back to the detected value.\n\n",
            );
            d
        }
    };
    let bad = |why: &str| ConfigError::BadValue {
        field: field.to_string(),
        value: value.map_or("empty".to_string(), |v| v.to_string()),
        why: why.to_string(),
    };
    let new_value: Option<Value> = match value {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(match kind {
            FieldKind::Port => {
                let n = v
                    .as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .filter(|n| (1..=65535).contains(n))
                    .ok_or_else(|| bad("a port is a whole number from 1 to 65535"))?;
                Value::from(n as i64)
            }
            FieldKind::Count => {
                let n = v
                    .as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| bad("must be a whole number from 1 to 1000"))?;
                Value::from(n as i64)
            }
            FieldKind::Flag => Value::from(
                v.as_bool()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| bad("must be true or false"))?,
            ),
            FieldKind::List => {
                let items: Vec<String> = match v {
                    serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                    serde_json::Value::String(s) => s
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    _ => return Err(bad("must be a list of names")),
                };
                Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect())
            }
            FieldKind::Text => {
                let s = v.as_str().ok_or_else(|| bad("must be text"))?.trim().to_string();
                if s.is_empty() {
                    return Err(bad("must not be empty; clear the correction instead"));
                }
                if field == "kind" && !["web", "static", "worker"].contains(&s.as_str()) {
                    return Err(bad("must be web, static or worker"));
                }
                if s.contains('\n') {
                    return Err(bad("must be one line"));
                }
                Value::from(s)
            }
        }),
    };
    let Some(service) = service else {
        if !doc.contains_key("deploy") {
            doc.insert("deploy", Item::Table(Table::new()));
        }
        let deploy = doc["deploy"].as_table_mut().ok_or_else(|| ConfigError::Unreadable {
            path: shown.clone(),
            message: "deploy is not a table".into(),
        })?;
        match new_value {
            Some(v) => deploy[field] = Item::Value(v),
            None => {
                deploy.remove(field);
            }
        }
        return write_doc(root, &doc, &io);
    };
    let key = norm_path(service);
    if !doc.contains_key("services") {
        let mut t = Table::new();
        t.set_implicit(true);
        doc.insert("services", Item::Table(t));
    }
    let services = doc["services"].as_table_mut().ok_or_else(|| ConfigError::Unreadable {
        path: shown.clone(),
        message: "services is not a table".into(),
    })?;
    match new_value {
        Some(v) => {
            if !services.contains_key(&key) {
                services.insert(&key, Item::Table(Table::new()));
            }
            let entry = services[&key].as_table_mut().ok_or_else(|| ConfigError::Unreadable {
                path: shown.clone(),
                message: format!("services.{key:?} is not a table"),
            })?;
            entry[field] = Item::Value(v);
        }
        None => {
            if let Some(entry) = services.get_mut(&key).and_then(Item::as_table_mut) {
                entry.remove(field);
                if entry.is_empty() {
                    services.remove(&key);
                }
            }
        }
    }
    write_doc(root, &doc, &io)
}

fn write_doc(root: &Path, doc: &DocumentMut, io: &dyn Fn(std::io::Error) -> ConfigError) -> Result<(), ConfigError> {
    let path = root.join(FILE);
    let text = doc.to_string();
    let tmp = root.join(format!(".{FILE}.slipway-tmp"));
    std::fs::write(&tmp, text.as_bytes()).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(())
}
