//! slipway.toml: corrections win over detection, are cited, survive bad lines, and are edited
//! without losing what the user wrote in the file.

use slipway_scan::config::set_correction;
use slipway_scan::scan;

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

const EXPRESS: &str = r#"{"name":"api","scripts":{"start":"node server.js"},"dependencies":{"express":"5"}}"#;

#[test]
fn corrections_replace_detected_values_and_are_cited() {
    let dir = project(&[
        ("package.json", EXPRESS),
        (
            "slipway.toml",
            "# ours\n[services.\".\"]\nport = 8080\nstart_command = \"node dist/server.js\"\nbacking_services = [\"postgres\"]\n",
        ),
    ]);
    let s = scan(dir.path()).unwrap().services.remove(0);
    assert_eq!(s.port, Some(8080), "detected 3000, corrected to 8080");
    assert_eq!(s.start_command.as_deref(), Some("node dist/server.js"));
    assert_eq!(s.backing_services, ["postgres"]);
    assert_eq!(s.corrected, ["port", "start_command", "backing_services"]);
    let cited = s
        .evidence
        .iter()
        .find(|e| e.file == "slipway.toml" && e.reason.starts_with("port"))
        .expect("the correction is cited");
    assert_eq!(cited.line, Some(3));
}

#[test]
fn corrections_add_ignore_and_declare_services() {
    let dir = project(&[
        ("apps/web/package.json", EXPRESS),
        ("tools/seed/package.json", EXPRESS),
        ("jobs/nightly/run.txt", "not a manifest\n"),
        (
            "slipway.toml",
            "[services.\"tools/seed\"]\nignore = true\n\n[services.\"jobs/nightly\"]\nkind = \"worker\"\nstart_command = \"./run\"\n\n[services.\"nowhere\"]\nport = 1\n",
        ),
    ]);
    let p = scan(dir.path()).unwrap();
    let paths: Vec<&str> = p.services.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(paths, ["apps/web", "jobs/nightly"]);
    assert!(p
        .skipped
        .iter()
        .any(|s| s.path == "tools/seed" && s.reason.contains("slipway.toml")));
    let nightly = &p.services[1];
    assert_eq!(nightly.kind, "worker");
    assert_eq!(nightly.start_command.as_deref(), Some("./run"));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.path == "slipway.toml" && w.message.contains("line 8") && w.message.contains("nowhere")),
        "a correction for a missing folder says where: {:?}",
        p.warnings
    );
}

#[test]
fn bad_corrections_are_warnings_and_the_rest_still_applies() {
    let dir = project(&[
        ("package.json", EXPRESS),
        (
            "slipway.toml",
            "[services.\".\"]\nport = \"eighty\"\ncolour = \"blue\"\nkind = \"daemon\"\nframework = \"koa\"\n",
        ),
    ]);
    let p = scan(dir.path()).unwrap();
    let s = &p.services[0];
    assert_eq!(s.port, Some(3000), "a bad port leaves the detected one");
    assert_eq!(s.kind, "web");
    assert_eq!(s.framework.as_deref(), Some("koa"), "the good line still applies");
    let messages: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("line 2") && m.contains("port")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("line 3") && m.contains("colour")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("line 4") && m.contains("web, static or worker")),
        "{messages:?}"
    );

    let dir = project(&[
        ("package.json", EXPRESS),
        ("slipway.toml", "[services.\".\"\nport = 1\n"),
    ]);
    let p = scan(dir.path()).unwrap();
    assert_eq!(p.services[0].port, Some(3000));
    assert!(
        p.warnings[0].message.contains("invalid TOML at line 1"),
        "{:?}",
        p.warnings
    );
}

#[test]
fn editing_keeps_the_users_comments_and_other_entries() {
    let original = "# Our deployment notes: keep this.\n[services.\"apps/web\"]\n# the CDN wants 8080\nport = 8080\n";
    let dir = project(&[("apps/web/package.json", EXPRESS), ("slipway.toml", original)]);
    let root = dir.path();
    set_correction(
        root,
        "apps/web",
        "start_command",
        Some(&serde_json::json!("node server.js")),
    )
    .unwrap();
    set_correction(root, "./apps/api/", "port", Some(&serde_json::json!("9000"))).unwrap();
    let text = std::fs::read_to_string(root.join("slipway.toml")).unwrap();
    assert!(text.starts_with("# Our deployment notes: keep this.\n"), "{text}");
    assert!(text.contains("# the CDN wants 8080\nport = 8080\n"), "{text}");
    assert!(text.contains("start_command = \"node server.js\""), "{text}");
    assert!(text.contains("[services.\"apps/api\"]\nport = 9000"), "{text}");

    // Clearing a field removes the line, and an emptied table goes away.
    set_correction(root, "apps/api", "port", None).unwrap();
    let text = std::fs::read_to_string(root.join("slipway.toml")).unwrap();
    assert!(!text.contains("apps/api"), "{text}");
    assert_eq!(scan(root).unwrap().services[0].port, Some(8080));
}

#[test]
fn editing_refuses_bad_values_and_unreadable_files_without_touching_them() {
    let dir = project(&[("package.json", EXPRESS)]);
    let root = dir.path();
    for (field, value, says) in [
        ("port", serde_json::json!(70000), "1 to 65535"),
        ("kind", serde_json::json!("daemon"), "web, static or worker"),
        ("start_command", serde_json::json!(""), "must not be empty"),
        ("colour", serde_json::json!("blue"), "not a field"),
    ] {
        let e = set_correction(root, ".", field, Some(&value)).unwrap_err().to_string();
        assert!(e.contains(says), "{field}: {e}");
    }
    assert!(
        !root.join("slipway.toml").exists(),
        "nothing written for refused values"
    );

    let broken = "[services.\".\"\nport = 1 # half-typed\n";
    std::fs::write(root.join("slipway.toml"), broken).unwrap();
    let e = set_correction(root, ".", "port", Some(&serde_json::json!(8080))).unwrap_err();
    assert!(e.to_string().contains("fix it by hand first"), "{e}");
    assert_eq!(std::fs::read_to_string(root.join("slipway.toml")).unwrap(), broken);
}

#[test]
fn a_new_file_explains_itself() {
    let dir = project(&[("package.json", EXPRESS)]);
    set_correction(dir.path(), ".", "health_path", Some(&serde_json::json!("/livez"))).unwrap();
    let text = std::fs::read_to_string(dir.path().join("slipway.toml")).unwrap();
    assert!(
        text.starts_with("# Corrections to Slipway's project analysis."),
        "{text}"
    );
    let s = scan(dir.path()).unwrap().services.remove(0);
    assert_eq!(s.health_path.as_deref(), Some("/livez"));
    assert_eq!(s.corrected, ["health_path"]);
}

/// The Pulumi programs Slipway writes (and any the person has) are infrastructure: a second run
/// over a project with `infra/azure/__main__.py` or `infra/gcp/package.json` finds the same
/// services as the first, not a Python or Node service per stack.
#[test]
fn pulumi_projects_are_not_services() {
    let dir = project(&[
        ("package.json", EXPRESS),
        ("infra/azure/Pulumi.yaml", "name: shop\nruntime:\n  name: python\n"),
        ("infra/azure/__main__.py", "import pulumi\n"),
        ("infra/azure/requirements.txt", "pulumi==3.272.0\n"),
        (
            "infra/azure/bootstrap/Pulumi.yaml",
            "name: shop-bootstrap\nruntime: python\n",
        ),
        ("infra/azure/bootstrap/requirements.txt", "pulumi==3.272.0\n"),
        ("infra/gcp/Pulumi.yaml", "name: shop\nruntime: nodejs\n"),
        (
            "infra/gcp/package.json",
            r#"{"name":"shop-infra","main":"index.ts","dependencies":{"@pulumi/pulumi":"3.0.0"}}"#,
        ),
        ("infra/gcp/index.ts", "import * as pulumi from \"@pulumi/pulumi\";\n"),
    ]);
    let services = scan(dir.path()).unwrap().services;
    assert_eq!(
        services.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(),
        ["."],
        "{services:#?}"
    );
}
