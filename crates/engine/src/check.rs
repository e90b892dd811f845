//! Built-in checks: the reflection step's review of generated and existing files.
//!
//! They read file text, so they review a user's own Dockerfile exactly as they review ours.
//! Each rule has a stable id (`docker/non-root`) that findings, docs and tests refer to.

use serde::{Deserialize, Serialize};
use slipway_scan::ServiceProfile;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advice that would make the result better.
    Info,
    /// Likely wrong or unsafe; worth fixing before shipping.
    Warning,
    /// Wrong or unsafe; must be fixed.
    Error,
}

/// One thing the checks noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// Stable rule id.
    pub rule: String,
    /// File relative to the project root.
    pub path: String,
    /// 1-based line, when it sits on one.
    pub line: Option<u32>,
    /// What and why, in words.
    pub message: String,
}

fn finding(severity: Severity, rule: &str, path: &str, line: Option<u32>, message: impl Into<String>) -> Finding {
    Finding {
        severity,
        rule: rule.into(),
        path: path.into(),
        line,
        message: message.into(),
    }
}

/// One Dockerfile instruction, continuation lines joined.
#[derive(Debug, Clone)]
struct Instruction {
    line: u32,
    keyword: String,
    args: String,
}

fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current: Option<Instruction> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if let Some(cur) = current.as_mut() {
            if trimmed.starts_with('#') {
                continue;
            }
            let (body, more) = strip_continuation(trimmed);
            cur.args.push(' ');
            cur.args.push_str(body);
            if !more {
                out.push(current.take().expect("current instruction"));
            }
            continue;
        }
        let (body, more) = strip_continuation(trimmed);
        let (keyword, args) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let ins = Instruction {
            line: i as u32 + 1,
            keyword: keyword.to_ascii_uppercase(),
            args: args.trim().to_string(),
        };
        if more {
            current = Some(ins);
        } else {
            out.push(ins);
        }
    }
    out.extend(current);
    out
}

fn strip_continuation(line: &str) -> (&str, bool) {
    match line.strip_suffix('\\') {
        Some(body) => (body.trim_end(), true),
        None => (line, false),
    }
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
];

pub(crate) fn secret_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

/// Reviews a Dockerfile. `service` enables the checks that compare with the project analysis.
pub fn check_dockerfile(path: &str, text: &str, service: Option<&ServiceProfile>) -> Vec<Finding> {
    let ins = instructions(text);
    let mut out = Vec::new();
    let froms: Vec<&Instruction> = ins.iter().filter(|i| i.keyword == "FROM").collect();
    if froms.is_empty() {
        out.push(finding(
            Severity::Error,
            "docker/no-from",
            path,
            None,
            "no FROM instruction: this is not a buildable Dockerfile",
        ));
        return out;
    }
    let mut stages: Vec<String> = Vec::new();
    for from in &froms {
        let words: Vec<&str> = from.args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
        let image = words.first().copied().unwrap_or("");
        // A FROM may name an earlier stage instead of an image.
        let earlier_stage = stages.contains(&image.to_ascii_lowercase());
        if let Some(pos) = words.iter().position(|w| w.eq_ignore_ascii_case("as")) {
            if let Some(name) = words.get(pos + 1) {
                stages.push(name.to_ascii_lowercase());
            }
        }
        if image == "scratch" || earlier_stage || image.contains('$') {
            continue;
        }
        let name_part = image.rsplit('/').next().unwrap_or(image);
        let tag = name_part.split_once(':').map(|(_, t)| t);
        match tag {
            _ if image.contains('@') => {}
            None => out.push(finding(
                Severity::Warning,
                "docker/pinned-tag",
                path,
                Some(from.line),
                format!("base image {image} has no tag: builds change under you; pin a version"),
            )),
            Some("latest") => out.push(finding(
                Severity::Warning,
                "docker/pinned-tag",
                path,
                Some(from.line),
                format!("base image {image} uses the moving tag latest; pin a version"),
            )),
            Some(_) => {}
        }
    }

    // The last stage is what runs.
    let last_from = froms.last().map(|f| f.line).unwrap_or(0);
    let runtime: Vec<&Instruction> = ins.iter().filter(|i| i.line >= last_from).collect();
    let user = runtime.iter().rev().find(|i| i.keyword == "USER");
    match user {
        None => out.push(finding(
            Severity::Warning,
            "docker/non-root",
            path,
            Some(last_from),
            "the runtime stage sets no USER, so the app runs as root; add an unprivileged user",
        )),
        Some(u) if matches!(u.args.split(':').next().unwrap_or("").trim(), "root" | "0") => out.push(finding(
            Severity::Warning,
            "docker/non-root",
            path,
            Some(u.line),
            "the runtime stage runs as root; switch to an unprivileged user",
        )),
        Some(_) => {}
    }

    for i in &ins {
        if matches!(i.keyword.as_str(), "ARG" | "ENV") {
            for pair in i.args.split_whitespace() {
                let name = pair.split('=').next().unwrap_or(pair);
                if secret_like(name) {
                    out.push(finding(
                        Severity::Error,
                        "docker/secret-in-build",
                        path,
                        Some(i.line),
                        format!(
                            "{} {name} puts a secret into the image metadata where anyone with the image reads it; \
                             use RUN --mount=type=secret at build time or runtime environment instead",
                            i.keyword
                        ),
                    ));
                }
            }
        }
        if matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT") && !i.args.trim_start().starts_with('[') {
            out.push(finding(
                Severity::Warning,
                "docker/exec-form",
                path,
                Some(i.line),
                format!(
                    "{} in shell form runs under /bin/sh, which does not pass SIGTERM on: use the exec form [\"...\"]",
                    i.keyword
                ),
            ));
        }
    }

    if froms.len() == 1 {
        out.push(finding(
            Severity::Info,
            "docker/multi-stage",
            path,
            Some(froms[0].line),
            "single-stage build: build tools and sources end up in the image; a multi-stage build keeps it small",
        ));
    }

    // Dependency layer caching: within each stage, copying the whole source before installing
    // dependencies invalidates the install layer on every source change.
    let mut stage_start = 0usize;
    for (idx, i) in ins.iter().enumerate() {
        if i.keyword == "FROM" {
            stage_start = idx;
        }
        if i.keyword == "RUN" && is_dependency_install(&i.args) {
            let copied_all = ins[stage_start..idx]
                .iter()
                .find(|c| c.keyword == "COPY" && copies_everything(&c.args));
            if let Some(c) = copied_all {
                out.push(finding(
                    Severity::Warning,
                    "docker/layer-order",
                    path,
                    Some(c.line),
                    "the whole source is copied before dependencies are installed, so every code change reinstalls them; \
                     copy the manifests and lockfile first",
                ));
            }
        }
    }

    if !ins.iter().any(|i| i.keyword == "HEALTHCHECK") {
        out.push(finding(
            Severity::Info,
            "docker/healthcheck",
            path,
            None,
            "no HEALTHCHECK: docker and compose cannot tell a hung app from a healthy one",
        ));
    }

    if let Some(svc) = service {
        let exposed: Vec<(u32, u16)> = runtime
            .iter()
            .filter(|i| i.keyword == "EXPOSE")
            .flat_map(|i| {
                i.args
                    .split_whitespace()
                    .filter_map(|p| p.split('/').next()?.parse::<u16>().ok())
                    .map(move |p| (i.line, p))
            })
            .collect();
        if let Some(port) = svc.port {
            match exposed.first() {
                None => out.push(finding(
                    Severity::Info,
                    "docker/port",
                    path,
                    None,
                    format!("no EXPOSE: the app listens on {port}"),
                )),
                Some(_) if exposed.iter().any(|(_, p)| *p == port) => {}
                Some((line, p)) => out.push(finding(
                    Severity::Warning,
                    "docker/port",
                    path,
                    Some(*line),
                    format!("EXPOSE {p} but the app listens on {port}"),
                )),
            }
        }
        if let Some(n) = &svc.nextjs {
            let prisma = svc.evidence.iter().any(|e| e.file.ends_with("schema.prisma"));
            if prisma && !n.standalone {
                out.push(finding(
                    Severity::Warning,
                    "nextjs/prisma-client",
                    path,
                    None,
                    "the Prisma client is generated during the build, but the runtime image installs production \
                     dependencies afresh and will lack it; set output: \"standalone\" so Next.js traces it into the image",
                ));
            }
            if !n.standalone {
                out.push(finding(
                    Severity::Info,
                    "nextjs/standalone",
                    n.config_file.as_deref().unwrap_or("next.config.js"),
                    None,
                    "output: \"standalone\" is not set, so the image carries all production node_modules; \
                     setting it in the Next.js config typically makes the image several times smaller",
                ));
            }
        }
    }
    out
}

fn is_dependency_install(args: &str) -> bool {
    [
        "npm ci",
        "npm install",
        "yarn install",
        "pnpm install",
        "bun install",
        "pip install",
        "poetry install",
        "uv sync",
        "bundle install",
        "go mod download",
        "composer install",
    ]
    .iter()
    // An offline install (pnpm fetch first) downloads nothing: after the source copy it is cheap.
    .any(|c| args.contains(c))
        && !args.contains("--offline")
        || args.trim() == "yarn"
}

fn copies_everything(args: &str) -> bool {
    let words: Vec<&str> = args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
    words.len() == 2 && matches!(words[0], "." | "./")
}

/// Reviews a compose file (line-based: it looks at images, ports and literal secrets).
pub fn check_compose(path: &str, text: &str, services: &[ServiceProfile]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let n = Some(i as u32 + 1);
        if let Some(image) = t.strip_prefix("image:") {
            let image = image.trim().trim_matches('"').trim_matches('\'');
            if image.ends_with(":local") {
                continue;
            }
            let name_part = image.rsplit('/').next().unwrap_or(image);
            // A variable (`${IMAGE}`, or a Jinja template's `{{ ... }}`) is decided where it is set.
            if !image.contains('@') && !image.contains('$') && !image.contains("{{") {
                match name_part.split_once(':') {
                    None => out.push(finding(
                        Severity::Warning,
                        "compose/pinned-tag",
                        path,
                        n,
                        format!("image {image} has no tag; pin a version"),
                    )),
                    Some((_, "latest")) => out.push(finding(
                        Severity::Warning,
                        "compose/pinned-tag",
                        path,
                        n,
                        format!("image {image} uses the moving tag latest; pin a version"),
                    )),
                    _ => {}
                }
            }
        }
        if let Some((key, value)) = t
            .trim_start_matches("- ")
            .split_once(':')
            .or_else(|| t.trim_start_matches("- ").split_once('='))
        {
            let value = value.trim().trim_matches('"').trim_matches('\'');
            if secret_like(key.trim()) && !value.is_empty() && !value.contains("${") && !value.contains("{{") {
                out.push(finding(
                    Severity::Error,
                    "compose/secret-literal",
                    path,
                    n,
                    format!(
                        "{} is written into the file; read it from .env with ${{{}}} instead",
                        key.trim(),
                        key.trim()
                    ),
                ));
            }
        }
    }
    // The published container port must be the one the app listens on.
    for svc in services {
        if let Some(port) = svc.port {
            let published: Vec<(usize, u16)> = text
                .lines()
                .enumerate()
                .filter_map(|(i, l)| {
                    let t = l.trim().strip_prefix("- ")?.trim_matches('"');
                    let container = t.rsplit(':').next()?.split('/').next()?;
                    t.contains(':').then_some(())?;
                    container.parse::<u16>().ok().map(|p| (i, p))
                })
                .collect();
            if !published.is_empty() && !published.iter().any(|(_, p)| *p == port) {
                let (i, p) = published[0];
                out.push(finding(
                    Severity::Warning,
                    "compose/port",
                    path,
                    Some(i as u32 + 1),
                    format!("publishes container port {p} but {} listens on {port}", svc.name),
                ));
            }
        }
    }
    out
}

/// Patterns of credentials that must never be in a file Slipway writes.
const SECRET_PATTERNS: &[(&str, &str)] = &[
    (r"AKIA[0-9A-Z]{16}", "an AWS access key id"),
    (r"gh[pousr]_[A-Za-z0-9]{36,}", "a GitHub token"),
    (r"glpat-[A-Za-z0-9_\-]{20,}", "a GitLab token"),
    (r"\bsk-(?:ant-)?[A-Za-z0-9_\-]{20,}", "an API secret key"),
    (r"xox[abpr]-[A-Za-z0-9\-]{10,}", "a Slack token"),
    (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", "a private key"),
];

/// Looks for credentials in any text.
pub fn check_secrets(path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (pattern, what) in SECRET_PATTERNS {
        let re = regex_lite::Regex::new(pattern).expect("valid secret pattern");
        for (i, line) in text.lines().enumerate() {
            if re.is_match(line) {
                out.push(finding(
                    Severity::Error,
                    "secrets/hardcoded",
                    path,
                    Some(i as u32 + 1),
                    format!("this line holds what looks like {what}; secrets belong in the keychain or the runtime environment"),
                ));
            }
        }
    }
    out
}

/// Reviews one file by its name.
pub fn check_file(path: &str, text: &str, services: &[ServiceProfile]) -> Vec<Finding> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
    let service = services.iter().find(|s| s.path == dir).or(services.first());
    let mut out = check_secrets(path, text);
    // Dockerfile.dockerignore is the ignore file of a Dockerfile, not a Dockerfile.
    let dockerfile = (name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile"))
        && !name.ends_with(".dockerignore");
    if dockerfile {
        out.extend(check_dockerfile(path, text, service));
    } else if name.starts_with("compose") || name.starts_with("docker-compose") {
        out.extend(check_compose(path, text, services));
    } else if path.starts_with(".github/workflows/") && (name.ends_with(".yml") || name.ends_with(".yaml")) {
        out.extend(crate::pipeline::checks::check_github(path, text));
    } else if name == ".gitlab-ci.yml" {
        out.extend(crate::pipeline::checks::check_gitlab(path, text));
    } else if path == ".circleci/config.yml" || path.ends_with("/.circleci/config.yml") {
        out.extend(crate::pipeline::checks::check_circleci(path, text));
    } else if name.ends_with(".tf") {
        out.extend(crate::cloud::checks::check_terraform(path, text, services));
    } else if (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".yaml.example"))
        && crate::kube::checks::is_manifest(text)
    {
        out.extend(crate::kube::checks::check_objects(path, text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn a_jinja_template_of_a_compose_file_reads_its_secrets_and_images_from_variables() {
        let text = "services:\n  api:\n    image: \"{{ app_images['api'] }}\"\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: \"{{ app_postgres_password }}\"\n      MYSQL_PASSWORD: hunter2\n";
        let f = check_file("ansible/roles/app/templates/compose.yaml.j2", text, &[]);
        assert_eq!(rules(&f), ["compose/pinned-tag", "compose/secret-literal"], "{f:#?}");
        assert_eq!((f[0].line, f[1].line), (Some(5), Some(8)));
    }

    #[test]
    fn a_dockerfile_specific_ignore_file_is_not_read_as_a_dockerfile() {
        let f = check_file("apps/api/Dockerfile.dockerignore", "**/node_modules\n.env\n", &[]);
        assert!(f.is_empty(), "{f:?}");
        let f = check_file("Dockerfile.prod", "COPY . .\n", &[]);
        assert!(
            rules(&f).contains(&"docker/no-from"),
            "a Dockerfile.<suffix> still is one"
        );
    }

    #[test]
    fn a_careless_dockerfile_gets_every_finding() {
        let text = "FROM node\nCOPY . .\nRUN npm install\nENV API_TOKEN=abc\nCMD npm start\n";
        let f = check_dockerfile("Dockerfile", text, None);
        let r = rules(&f);
        for want in [
            "docker/pinned-tag",
            "docker/non-root",
            "docker/secret-in-build",
            "docker/exec-form",
            "docker/multi-stage",
            "docker/layer-order",
        ] {
            assert!(r.contains(&want), "expected {want} in {r:?}");
        }
        let secret = f.iter().find(|f| f.rule == "docker/secret-in-build").unwrap();
        assert_eq!(secret.line, Some(4), "the finding points at the ENV line");
    }

    #[test]
    fn a_careful_dockerfile_has_no_warnings() {
        let text = "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n\
                    FROM node:22-alpine\nCOPY --from=build /app /app\nUSER node\nEXPOSE 3000\nHEALTHCHECK CMD [\"true\"]\nCMD [\"node\", \"server.js\"]\n";
        let f = check_dockerfile("Dockerfile", text, None);
        assert!(
            f.iter().all(|f| f.severity == Severity::Info),
            "unexpected findings: {f:?}"
        );
    }

    #[test]
    fn root_user_and_stage_names_are_understood() {
        let text = "FROM node:22 AS base\nFROM base\nUSER root\nCMD [\"node\"]\n";
        let f = check_dockerfile("Dockerfile", text, None);
        assert!(
            !rules(&f).contains(&"docker/pinned-tag"),
            "a stage reference is not an image: {f:?}"
        );
        assert!(
            f.iter().any(|f| f.rule == "docker/non-root" && f.line == Some(3)),
            "{f:?}"
        );
    }

    #[test]
    fn secrets_are_found_in_any_file() {
        let token = format!("ghp_{}", "a".repeat(36));
        let f = check_secrets("x.yml", &format!("a: 1\ntoken: {token}\n"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, Some(2));
        // An API key starts a word: a project called python-flask-tested is not one.
        let key = format!("sk-{}", "b".repeat(24));
        assert_eq!(check_secrets("x.env", &format!("KEY={key}\n")).len(), 1);
        assert!(check_secrets("main.tf", "bucket = \"python-flask-tested-terraform-state\"\n").is_empty());
        let f = check_compose(
            "compose.yaml",
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: hunter2\n",
            &[],
        );
        assert_eq!(rules(&f), ["compose/secret-literal"]);
        let f = check_compose(
            "compose.yaml",
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n",
            &[],
        );
        assert!(f.is_empty(), "an interpolated variable is not a secret: {f:?}");
    }
}
