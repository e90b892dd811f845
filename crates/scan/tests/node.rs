//! The Node.js detector on small projects written into temporary folders, one variant each:
//! lockfiles, the packageManager field, version sources, ports, and broken manifests.

use std::path::Path;

use slipway_scan::{scan, ServiceProfile};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

fn service(dir: &Path) -> ServiceProfile {
    let profile = scan(dir).unwrap();
    assert_eq!(profile.services.len(), 1, "one service: {profile:#?}");
    profile.services.into_iter().next().unwrap()
}

/// Extra files, then the package manager, lockfile and install command expected.
type PmCase = (
    &'static [(&'static str, &'static str)],
    &'static str,
    Option<&'static str>,
    &'static str,
);

const NEXT: &str =
    r#"{"name":"web","scripts":{"build":"next build","start":"next start"},"dependencies":{"next":"15.5.4"}}"#;

#[test]
fn package_managers_come_from_lockfiles_and_the_package_manager_field() {
    let cases: &[PmCase] = &[
        (
            &[("package-lock.json", "{}")],
            "npm",
            Some("package-lock.json"),
            "npm ci",
        ),
        (&[], "npm", None, "npm install"),
        (
            &[("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")],
            "pnpm",
            Some("pnpm-lock.yaml"),
            "pnpm install --frozen-lockfile",
        ),
        (
            &[("yarn.lock", "# yarn lockfile v1\n")],
            "yarn",
            Some("yarn.lock"),
            "yarn install --frozen-lockfile",
        ),
        (
            &[
                ("yarn.lock", "__metadata:\n"),
                (".yarnrc.yml", "nodeLinker: node-modules\n"),
            ],
            "yarn",
            Some("yarn.lock"),
            "yarn install --immutable",
        ),
        (
            &[("bun.lock", "{}")],
            "bun",
            Some("bun.lock"),
            "bun install --frozen-lockfile",
        ),
    ];
    for (extra, pm, lock, install) in cases {
        let mut files = vec![("package.json", NEXT)];
        files.extend_from_slice(extra);
        let dir = project(&files);
        let s = service(dir.path());
        assert_eq!(s.package_manager.as_deref(), Some(*pm), "{extra:?}");
        assert_eq!(s.lockfile.as_deref(), *lock, "{extra:?}");
        assert_eq!(s.install_command.as_deref(), Some(*install), "{extra:?}");
    }

    // Yarn 4 named in packageManager, with its lockfile: Berry's flags, and the reason cited.
    let manifest = r#"{"name":"web","packageManager":"yarn@4.5.0","dependencies":{"next":"15.5.4"}}"#;
    let dir = project(&[("package.json", manifest), ("yarn.lock", "__metadata:\n")]);
    let s = service(dir.path());
    assert_eq!(s.install_command.as_deref(), Some("yarn install --immutable"));
    assert!(
        s.evidence.iter().any(|e| e.reason.contains("Yarn Berry")),
        "{:#?}",
        s.evidence
    );

    // pnpm named only in packageManager: no lockfile to copy.
    let manifest = r#"{"name":"web","packageManager":"pnpm@9.15.9","dependencies":{"next":"15.5.4"}}"#;
    let dir = project(&[("package.json", manifest)]);
    let s = service(dir.path());
    assert_eq!(s.package_manager.as_deref(), Some("pnpm"));
    assert_eq!(s.lockfile, None, "a lockfile that does not exist is never claimed");
}

#[test]
fn node_versions_come_from_nvmrc_node_version_and_engines() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[(".nvmrc", "v20.11.1\n")], "20.11.1"),
        (&[(".nvmrc", "lts/iron\n")], "20"),
        (&[(".nvmrc", "lts/*\n")], "24"),
        (&[(".node-version", "22\n")], "22"),
        (&[(".nvmrc", "# pinned\n\n18\n")], "18"),
    ];
    for (files, want) in cases {
        let mut all = vec![("package.json", NEXT)];
        all.extend_from_slice(files);
        let dir = project(&all);
        assert_eq!(service(dir.path()).runtime_version.as_deref(), Some(*want), "{files:?}");
    }
    let engines = r#"{"name":"web","engines":{"node":"^20.11 || ^22"},"dependencies":{"next":"15"}}"#;
    let dir = project(&[("package.json", engines)]);
    let s = service(dir.path());
    assert_eq!(
        s.runtime_version.as_deref(),
        Some("22"),
        "the newest LTS line the range allows"
    );
    let e = s
        .evidence
        .iter()
        .find(|e| e.reason.contains("engines.node"))
        .expect("cited");
    assert_eq!(e.line, Some(1), "the evidence points at the engines line");

    let dir = project(&[("package.json", NEXT)]);
    let s = service(dir.path());
    assert_eq!(s.runtime_version.as_deref(), Some("24"), "no pin: the current LTS");
    assert!(
        s.evidence
            .iter()
            .any(|e| e.reason.contains("no Node.js version pinned")),
        "and it says so"
    );

    let dir = project(&[("package.json", NEXT), (".nvmrc", "banana\n")]);
    let profile = scan(dir.path()).unwrap();
    assert!(
        profile
            .warnings
            .iter()
            .any(|w| w.path == ".nvmrc" && w.message.contains("banana")),
        "an unreadable .nvmrc is a warning naming the file: {:?}",
        profile.warnings
    );
}

#[test]
fn ports_come_from_the_start_script_or_the_framework_default() {
    for (start, port) in [
        ("next start -p 4000", 4000),
        ("next start --port=5050", 5050),
        ("PORT=8080 next start", 8080),
        ("next start", 3000),
    ] {
        let manifest = format!(r#"{{"name":"web","scripts":{{"start":"{start}"}},"dependencies":{{"next":"15"}}}}"#);
        let dir = project(&[("package.json", &manifest)]);
        assert_eq!(service(dir.path()).port, Some(port), "{start}");
    }
}

#[test]
fn standalone_output_is_read_from_the_config_but_not_from_comments() {
    let dir = project(&[
        ("package.json", NEXT),
        ("next.config.js", "module.exports = {\n  output: 'standalone',\n};\n"),
    ]);
    let n = service(dir.path()).nextjs.unwrap();
    assert!(n.standalone);
    assert_eq!(n.config_file.as_deref(), Some("next.config.js"));
    let dir = project(&[
        ("package.json", NEXT),
        ("next.config.mjs", "// output: \"standalone\",\nexport default {};\n"),
    ]);
    assert!(
        !service(dir.path()).nextjs.unwrap().standalone,
        "a commented-out line does not count"
    );
}

#[test]
fn broken_manifests_are_warnings_not_failures() {
    let dir = project(&[("package.json", "{ \"name\": \"web\",\n  \"dependencies\": { \n")]);
    let profile = scan(dir.path()).unwrap();
    assert!(profile.services.is_empty());
    let w = &profile.warnings[0];
    assert_eq!(w.path, "package.json");
    assert!(w.message.contains("invalid JSON at line"), "says where: {}", w.message);

    let dir = project(&[("package.json", "[1, 2]")]);
    assert!(scan(dir.path()).unwrap().warnings[0]
        .message
        .contains("not a JSON object"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), [0xff, 0xfe, 0x41]).unwrap();
    let profile = scan(dir.path()).unwrap();
    assert!(
        profile.warnings[0].message.contains("not UTF-8"),
        "{:?}",
        profile.warnings
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), [b'{', 0x00, b'}']).unwrap();
    let profile = scan(dir.path()).unwrap();
    assert!(profile.warnings[0].message.contains("binary"), "{:?}", profile.warnings);
}

#[test]
fn backing_services_come_from_dependencies_and_prisma() {
    let manifest = r#"{"name":"api","dependencies":{"pg":"8","ioredis":"5","@prisma/client":"6","next":"15"}}"#;
    let schema = "datasource db {\n  provider = \"mysql\"\n  url = env(\"DATABASE_URL\")\n}\n";
    let dir = project(&[("package.json", manifest), ("prisma/schema.prisma", schema)]);
    let s = service(dir.path());
    assert_eq!(s.backing_services, ["mysql", "postgres", "redis"]);
    let e = s
        .evidence
        .iter()
        .find(|e| e.file == "prisma/schema.prisma")
        .expect("Prisma cited");
    assert_eq!(e.line, Some(2));
}
