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
use crate::{ProjectView, ScanWarning, ServiceProfile, Skipped};

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
    ("artifact", FieldKind::Text),
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
) {
    let Some(text) = view.read_text(FILE, warnings) else {
        return;
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
            return;
        }
    };
    let Some(table) = doc.get("services").and_then(Item::as_table_like) else {
        if doc.iter().next().is_some() {
            warnings.push(ScanWarning {
                path: FILE.into(),
                message: "no [services.\"<folder>\"] tables: nothing to apply".into(),
            });
        }
        return;
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
                _ => svc.env_vars = items,
            }
            Ok(shown)
        }
        FieldKind::Flag => Ok(String::new()),
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
    let text = doc.to_string();
    let tmp = root.join(format!(".{FILE}.slipway-tmp"));
    std::fs::write(&tmp, text.as_bytes()).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(())
}
