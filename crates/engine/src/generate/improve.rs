//! Improving a user's own Dockerfile in place instead of replacing it.
//!
//! Only lines that are wrong change, each with a `# Slipway:` comment above it saying why, so
//! the diff reads as a review. Everything else (the user's stages, packages, comments and
//! order) stays byte for byte. What cannot be fixed safely is left to the reflection's
//! findings: for example adding a USER to an image whose files may need root.

use slipway_scan::ServiceProfile;

use super::dockerfile::exec_form;

/// The improved file and the reasons, or `None` when nothing needs to change.
pub fn improve_dockerfile(existing: &str, svc: &ServiceProfile) -> Option<(String, Vec<String>)> {
    let mut out: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let lines: Vec<&str> = existing.lines().collect();
    let last_from = lines.iter().rposition(|l| keyword(l) == Some("FROM"));
    let final_start = last_from.unwrap_or(0);
    let has_user = lines[final_start..].iter().any(|l| keyword(l) == Some("USER"));
    let has_expose = lines.iter().any(|l| keyword(l) == Some("EXPOSE"));
    let has_healthcheck = lines.iter().any(|l| keyword(l) == Some("HEALTHCHECK"));
    let last_cmd = lines
        .iter()
        .rposition(|l| matches!(keyword(l), Some("CMD") | Some("ENTRYPOINT")));
    let mut continued = false;

    for (i, line) in lines.iter().enumerate() {
        // Lines inside a continued instruction are the user's; they pass through untouched.
        if continued {
            continued = line.trim_end().ends_with('\\');
            out.push((*line).to_string());
            continue;
        }
        continued = line.trim_end().ends_with('\\');
        let indent = &line[..line.len() - line.trim_start().len()];
        match keyword(line) {
            Some("FROM") if !continued => {
                if let Some((fixed, why)) = pin_from(line, svc) {
                    push_fixed(&mut reasons, indent, why, fixed, &mut out);
                    continue;
                }
            }
            Some("ADD") if !continued => {
                let args = line.trim_start()[3..].trim();
                let remote = args.contains("://") || args.contains(".tar") || args.contains(".tgz");
                if !remote {
                    push_fixed(
                        &mut reasons,
                        indent,
                        "COPY, not ADD, for local files: ADD also unpacks archives and fetches URLs".into(),
                        format!("{indent}COPY {args}"),
                        &mut out,
                    );
                    continue;
                }
            }
            Some("ENV") | Some("ARG") if !continued => {
                if let Some(name) = secret_name(line) {
                    out.push(format!(
                        "{indent}# Slipway: removed {name}: a secret in ENV or ARG stays in the image's history; pass it at run time"
                    ));
                    out.push(format!("{indent}# (with the environment or a secret store), or at build time with RUN --mount=type=secret"));
                    reasons.push(format!("removed the secret {name} from the image"));
                    continue;
                }
            }
            Some("EXPOSE") if !continued => {
                if let Some(port) = svc.port.filter(|_| svc.kind != "worker") {
                    let given: Vec<&str> = line.split_whitespace().skip(1).collect();
                    let matches = given
                        .iter()
                        .any(|p| p.split('/').next().and_then(|n| n.parse::<u16>().ok()) == Some(port));
                    if !matches {
                        push_fixed(
                            &mut reasons,
                            indent,
                            format!("the app listens on {port} (see the analysis), not {}", given.join(" ")),
                            format!("{indent}EXPOSE {port}"),
                            &mut out,
                        );
                        continue;
                    }
                }
            }
            Some("CMD") | Some("ENTRYPOINT") if !continued => {
                let kw = keyword(line).unwrap_or("CMD");
                let args = line.trim_start()[kw.len()..].trim();
                if Some(i) == last_cmd {
                    // Fixes that belong just before the start instruction.
                    if !has_expose {
                        if let Some(port) = svc.port.filter(|_| svc.kind != "worker") {
                            out.push(format!("{indent}# Slipway: the port the app listens on, for people and tools reading the image"));
                            out.push(format!("{indent}EXPOSE {port}"));
                            reasons.push(format!("declared port {port}"));
                        }
                    }
                    if !has_healthcheck {
                        if let Some(check) = healthcheck_for(existing, svc) {
                            out.push(format!(
                                "{indent}# Slipway: a health check, so orchestrators restart the container when the app stops answering"
                            ));
                            out.push(format!("{indent}{check}"));
                            reasons.push("added a health check".into());
                        }
                    }
                    if !has_user && runs_as_node_image(existing, final_start) {
                        out.push(format!(
                            "{indent}# Slipway: run as the image's unprivileged node user (uid 1000), not root"
                        ));
                        out.push(format!("{indent}USER 1000:1000"));
                        reasons.push("runs as the unprivileged node user".into());
                    }
                }
                let plain = !args.starts_with('[')
                    && !args.contains(['$', '&', '|', ';', '>', '<', '\'', '"', '*'])
                    && !args.is_empty();
                if plain {
                    push_fixed(
                        &mut reasons,
                        indent,
                        format!("{kw} in exec form, so the app is PID 1 and receives stop signals"),
                        format!("{indent}{kw} {}", exec_form(args)),
                        &mut out,
                    );
                    continue;
                }
            }
            _ => {}
        }
        out.push((*line).to_string());
    }
    rebuilt(existing, out, reasons)
}

fn push_fixed(reasons: &mut Vec<String>, indent: &str, why: String, fixed: String, out: &mut Vec<String>) {
    out.push(format!("{indent}# Slipway: {why}"));
    out.push(fixed);
    reasons.push(why);
}

/// The file from its rewritten lines, with the original's final newline, or `None` when no line
/// changed.
fn rebuilt(existing: &str, lines: Vec<String>, reasons: Vec<String>) -> Option<(String, Vec<String>)> {
    if reasons.is_empty() {
        return None;
    }
    let mut text = lines.join("\n");
    if existing.ends_with('\n') {
        text.push('\n');
    }
    Some((text, reasons))
}

/// The instruction keyword of a line, uppercase (`None` for comments and blank lines).
fn keyword(line: &str) -> Option<&'static str> {
    let t = line.trim_start();
    if t.starts_with('#') || t.is_empty() {
        return None;
    }
    let word = t.split_whitespace().next()?.to_ascii_uppercase();
    const KEYWORDS: &[&str] = &[
        "FROM",
        "RUN",
        "CMD",
        "LABEL",
        "EXPOSE",
        "ENV",
        "ADD",
        "COPY",
        "ENTRYPOINT",
        "VOLUME",
        "USER",
        "WORKDIR",
        "ARG",
        "ONBUILD",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "SHELL",
    ];
    KEYWORDS.iter().copied().find(|k| *k == word)
}

/// Official images whose tag Slipway can pin from the detected runtime version.
/// The official image of the service's runtime (`node`, `python`, `golang`…).
pub(crate) fn runtime_image(svc: &ServiceProfile) -> Option<&'static str> {
    match svc.language.as_deref()? {
        "node" => Some("node"),
        "python" => Some("python"),
        "go" => Some("golang"),
        "ruby" => Some("ruby"),
        "php" => Some("php"),
        "rust" => Some("rust"),
        "bun" => Some("oven/bun"),
        _ => None,
    }
}

/// `FROM node` or `FROM node:latest` pinned to the project's runtime version.
fn pin_from(line: &str, svc: &ServiceProfile) -> Option<(String, String)> {
    let indent = &line[..line.len() - line.trim_start().len()];
    let words: Vec<&str> = line.split_whitespace().collect();
    // FROM [--platform=...] image [AS name]
    let at = words.iter().skip(1).position(|w| !w.starts_with("--"))? + 1;
    let image = words[at];
    let (name, tag) = match image.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (image, None),
    };
    if image.contains('@') || image.contains('$') || !(tag.is_none() || tag == Some("latest")) {
        return None;
    }
    let want = runtime_image(svc)?;
    let name_plain = name.trim_start_matches("docker.io/").trim_start_matches("library/");
    if name_plain != want {
        return None;
    }
    let version = svc.runtime_version.as_deref()?;
    let version = if want == "node" {
        version.split('.').next().unwrap_or(version)
    } else {
        version
    };
    let mut fixed_words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    fixed_words[at] = format!("{name}:{version}");
    let why = format!(
        "pinned {image} to {version}, the version the project asks for: {} moves under you",
        if tag.is_some() { "latest" } else { "an untagged image" }
    );
    Some((format!("{indent}{}", fixed_words.join(" ")), why))
}

/// The name of a variable whose value looks like a secret: set inline in ENV or ARG.
fn secret_name(line: &str) -> Option<String> {
    let rest = line.trim_start().split_once(char::is_whitespace)?.1.trim();
    let (name, value) = rest.split_once('=').or_else(|| rest.split_once(' '))?;
    let name = name.trim();
    let value = value.trim().trim_matches('"').trim_matches('\'');
    // The same words the reflection's secret check uses.
    (crate::check::secret_like(name) && !value.is_empty() && !value.starts_with('$')).then(|| name.to_string())
}

fn runs_as_node_image(text: &str, final_start: usize) -> bool {
    text.lines()
        .nth(final_start)
        .and_then(|l| {
            l.split_whitespace()
                .find(|w| !w.starts_with("--") && *w != "FROM" && *w != "from")
        })
        .is_some_and(|image| image.starts_with("node:") || image == "node")
}

fn healthcheck_for(text: &str, svc: &ServiceProfile) -> Option<String> {
    if svc.kind == "worker" {
        return None;
    }
    let port = svc.port?;
    let path = svc.health_path.as_deref().unwrap_or("/");
    let final_image = text
        .lines()
        .rev()
        .find(|l| keyword(l) == Some("FROM"))?
        .split_whitespace()
        .find(|w| !w.starts_with("--") && !w.eq_ignore_ascii_case("from"))?
        .to_string();
    let prefix = "HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD";
    if final_image.starts_with("node") {
        Some(format!(
            "{prefix} [\"node\", \"-e\", \"fetch('http://127.0.0.1:{port}{path}').then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))\"]"
        ))
    } else if final_image.starts_with("python") {
        Some(format!(
            "{prefix} [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=4)\"]"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::improve_dockerfile;
    use slipway_scan::ServiceProfile;

    fn node_service() -> ServiceProfile {
        let mut s = ServiceProfile::new("api", ".");
        s.language = Some("node".into());
        s.runtime_version = Some("20".into());
        s.port = Some(4000);
        s.health_path = Some("/healthz".into());
        s
    }

    #[test]
    fn a_hand_written_dockerfile_keeps_its_lines_and_gets_its_wrong_ones_fixed() {
        let mine = "\
# Our API image. Maintained by the platform team.
FROM node:latest
WORKDIR /srv/api
# We need ffmpeg for thumbnails.
RUN apt-get update && apt-get install -y ffmpeg \\
    && rm -rf /var/lib/apt/lists/*
ADD package.json package-lock.json ./
RUN npm ci --omit=dev
ADD . .
ENV NODE_OPTIONS=--max-old-space-size=512
ENV STRIPE_SECRET_KEY=sk_live_abc123
EXPOSE 3000
CMD npm start
";
        let (fixed, reasons) = improve_dockerfile(mine, &node_service()).expect("there is something to fix");
        // The user's own lines survive, in order.
        for kept in [
            "# Our API image. Maintained by the platform team.",
            "WORKDIR /srv/api",
            "# We need ffmpeg for thumbnails.",
            "RUN apt-get update && apt-get install -y ffmpeg \\\n    && rm -rf /var/lib/apt/lists/*",
            "RUN npm ci --omit=dev",
            "ENV NODE_OPTIONS=--max-old-space-size=512",
        ] {
            assert!(fixed.contains(kept), "kept {kept:?}:\n{fixed}");
        }
        // The wrong ones are fixed, each with its reason above it.
        assert!(fixed.contains("# Slipway: pinned node:latest to 20"), "{fixed}");
        assert!(fixed.contains("\nFROM node:20\n"), "{fixed}");
        assert!(fixed.contains("\nCOPY package.json package-lock.json ./\n"), "{fixed}");
        assert!(!fixed.contains("sk_live_abc123"), "the secret is gone:\n{fixed}");
        assert!(
            fixed.contains("\nEXPOSE 4000\n") && !fixed.contains("EXPOSE 3000"),
            "{fixed}"
        );
        assert!(fixed.contains("HEALTHCHECK") && fixed.contains("/healthz"), "{fixed}");
        assert!(fixed.contains("\nUSER 1000:1000\n"), "{fixed}");
        assert!(fixed.trim_end().ends_with("CMD [\"npm\", \"start\"]"), "{fixed}");
        assert_eq!(
            reasons.len(),
            fixed.matches("# Slipway:").count(),
            "one reason per change: {reasons:?}"
        );
        // Running it again finds nothing more to do.
        assert_eq!(improve_dockerfile(&fixed, &node_service()), None);
    }

    #[test]
    fn a_good_dockerfile_is_left_alone() {
        let good = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nUSER node\nEXPOSE 4000\nHEALTHCHECK CMD [\"node\", \"-e\", \"1\"]\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(improve_dockerfile(good, &node_service()), None);
    }
}

/// Improves a user's compose file in place: images of known databases and caches that float
/// (no tag, or `latest`) are pinned to the tag Slipway knows, each with a comment saying why.
/// Everything else is kept as written; the reflection reviews the rest.
pub fn improve_compose(existing: &str) -> Option<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut reasons = Vec::new();
    for line in existing.lines() {
        let trimmed = line.trim_start();
        if let Some(value) = trimmed.strip_prefix("image:") {
            let raw = value.trim();
            let image = raw.trim_matches(['"', '\'']);
            let (name, tag) = match image.rsplit_once(':') {
                Some((n, t)) if !t.contains('/') => (n, Some(t)),
                _ => (image, None),
            };
            let floating = tag.is_none() || tag == Some("latest");
            let plain = name.trim_start_matches("docker.io/").trim_start_matches("library/");
            let known = crate::knowledge::SERVICE_IMAGES
                .iter()
                .find(|s| s.image.split(':').next() == Some(plain));
            if let (true, Some(known), false) = (floating, known, image.contains('$')) {
                let indent = &line[..line.len() - trimmed.len()];
                let why = format!(
                    "pinned {image} to {}: a floating tag changes the database under you",
                    known.image
                );
                out.push(format!("{indent}# Slipway: {why}"));
                out.push(format!("{indent}image: {}", known.image));
                reasons.push(why);
                continue;
            }
        }
        out.push(line.to_string());
    }
    rebuilt(existing, out, reasons)
}

#[cfg(test)]
mod compose_tests {
    use super::improve_compose;

    #[test]
    fn floating_database_images_are_pinned_and_the_rest_is_kept() {
        let mine = "# ours\nservices:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: ${PGPASS}\n  cache:\n    image: \"redis:latest\"\n  app:\n    image: ghcr.io/acme/app:1.4.2\n  other:\n    image: postgres:16\n";
        let (fixed, reasons) = improve_compose(mine).expect("two images float");
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(
            fixed.contains("    # Slipway: pinned postgres to postgres:18-alpine"),
            "{fixed}"
        );
        assert!(fixed.contains("    image: redis:8-alpine\n"), "{fixed}");
        for kept in [
            "# ours\n",
            "POSTGRES_PASSWORD: ${PGPASS}\n",
            "image: ghcr.io/acme/app:1.4.2\n",
            "image: postgres:16\n",
        ] {
            assert!(fixed.contains(kept), "kept {kept:?}:\n{fixed}");
        }
        assert_eq!(improve_compose(&fixed), None, "a second pass has nothing to do");
    }
}
