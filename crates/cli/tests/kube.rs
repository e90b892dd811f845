//! Kubernetes manifests through the `slipway` command, checked by independent tools: every
//! fixture is deployed to Kubernetes with autoscaling on its own host, some also through the
//! Gateway API with a VerticalPodAutoscaler and high availability; kubernetes-validate checks
//! every object strictly against the schemas of Kubernetes 1.30 and 1.37, the custom resources
//! are checked against their CRDs' schemas, and checkov's Kubernetes checks find nothing in
//! what the reflection claims to cover. The figures are printed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// checkov's Kubernetes checks that the reflection's own rules cover: on Slipway's output none
/// of them may fail.
const COVERED: &[(&str, &str)] = &[
    ("CKV_K8S_10", "CPU requests"),
    ("CKV_K8S_11", "CPU limits"),
    ("CKV_K8S_12", "memory requests"),
    ("CKV_K8S_13", "memory limits"),
    ("CKV_K8S_14", "image tag fixed"),
    ("CKV_K8S_16", "not privileged"),
    ("CKV_K8S_17", "host PID"),
    ("CKV_K8S_18", "host IPC"),
    ("CKV_K8S_19", "host network"),
    ("CKV_K8S_20", "no privilege escalation"),
    ("CKV_K8S_21", "not the default namespace"),
    ("CKV_K8S_22", "read-only root filesystem"),
    ("CKV_K8S_23", "no root containers"),
    ("CKV_K8S_28", "NET_RAW dropped"),
    ("CKV_K8S_29", "security context"),
    ("CKV_K8S_30", "container security context"),
    ("CKV_K8S_31", "seccomp"),
    ("CKV_K8S_37", "capabilities"),
    ("CKV_K8S_38", "service account token"),
    ("CKV_K8S_40", "high UID"),
];

/// Checks the reflection covers only for workloads that serve a port: a worker has no endpoint
/// a probe could ask.
const COVERED_FOR_SERVERS: &[&str] = &["CKV_K8S_8", "CKV_K8S_9"];

/// checkov 3.3.30's Kubernetes findings on the Deployment that each anchor generates, measured
/// on 2026-12-02 (the files are theirs and stay out of this repository): Azure Draft's golden
/// manifest (pkg/fixtures/deployments/manifest) fails 8 checks, `helm create` 4.1.4's
/// rendered chart 17. No Deployment Slipway writes may have more findings than the better of
/// the two.
const CALIBRATION: (usize, usize) = (8, 17);

fn run(tool: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()))
}

#[test]
fn manifests_pass_kubernetes_validate_the_crd_schemas_and_checkov() {
    let all = tempfile::tempdir().unwrap();
    let mut manifests: Vec<String> = Vec::new();
    // kubectl kustomize and checkov look at the project's files, not at .example skeletons.
    let mut failures = Vec::new();
    let mut projects = 0;
    let names = fixture_names();
    for (i, name) in names.iter().enumerate() {
        let p = Project::plain(name);
        let host = format!("{}.example.com", name.replace('_', "-"));
        // Every fourth project goes through the Gateway API, with a VPA and high availability;
        // every other one is packaged with Kustomize (the Gateway ones among them too); every
        // third reads its secrets through the External Secrets Operator.
        let mut task = if i % 4 == 0 {
            format!("deploy it to Kubernetes with autoscaling, high availability, a VPA and the Gateway API on {host}")
        } else {
            format!("deploy it to Kubernetes with autoscaling on {host}")
        };
        if i % 2 == 0 {
            task.push_str(", packaged with Kustomize");
        }
        if i % 3 == 1 {
            task.push_str(", secrets from External Secrets");
        }
        let out = slipway(&["run", p.path(), "--task", &task, "--apply", "--json"]);
        if !out.status.success() {
            let why = stderr(&out);
            if why.contains("found no service") || why.contains("cannot containerize") || why.contains("Slipway cannot")
            {
                continue;
            }
            failures.push(format!("{name}: the run failed: {why}"));
            continue;
        }
        projects += 1;
        let report = json(&out);
        let written: Vec<String> = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap().to_string())
            .collect();
        for f in report["findings"].as_array().unwrap() {
            let path = f["path"].as_str().unwrap_or("");
            if path.starts_with("k8s/") && f["severity"] != "info" {
                failures.push(format!("{name}: the reflection says of its own {path}: {f}"));
            }
        }
        if !written.iter().any(|w| w.ends_with("deployment.yaml")) {
            failures.push(format!("{name}: no Deployment was written: {written:?}"));
        }
        for w in written.iter().filter(|w| w.starts_with("k8s/")) {
            let to = all.path().join(name).join(w);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(p.work.join(w), &to).unwrap();
            if w.ends_with(".yaml") || w.ends_with(".yaml.example") {
                manifests.push(format!("{name}/{w}"));
            }
        }
    }
    assert!(projects >= 80, "only {projects} fixtures were deployed");

    // Every Kustomize overlay renders with kubectl's kustomize, and what it renders is checked
    // below like the plain manifests; every kustomization.yaml fits SchemaStore's schema.
    let mut overlays = 0;
    let mut kustomizations = Vec::new();
    for m in manifests.clone() {
        if !m.ends_with("/kustomization.yaml") {
            continue;
        }
        kustomizations.push(m.clone());
        if !m.contains("/overlays/") {
            continue;
        }
        let dir = m.trim_end_matches("/kustomization.yaml");
        let out = run(&tool("kubectl"), &["kustomize", dir], all.path());
        if !out.status.success() {
            failures.push(format!("kubectl kustomize {dir}: {}", stderr(&out)));
            continue;
        }
        overlays += 1;
        let rendered = format!("rendered/{}.yaml", dir.replace('/', "_"));
        std::fs::create_dir_all(all.path().join("rendered")).unwrap();
        std::fs::write(all.path().join(&rendered), &out.stdout).unwrap();
        manifests.push(rendered);
    }
    manifests.retain(|m| !m.ends_with("/kustomization.yaml"));
    let mut a = vec![
        "--schemafile".to_string(),
        repo_root()
            .join("tests/schemas/kustomization.json")
            .to_string_lossy()
            .to_string(),
    ];
    a.extend(kustomizations.iter().cloned());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = run(&tool("check-jsonschema"), &a, all.path());
    if !out.status.success() {
        failures.push(format!("kustomization schema: {}{}", stdout(&out), stderr(&out)));
    }
    eprintln!(
        "kustomize: {overlays} overlays rendered by kubectl kustomize; {} kustomization.yaml files fit the schema",
        kustomizations.len()
    );
    if overlays < 40 {
        failures.push(format!("only {overlays} overlays were rendered"));
    }
    let args: Vec<&str> = manifests.iter().map(String::as_str).collect();

    // kubernetes-validate, strict, at the oldest and newest minor versions in support.
    for version in ["1.30.0", "1.37.0"] {
        let mut a = vec!["--strict", "--quiet", "-k", version];
        a.extend(&args);
        let out = run(&tool("kubernetes-validate"), &a, all.path());
        let text = format!("{}{}", stdout(&out), stderr(&out));
        let errors: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("ERROR") || l.contains("Error"))
            .collect();
        if !out.status.success() || !errors.is_empty() {
            failures.push(format!("kubernetes-validate {version}: {}", errors.join("\n")));
        }
        eprintln!(
            "kubernetes-validate --strict -k {version}: {} files of {projects} projects, {} errors",
            manifests.len(),
            errors.len()
        );
    }

    // The custom resources against their CRDs' schemas.
    let mut a = vec![
        repo_root()
            .join("tests/tools/crd_check.py")
            .to_string_lossy()
            .to_string(),
        repo_root().join("tests/schemas/crds").to_string_lossy().to_string(),
    ];
    a.extend(manifests.iter().cloned());
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = run(&tool("python"), &a, all.path());
    let text = stdout(&out);
    eprintln!("CRD schemas: {}", text.lines().last().unwrap_or(""));
    if !out.status.success() {
        failures.push(format!("CRD schemas: {text}{}", stderr(&out)));
    }
    for kind in ["ClusterIssuer", "HTTPRoute", "Gateway", "VerticalPodAutoscaler"] {
        if !manifests
            .iter()
            .any(|m| std::fs::read_to_string(all.path().join(m)).is_ok_and(|t| t.contains(&format!("kind: {kind}\n"))))
        {
            failures.push(format!("no {kind} was written, so none was checked against its schema"));
        }
    }

    // checkov's Kubernetes checks, on the written files (the rendered overlays are the same
    // objects again, so they are left out of the counts).
    std::fs::remove_dir_all(all.path().join("rendered")).ok();
    let out = run(
        &tool("checkov"),
        &[
            "-d",
            ".",
            "--framework",
            "kubernetes",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        all.path(),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let reports = match report {
        Value::Array(a) => a,
        Value::Object(_) => vec![report],
        _ => vec![],
    };
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    let mut passed = 0;
    let mut workloads = std::collections::BTreeSet::new();
    let mut per_workload: BTreeMap<String, usize> = BTreeMap::new();
    for r in &reports {
        for f in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            let id = f["check_id"].as_str().unwrap_or("").to_string();
            *failed.entry(id.clone()).or_default() += 1;
            let file = f["file_path"].as_str().unwrap_or("").trim_start_matches('/');
            let serves = std::fs::read_to_string(all.path().join(file)).is_ok_and(|t| t.contains("containerPort"));
            if COVERED.iter().any(|(c, _)| *c == id) || serves && COVERED_FOR_SERVERS.contains(&id.as_str()) {
                failures.push(format!(
                    "checkov {id} ({}) fails {} {}",
                    f["check_name"], f["file_path"], f["resource"]
                ));
            }
            if f["resource"].as_str().is_some_and(|r| r.starts_with("Deployment.")) {
                workloads.insert(format!("{}{}", f["file_path"], f["resource"]));
                *per_workload
                    .entry(format!("{} {}", f["file_path"], f["resource"]))
                    .or_default() += 1;
            }
        }
        for f in r["results"]["passed_checks"].as_array().into_iter().flatten() {
            passed += 1;
            if f["resource"].as_str().is_some_and(|r| r.starts_with("Deployment.")) {
                workloads.insert(format!("{}{}", f["file_path"], f["resource"]));
            }
        }
    }
    let total: usize = failed.values().sum();
    eprintln!(
        "checkov kubernetes: {passed} checks passed; {total} findings over {} Deployments ({:.1} per workload): {failed:?}",
        workloads.len(),
        total as f64 / workloads.len().max(1) as f64
    );
    let worst = per_workload.iter().max_by_key(|(_, n)| **n);
    eprintln!(
        "checkov: at most {} findings on one Deployment ({}); calibration: Draft {}, helm create {}",
        worst.map_or(0, |w| *w.1),
        worst.map_or("none", |w| w.0.as_str()),
        CALIBRATION.0,
        CALIBRATION.1
    );
    for (w, n) in &per_workload {
        if *n > CALIBRATION.0.min(CALIBRATION.1) {
            failures.push(format!(
                "{w}: {n} checkov findings, more than Draft's {}",
                CALIBRATION.0
            ));
        }
    }
    if passed == 0 || workloads.len() < projects {
        failures.push(format!(
            "checkov checked {} Deployments of {projects} projects",
            workloads.len()
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
