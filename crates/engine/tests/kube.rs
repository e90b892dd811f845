//! The Kubernetes family on every fixture project: each generated file must match its
//! reviewed snapshot in tests/snapshots-kube/, every object must read back into its
//! `k8s-openapi` type, the reflection's own checks must find nothing to say about it, and the
//! objects must agree with each other and with the analysis (ports, probe paths, user ids).
//! Then the seed's third example field by field, the refusals of bad input, and generated
//! specs at random. Helm charts are checked as the objects their templates render with the
//! default values; a few of them are snapshotted whole. Run with `UPDATE_SNAPSHOTS=1` to rewrite the snapshots, then review the
//! diff.

use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use libtest_mimic::{Arguments, Failed, Trial};
use serde_yaml_ng::Value;
use slipway_engine::kube::{self, checks};
use slipway_engine::params::{self, Route, Target, TaskParams};
use slipway_engine::{spec, Severity};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots-kube")
}

fn compare(path: &Path, actual: &str) -> Result<(), String> {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => Ok(()),
        _ if update => {
            std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(path, actual).map_err(|e| e.to_string())
        }
        Ok(expected) => Err(format!(
            "{} changed (UPDATE_SNAPSHOTS=1 rewrites it once the change is right):\n{}",
            path.display(),
            similar::TextDiff::from_lines(expected.as_str(), actual)
                .unified_diff()
                .header("snapshot", "now")
        )),
        Err(_) => Err(format!(
            "no snapshot {} yet: run with UPDATE_SNAPSHOTS=1, then review it",
            path.display()
        )),
    }
}

/// Every document of a generated file reads back into its Kubernetes type, field for field.
fn round_trip(path: &str, text: &str) -> Result<(), String> {
    for d in serde_yaml_ng::Deserializer::from_str(text) {
        let v: Value = serde::Deserialize::deserialize(d).map_err(|e| format!("{path}: {e}"))?;
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
        fn back<T: serde::de::DeserializeOwned + serde::Serialize>(v: &Value) -> Result<(), String> {
            let typed: T = serde_yaml_ng::from_value(v.clone()).map_err(|e| e.to_string())?;
            let again = serde_yaml_ng::to_value(&typed).map_err(|e| e.to_string())?;
            if &again != v {
                return Err(format!(
                    "fields were lost or changed on the way back:\nwritten {v:?}\nread back {again:?}"
                ));
            }
            Ok(())
        }
        let r = match kind.as_str() {
            "Deployment" => back::<Deployment>(&v),
            "StatefulSet" => back::<k8s_openapi::api::apps::v1::StatefulSet>(&v),
            "Job" => back::<k8s_openapi::api::batch::v1::Job>(&v),
            "Service" => back::<Service>(&v),
            "Ingress" => back::<Ingress>(&v),
            "HorizontalPodAutoscaler" => back::<HorizontalPodAutoscaler>(&v),
            "PodDisruptionBudget" => back::<PodDisruptionBudget>(&v),
            "NetworkPolicy" => back::<NetworkPolicy>(&v),
            "ServiceAccount" => back::<ServiceAccount>(&v),
            "ConfigMap" => back::<ConfigMap>(&v),
            "Secret" => back::<Secret>(&v),
            "Namespace" => back::<Namespace>(&v),
            "Pod" => back::<Pod>(&v),
            // Their schemas are the CRDs' and kustomize's, checked by the CLI test.
            "ClusterIssuer"
            | "Gateway"
            | "HTTPRoute"
            | "VerticalPodAutoscaler"
            | "ExternalSecret"
            | "Rollout"
            | "AnalysisTemplate"
            | "PodMonitor"
            | "VirtualService"
            | "DestinationRule"
            | "Kustomization" => Ok(()),
            other => Err(format!("an object of kind {other:?} nobody expected")),
        };
        r.map_err(|e| format!("{path} ({kind}): {e}"))?;
    }
    Ok(())
}

fn params_for(host: &str, autoscale: bool) -> TaskParams {
    TaskParams {
        targets: vec![Target::Kubernetes],
        host: Some(host.into()),
        autoscale,
        ..Default::default()
    }
}

/// Generates for `profile` and checks what every generation must hold; returns the files.
fn generate_and_check(profile: &slipway_scan::ProjectProfile, p: &TaskParams) -> Result<Vec<(String, String)>, String> {
    let spec = spec::build(profile, p);
    let g = kube::generate(&spec, &kube::image_facts(profile), kube::remote_url(profile).as_deref())?;
    let files: Vec<(String, String)> = g
        .artifacts
        .iter()
        .map(|a| (a.path.clone(), a.content.clone()))
        .collect();
    let mut problems = Vec::new();
    let helm = spec.kube.packaging == params::Packaging::Helm;
    if helm == g.rendered.is_empty() {
        problems.push(format!(
            "{} rendered templates with {:?}",
            g.rendered.len(),
            spec.kube.packaging
        ));
    }
    // A chart's templates are read as what they render; its other files are not objects.
    let objects: Vec<(String, String)> = files
        .iter()
        .filter(|(p, _)| !p.starts_with("charts/"))
        .chain(g.rendered.iter())
        .cloned()
        .collect();
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with("charts/")) {
        if path.ends_with(".json") {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
                problems.push(format!("{path}: {e}"));
            }
        } else if path.contains("/templates/") && path.ends_with(".yaml") {
            if !g.rendered.iter().any(|(p, _)| p == path) {
                problems.push(format!("{path}: a template with no rendered objects"));
            }
        } else if path.ends_with(".yaml") && serde_yaml_ng::from_str::<Value>(text).is_err() {
            problems.push(format!("{path}: not YAML"));
        }
    }
    for (path, text) in &objects {
        if path.ends_with(".md") {
            continue;
        }
        if let Err(e) = round_trip(path, text) {
            problems.push(e);
        }
        for f in slipway_engine::check::check_file(path, text, &profile.services) {
            if f.severity != Severity::Info || f.rule != "kubernetes/low-uid" {
                problems.push(format!("the reflection says of {path}: {} {}", f.rule, f.message));
            }
        }
    }
    let manifests: Vec<(String, String)> = objects.iter().filter(|(p, _)| p.ends_with(".yaml")).cloned().collect();
    for f in checks::check_consistency(&manifests, &profile.services) {
        problems.push(format!("{}:{}: {} {}", f.path, f.line.unwrap_or(0), f.rule, f.message));
    }
    // The pods run as the image's user, above 10000, and listen where the analysis says.
    for svc in &spec.services {
        let name = kube::name_of(&svc.name);
        let root = if spec.kube.packaging == params::Packaging::Kustomize {
            "k8s/base"
        } else {
            "k8s"
        };
        let dir = if helm {
            format!("{}/templates", kube::helm::chart_dir(&spec, &name))
        } else if spec.is_monorepo() {
            format!("{root}/{name}")
        } else {
            root.to_string()
        };
        let (kind, file) = kube::workload_of(svc);
        let Some((_, text)) = objects.iter().find(|(p, _)| *p == format!("{dir}/{file}")) else {
            problems.push(format!("no {kind} for {}", svc.name));
            continue;
        };
        let pod = if kind == "StatefulSet" {
            let d: k8s_openapi::api::apps::v1::StatefulSet =
                serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
            d.spec.unwrap().template.spec.unwrap()
        } else {
            let d: Deployment = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
            d.spec.unwrap().template.spec.unwrap()
        };
        let uid = pod.security_context.as_ref().and_then(|s| s.run_as_user);
        let want = kube::image_facts(profile)
            .into_iter()
            .find(|i| i.service == svc.name)
            .and_then(|i| i.user)
            .map(|u| i64::from(u.0))
            .unwrap_or(10001);
        if uid != Some(want) {
            problems.push(format!("{}: the pod runs as {uid:?}, the image as {want}", svc.name));
        }
        if svc.kind != "worker" && svc.port.is_some() {
            let c = &pod.containers[0];
            let port = c.ports.as_ref().and_then(|p| p.first()).map(|p| p.container_port);
            if port != svc.port.map(i32::from) {
                problems.push(format!(
                    "{}: container port {port:?}, analysis {:?}",
                    svc.name, svc.port
                ));
            }
            if let Some(h) = &svc.health_path {
                let live = c
                    .liveness_probe
                    .as_ref()
                    .and_then(|p| p.http_get.as_ref())
                    .and_then(|g| g.path.clone());
                let ready = c
                    .readiness_probe
                    .as_ref()
                    .and_then(|p| p.http_get.as_ref())
                    .and_then(|g| g.path.clone());
                if svc.deep_health_paths.contains(h) && live.as_deref() == Some(h.as_str()) {
                    problems.push(format!(
                        "{}: liveness on {h}, whose handler reaches a dependency",
                        svc.name
                    ));
                }
                let want_ready = svc.readiness_path.clone().unwrap_or(h.clone());
                if ready.as_deref() != Some(want_ready.as_str()) {
                    problems.push(format!("{}: readiness on {ready:?}, not {want_ready}", svc.name));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems.join("\n"))
    }
}

/// The projects whose charts are snapshotted file by file: one service with a database, a
/// monorepo with a worker, a Next.js app; every other chart is checked but not kept.
const HELM_SNAPSHOTS: &[&str] = &["python-fastapi-k8s", "mono-polyglot", "node-nextjs-pnpm-postgres"];

fn check(name: &str) -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join(name)).map_err(|e| e.to_string())?;
    if profile.services.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    for (packaging, folder) in [
        (params::Packaging::Manifests, name.to_string()),
        (params::Packaging::Kustomize, format!("{name}.kustomize")),
        (params::Packaging::Helm, format!("{name}.helm")),
    ] {
        let p = TaskParams {
            packaging: Some(packaging),
            ..params_for(&format!("{}.example.com", kube::name_of(name)), true)
        };
        let files = generate_and_check(&profile, &p)?;
        if packaging == params::Packaging::Kustomize {
            for env in ["staging", "production"] {
                if !files
                    .iter()
                    .any(|(f, _)| *f == format!("k8s/overlays/{env}/kustomization.yaml"))
                {
                    errors.push(format!("no {env} overlay"));
                }
            }
        }
        if packaging == params::Packaging::Helm && !HELM_SNAPSHOTS.contains(&name) {
            continue;
        }
        for (path, text) in &files {
            if let Err(e) = compare(&snapshots().join(&folder).join(path), text) {
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n").into())
    }
}

fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut at = v;
    for k in path.split('.') {
        at = match k.parse::<usize>() {
            Ok(i) => &at[i],
            Err(_) => &at[k],
        };
    }
    at
}

/// The seed's third example: "Deploy this service to Kubernetes with autoscaling", on
/// api.example.com.
fn seed_example() -> Result<(), Failed> {
    let task =
        slipway_engine::task::understand("Deploy this service to Kubernetes with autoscaling on api.example.com")
            .map_err(|e| e.to_string())?;
    if !task.wants(slipway_engine::Intent::Kubernetes) {
        return Err("the task is not read as a Kubernetes deploy".into());
    }
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let files = generate_and_check(&profile, &task.params)?;
    let read = |p: &str| -> Value {
        let text = &files
            .iter()
            .find(|(f, _)| f == p)
            .unwrap_or_else(|| panic!("{p} is written"))
            .1;
        serde_yaml_ng::from_str(text).unwrap()
    };
    let d = read("k8s/deployment.yaml");
    let c = get(&d, "spec.template.spec.containers.0");
    let mut wrong = Vec::new();
    // The checklist in the app names exactly the Secret keys the pods read, and where they go.
    let read_keys = secret_refs(c);
    if read_keys.is_empty() {
        wrong.push("the Deployment reads no Secret, though the service needs a database".into());
    }
    let spec = spec::build(&profile, &task.params);
    let listed: Vec<(String, String)> = kube::cluster_secrets(&spec)
        .into_iter()
        .filter(|r| r.secret)
        .map(|r| {
            let secret = r.place.split_whitespace().nth(2).unwrap_or("").to_string();
            (secret, r.name)
        })
        .collect();
    if listed != read_keys {
        wrong.push(format!("the checklist lists {listed:?}, the pods read {read_keys:?}"));
    }
    let mut want = |what: &str, got: &Value, expected: Value| {
        if *got != expected {
            wrong.push(format!("{what}: {got:?}, want {expected:?}"));
        }
    };
    want("requests cpu", get(c, "resources.requests.cpu"), "250m".into());
    want("requests memory", get(c, "resources.requests.memory"), "256Mi".into());
    want("limits cpu", get(c, "resources.limits.cpu"), "500m".into());
    want("limits memory", get(c, "resources.limits.memory"), "512Mi".into());
    want("liveness", get(c, "livenessProbe.httpGet.path"), "/health".into());
    want("readiness", get(c, "readinessProbe.httpGet.path"), "/ready".into());
    want("container port", get(c, "ports.0.containerPort"), 8000.into());
    want(
        "run as",
        get(&d, "spec.template.spec.securityContext.runAsUser"),
        10001.into(),
    );
    want(
        "max unavailable",
        get(&d, "spec.strategy.rollingUpdate.maxUnavailable"),
        0.into(),
    );
    want("replicas left to the autoscaler", get(&d, "spec.replicas"), Value::Null);
    let s = read("k8s/service.yaml");
    want("service type", get(&s, "spec.type"), "ClusterIP".into());
    want("service port", get(&s, "spec.ports.0.port"), 8000.into());
    want("service target", get(&s, "spec.ports.0.targetPort"), "http".into());
    want(
        "service selector",
        get(&s, "spec.selector"),
        get(&d, "spec.selector.matchLabels").clone(),
    );
    let h = read("k8s/hpa.yaml");
    want("hpa min", get(&h, "spec.minReplicas"), 2.into());
    want("hpa max", get(&h, "spec.maxReplicas"), 10.into());
    want(
        "hpa cpu",
        get(&h, "spec.metrics.0.containerResource.target.averageUtilization"),
        70.into(),
    );
    want(
        "scale up window",
        get(&h, "spec.behavior.scaleUp.stabilizationWindowSeconds"),
        30.into(),
    );
    want(
        "scale down window",
        get(&h, "spec.behavior.scaleDown.stabilizationWindowSeconds"),
        300.into(),
    );
    let i = read("k8s/ingress.yaml");
    want("ingress host", get(&i, "spec.rules.0.host"), "api.example.com".into());
    want("tls host", get(&i, "spec.tls.0.hosts.0"), "api.example.com".into());
    want(
        "cert-manager",
        get(&i, "metadata.annotations.cert-manager\u{2e}io/cluster-issuer"),
        Value::Null,
    );
    let issuer = i["metadata"]["annotations"]["cert-manager.io/cluster-issuer"].clone();
    want("cert-manager issuer", &issuer, "letsencrypt-prod".into());
    want("ingress class", get(&i, "spec.ingressClassName"), "traefik".into());
    want(
        "ingress backend",
        get(&i, "spec.rules.0.http.paths.0.backend.service.port.number"),
        8000.into(),
    );
    let pdb = read("k8s/pdb.yaml");
    want(
        "pdb policy",
        get(&pdb, "spec.unhealthyPodEvictionPolicy"),
        "AlwaysAllow".into(),
    );
    let ci = read("k8s/cluster-issuer.yaml");
    want(
        "http-01 solver",
        get(&ci, "spec.acme.solvers.0.http01.ingress.ingressClassName"),
        "traefik".into(),
    );
    // Without autoscaling, three replicas by default.
    let fixed = slipway_engine::task::understand("deploy this to kubernetes").map_err(|e| e.to_string())?;
    let files = generate_and_check(&profile, &fixed.params)?;
    let d: Value = serde_yaml_ng::from_str(&files.iter().find(|(p, _)| p == "k8s/deployment.yaml").unwrap().1).unwrap();
    want("default replicas", get(&d, "spec.replicas"), 3.into());
    if files
        .iter()
        .any(|(p, _)| p == "k8s/hpa.yaml" || p == "k8s/ingress.yaml")
    {
        wrong.push("no autoscaler or Ingress was asked for, and no host given".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Bad input is refused in words before anything is generated.
fn refusals() -> Result<(), Failed> {
    let mut wrong = Vec::new();
    for (task, words) in [
        ("deploy to kubernetes on api_v2.example.com", "not a DNS name"),
        (
            "deploy to kubernetes, from 10 to 2 replicas",
            "smaller number goes first",
        ),
        ("deploy to kubernetes with autoscaling at 0% cpu", "from 1 to 100"),
        ("deploy to kubernetes with autoscaling at 150% cpu", "from 1 to 100"),
    ] {
        match slipway_engine::task::understand(task) {
            Ok(_) => wrong.push(format!("{task:?} was accepted")),
            Err(e) if !e.to_string().contains(words) => wrong.push(format!("{task:?}: {e}")),
            Err(_) => {}
        }
    }
    // The same from slipway.toml: refused with the line, and nothing is generated.
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let src = fixtures().join("python-fastapi-k8s");
    for entry in ["requirements.txt", "pyproject.toml"] {
        std::fs::copy(src.join(entry), dir.path().join(entry)).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(dir.path().join("app")).map_err(|e| e.to_string())?;
    std::fs::copy(src.join("app/main.py"), dir.path().join("app/main.py")).map_err(|e| e.to_string())?;
    for (toml, words) in [
        (
            "[deploy]\nhost = \"Shop..Example.com\"\n",
            "line 2: host \"Shop..Example.com\" is not a DNS name",
        ),
        (
            "[deploy]\nmin_replicas = 5\nmax_replicas = 3\n",
            "line 3: max_replicas = 3 is below min_replicas = 5",
        ),
        (
            "[deploy]\ncpu_percent = 0\n",
            "line 2: cpu_percent = 0 is outside 1 to 100",
        ),
        (
            "[deploy]\ncpu_percent = 140\n",
            "line 2: cpu_percent = 140 is outside 1 to 100",
        ),
        (
            "[deploy]\ncpu_request = \"lots\"\n",
            "line 2 of slipway.toml: cpu_request = \"lots\" is not a Kubernetes CPU quantity",
        ),
        (
            "[deploy]\nsecret_store = \"Vault Store\"\n",
            "line 2 of slipway.toml: secret_store = \"Vault Store\" is not a Kubernetes name",
        ),
    ] {
        std::fs::write(dir.path().join("slipway.toml"), toml).map_err(|e| e.to_string())?;
        let profile = slipway_scan::scan(dir.path()).map_err(|e| e.to_string())?;
        let spec = spec::build(&profile, &params_for("api.example.com", true));
        match kube::generate(&spec, &kube::image_facts(&profile), None) {
            Ok(_) => wrong.push(format!("{toml:?} was accepted")),
            Err(e) if !e.contains(words) => wrong.push(format!("{toml:?}: {e}")),
            Err(_) => {}
        }
    }
    if params::is_dns_name("api.example.com")
        && !params::is_dns_name("-a.example.com")
        && !params::is_dns_name("localhost")
    {
    } else {
        wrong.push("is_dns_name accepts or refuses the wrong names".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// The (Secret, key) pairs a container's environment reads through `secretKeyRef`, in order.
fn secret_refs(container: &Value) -> Vec<(String, String)> {
    container["env"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let r = &e["valueFrom"]["secretKeyRef"];
            Some((r["name"].as_str()?.to_string(), r["key"].as_str()?.to_string()))
        })
        .collect()
}

/// "Secrets from External Secrets": an ExternalSecret per service whose keys are the ones the
/// pods read, no Secret skeleton, the store named on the checklist and in the runbook, and a
/// staging overlay that reads staging's entries, never production's.
fn external_secrets() -> Result<(), Failed> {
    let task = slipway_engine::task::understand(
        "deploy to Kubernetes with autoscaling on api.example.com, secrets from External Secrets, with kustomize",
    )
    .map_err(|e| e.to_string())?;
    if !task.params.external_secrets {
        return Err("the task is not read as asking for External Secrets".into());
    }
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let files = generate_and_check(&profile, &task.params)?;
    let text = |p: &str| files.iter().find(|(f, _)| f == p).map(|(_, t)| t.clone());
    let mut wrong = Vec::new();
    if files.iter().any(|(f, _)| f.ends_with("secret.yaml.example")) {
        wrong.push("a Secret skeleton is written beside the ExternalSecret".to_string());
    }
    let Some(es) = text("k8s/base/externalsecret.yaml") else {
        return Err(format!(
            "no ExternalSecret: {:?}",
            files.iter().map(|f| &f.0).collect::<Vec<_>>()
        )
        .into());
    };
    let es: Value = serde_yaml_ng::from_str(&es).map_err(|e| e.to_string())?;
    let d: Value =
        serde_yaml_ng::from_str(&text("k8s/base/deployment.yaml").unwrap_or_default()).map_err(|e| e.to_string())?;
    let read = secret_refs(get(&d, "spec.template.spec.containers.0"));
    let synced: Vec<(String, String)> = get(&es, "spec.data")
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                get(&es, "spec.target.name").as_str().unwrap_or("").to_string(),
                e["secretKey"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    if read.is_empty() || read != synced {
        wrong.push(format!("the pods read {read:?}, the ExternalSecret writes {synced:?}"));
    }
    for (path, want) in [
        ("apiVersion", Value::from("external-secrets.io/v1")),
        ("spec.secretStoreRef.kind", "ClusterSecretStore".into()),
        ("spec.secretStoreRef.name", "cluster-secrets".into()),
        ("spec.data.0.remoteRef.key", "python-fastapi-k8s/catalog".into()),
        ("spec.data.0.remoteRef.property", "DATABASE_URL".into()),
    ] {
        if *get(&es, path) != want {
            wrong.push(format!("ExternalSecret {path}: {:?}, want {want:?}", get(&es, path)));
        }
    }
    let staging = text("k8s/overlays/staging/kustomization.yaml").unwrap_or_default();
    if !staging.contains("kind: ExternalSecret") || !staging.contains("python-fastapi-k8s-staging/catalog") {
        wrong.push(format!("staging reads production's store entries:\n{staging}"));
    }
    let runbook = text("docs/kubernetes.md").unwrap_or_default();
    for needle in [
        "External Secrets Operator",
        "`cluster-secrets`",
        "| `python-fastapi-k8s/catalog` | `DATABASE_URL`, `REDIS_URL`",
    ] {
        if !runbook.contains(needle) {
            wrong.push(format!("the runbook lacks {needle:?}"));
        }
    }
    if runbook.contains("create secret generic") {
        wrong.push("the runbook still asks for a Secret made by hand".into());
    }
    let spec = spec::build(&profile, &task.params);
    for r in kube::cluster_secrets(&spec) {
        if !r
            .place
            .contains("ClusterSecretStore cluster-secrets, key python-fastapi-k8s/catalog")
        {
            wrong.push(format!("{} is to be created in {:?}", r.name, r.place));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Random specs (replicas, ports, hosts, routes, availability) give valid manifests every
/// time. The generator is seeded, so a failure names its case and reproduces.
fn random_specs() -> Result<(), Failed> {
    let base = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mono = slipway_scan::scan(&fixtures().join("mono-polyglot")).map_err(|e| e.to_string())?;
    let mut seed: u64 = 0x5eed_1234_abcd_0001;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut failures = Vec::new();
    for case in 0..200 {
        let mut profile = if next(3) == 0 { mono.clone() } else { base.clone() };
        for s in &mut profile.services {
            if s.port.is_some() {
                s.port = Some(1024 + next(60000) as u16);
            }
        }
        let ha = next(3) == 0;
        // High availability with one replica is refused in words (see refusals()).
        let min = if ha { 2 + next(4) as u32 } else { 1 + next(5) as u32 };
        let labels = ["api", "shop", "a1", "x-y", "very-long-label-name"];
        let host = format!(
            "{}.{}.example.{}",
            labels[next(5) as usize],
            labels[next(5) as usize],
            ["com", "org", "dev"][next(3) as usize]
        );
        let p = TaskParams {
            targets: vec![Target::Kubernetes],
            host: (next(4) != 0).then_some(host),
            autoscale: next(2) == 0,
            ha,
            vpa: next(4) == 0,
            min_replicas: Some(min),
            max_replicas: Some(min + next(20) as u32),
            cpu_percent: Some(1 + next(100) as u32),
            route: Some(if next(2) == 0 { Route::Ingress } else { Route::Gateway }),
            ..Default::default()
        };
        if let Err(e) = generate_and_check(&profile, &p) {
            // An autoscaler asked to go down to one pod is written as asked, and the reflection
            // says what that risks: that warning is the only one allowed.
            let rest: Vec<&str> = e
                .lines()
                .filter(|l| !(min < 2 && l.contains("kubernetes/hpa-min")))
                .collect();
            if !rest.is_empty() {
                failures.push(format!("case {case} ({p:?}): {}", rest.join("\n")));
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n").into())
    }
}

/// The pipeline's deploy job on each CI system: the tested image by digest, the kubeconfig from
/// a secret, apply, rollout status with a timeout, and undo on failure; snapshots of each file.
fn deploy_jobs() -> Result<(), Failed> {
    use slipway_engine::params::CiSystem;
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for ci in CiSystem::ALL {
        let p = TaskParams {
            ci: Some(ci),
            ..params_for("api.example.com", true)
        };
        let spec = spec::build(&profile, &p);
        if spec.targets != [Target::Kubernetes] {
            wrong.push(format!("{}: the spec's targets are {:?}", ci.id(), spec.targets));
        }
        let g = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
        let deploy = g
            .pipeline
            .jobs
            .iter()
            .find(|j| j.target == Some(Target::Kubernetes))
            .ok_or_else(|| format!("{}: no Kubernetes deploy job", ci.id()))?;
        let script = deploy.commands.join("\n");
        for needle in [
            "sha256sum -c -",
            "base64 -d > \"$bin/kubeconfig\"",
            "image: $IMAGE|",
            "kube apply -f \"$bin/k8s/\"",
            "rollout status deployment/catalog --timeout=10m",
            "rollout undo deployment/catalog",
            "exit 1",
        ] {
            if !script.contains(needle) {
                wrong.push(format!("{}: the deploy lacks {needle:?}:\n{script}", ci.id()));
            }
        }
        if deploy.secrets != ["KUBE_CONFIG"] || !deploy.needs.iter().any(|n| n.starts_with("image-")) {
            wrong.push(format!(
                "{}: secrets {:?}, needs {:?}",
                ci.id(),
                deploy.secrets,
                deploy.needs
            ));
        }
        if !g
            .requirements
            .iter()
            .any(|r| r.name == "KUBE_CONFIG" && r.secret && r.why.contains("namespace"))
        {
            wrong.push(format!("{}: KUBE_CONFIG is not in the secrets checklist", ci.id()));
        }
        for a in g.artifacts.iter().filter(|a| a.step == "pipeline") {
            // The writers pass the image by digest to the deploy.
            if [
                ".github/workflows/ci-cd.yml",
                ".gitlab-ci.yml",
                "Jenkinsfile",
                ".circleci/config.yml",
            ]
            .contains(&a.path.as_str())
            {
                let by_digest = a.content.contains("outputs.digest")
                    || a.content.contains("image-catalog.ref")
                    || a.content.contains("dotenv");
                if !by_digest {
                    wrong.push(format!("{}: {} passes no digest to the deploy", ci.id(), a.path));
                }
            }
            if let Err(e) = compare(&snapshots().join("pipelines").join(ci.id()).join(&a.path), &a.content) {
                wrong.push(e);
            }
        }
    }
    // With a chart, helm installs it: checksum-checked, by digest, waiting, tested, rolled back.
    for ci in CiSystem::ALL {
        let p = TaskParams {
            ci: Some(ci),
            packaging: Some(params::Packaging::Helm),
            ..params_for("api.example.com", true)
        };
        let spec = spec::build(&profile, &p);
        let g = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
        let Some(deploy) = g.pipeline.jobs.iter().find(|j| j.target == Some(Target::Kubernetes)) else {
            wrong.push(format!("{} with helm: no Kubernetes deploy job", ci.id()));
            continue;
        };
        let script = deploy.commands.join("\n");
        for needle in [
            "sha256sum -c ./*.sha256sum",
            "kube apply -f k8s/",
            "*@sha256:*) ;;",
            "upgrade --install catalog charts/catalog \\\n  --namespace python-fastapi-k8s",
            "--set-string \"image.digest=${IMAGE#*@}\"",
            "--wait=watcher --rollback-on-failure --timeout 10m",
            "test catalog --namespace python-fastapi-k8s --timeout 2m",
            "rollback catalog --namespace python-fastapi-k8s --wait=watcher; exit 1;",
        ] {
            if !script.contains(needle) {
                wrong.push(format!("{} with helm: the deploy lacks {needle:?}:\n{script}", ci.id()));
            }
        }
        if script.contains("rollout undo") || script.contains("set-by-pipeline") {
            wrong.push(format!("{} with helm: the deploy edits manifests:\n{script}", ci.id()));
        }
        for a in g.artifacts.iter().filter(|a| a.step == "pipeline") {
            if let Err(e) = compare(
                &snapshots().join("pipelines.helm").join(ci.id()).join(&a.path),
                &a.content,
            ) {
                wrong.push(e);
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Canary and blue-green with Argo Rollouts: the Rollout runs the Deployment's template, a
/// second Service reaches the new pods, the check asks them for the health path, the
/// autoscaler scales the Rollout, and the pipeline waits for the Rollout, not the Deployment.
fn progressive_rollouts() -> Result<(), Failed> {
    use params::Strategy;
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    let mut wrong_mesh = Vec::new();
    use params::Mesh;
    for (strategy, route, mesh, folder) in [
        (
            Strategy::Canary,
            Route::Ingress,
            Mesh::None,
            "python-fastapi-k8s.canary",
        ),
        (
            Strategy::Canary,
            Route::Gateway,
            Mesh::None,
            "python-fastapi-k8s.canary-gateway",
        ),
        (
            Strategy::Canary,
            Route::Gateway,
            Mesh::Istio,
            "python-fastapi-k8s.canary-istio",
        ),
        (
            Strategy::Canary,
            Route::Ingress,
            Mesh::Linkerd,
            "python-fastapi-k8s.canary-linkerd",
        ),
        (
            Strategy::BlueGreen,
            Route::Ingress,
            Mesh::None,
            "python-fastapi-k8s.blue-green",
        ),
    ] {
        let p = TaskParams {
            strategy: Some(strategy),
            route: Some(route),
            mesh: Some(mesh),
            ..params_for("api.example.com", true)
        };
        let files = generate_and_check(&profile, &p).map_err(|e| format!("{folder}: {e}"))?;
        for (path, text) in &files {
            if let Err(e) = compare(&snapshots().join(folder).join(path), text) {
                wrong.push(e);
            }
        }
        let file = |name: &str| -> Vec<Value> {
            files
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, t)| {
                    serde_yaml_ng::Deserializer::from_str(t)
                        .filter_map(|d| serde::Deserialize::deserialize(d).ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut mismatches = Vec::new();
        let mut expect = |what: &str, got: &Value, want: Value| {
            if *got != want {
                mismatches.push(format!("{folder}: {what} is {got:?}, not {want:?}"));
            }
        };
        let dep = file("k8s/deployment.yaml");
        let r = file("k8s/rollout.yaml");
        let (Some(dep), Some(r)) = (dep.first(), r.first()) else {
            wrong.push(format!("{folder}: no Deployment or no Rollout"));
            continue;
        };
        expect("the Deployment's replicas", get(dep, "spec.replicas"), Value::from(0));
        expect("the Rollout's kind", get(r, "kind"), Value::from("Rollout"));
        expect(
            "its workloadRef",
            get(r, "spec.workloadRef.name"),
            Value::from("catalog"),
        );
        expect("its replicas (the HPA owns them)", get(r, "spec.replicas"), Value::Null);
        let hpa = file("k8s/hpa.yaml");
        expect(
            "the HPA's target",
            get(&hpa[0], "spec.scaleTargetRef.kind"),
            Value::from("Rollout"),
        );
        let services = file("k8s/service.yaml");
        let second = if strategy == Strategy::Canary {
            "catalog-canary"
        } else {
            "catalog-preview"
        };
        expect("the Services", &Value::from(services.len()), Value::from(2));
        if services.len() == 2 {
            expect(
                "the second Service",
                get(&services[1], "metadata.name"),
                Value::from(second),
            );
            expect(
                "its selector",
                get(&services[1], "spec.selector"),
                get(&services[0], "spec.selector").clone(),
            );
        }
        let analysis = if strategy == Strategy::Canary {
            let c = get(r, "spec.strategy.canary");
            expect("the canary Service", get(c, "canaryService"), Value::from(second));
            expect("the stable Service", get(c, "stableService"), Value::from("catalog"));
            expect("the first weight", get(c, "steps.0.setWeight"), Value::from(10));
            expect("maxUnavailable", get(c, "maxUnavailable"), Value::from(0));
            let routed = get(c, "trafficRouting.plugins.argoproj-labs/gatewayAPI.httpRoute");
            if route == Route::Gateway {
                expect("the routed HTTPRoute", routed, Value::from("catalog"));
                let routes = file("k8s/httproute.yaml");
                let backends = get(&routes[0], "spec.rules.0.backendRefs");
                expect("the stable weight", get(backends, "0.weight"), Value::from(100));
                expect("the canary backend", get(backends, "1.name"), Value::from(second));
                expect("the canary weight", get(backends, "1.weight"), Value::from(0));
            } else if mesh == Mesh::Linkerd {
                // Behind an Ingress, Linkerd's route on the Service is the one the plugin moves.
                expect("the routed mesh HTTPRoute", routed, Value::from("catalog-mesh"));
                let routes = file("k8s/httproute-mesh.yaml");
                let r = routes.first().cloned().unwrap_or(Value::Null);
                expect(
                    "the mesh route's parent kind",
                    get(&r, "spec.parentRefs.0.kind"),
                    Value::from("Service"),
                );
                expect(
                    "the mesh route's parent group",
                    get(&r, "spec.parentRefs.0.group"),
                    Value::from(""),
                );
                expect(
                    "the mesh route's parent",
                    get(&r, "spec.parentRefs.0.name"),
                    Value::from("catalog"),
                );
                expect(
                    "the mesh route's port",
                    get(&r, "spec.parentRefs.0.port"),
                    Value::from(8000),
                );
                expect("the mesh route's hosts", get(&r, "spec.hostnames"), Value::Null);
                let backends = get(&r, "spec.rules.0.backendRefs");
                expect("the stable weight", get(backends, "0.weight"), Value::from(100));
                expect("the canary backend", get(backends, "1.name"), Value::from(second));
                expect("the canary weight", get(backends, "1.weight"), Value::from(0));
            } else {
                expect("the traffic router through an Ingress", routed, Value::Null);
            }
            let vs = file("k8s/virtualservice.yaml");
            let dr = file("k8s/destinationrule.yaml");
            if mesh == Mesh::Istio {
                let istio = get(c, "trafficRouting.istio.virtualServices.0");
                expect(
                    "the VirtualService the Rollout moves",
                    get(istio, "name"),
                    Value::from("catalog"),
                );
                expect("its route", get(istio, "routes.0"), Value::from("primary"));
                let v = vs.first().cloned().unwrap_or(Value::Null);
                expect(
                    "the VirtualService's API",
                    get(&v, "apiVersion"),
                    Value::from("networking.istio.io/v1"),
                );
                expect("its host", get(&v, "spec.hosts.0"), Value::from("catalog"));
                expect("the route's name", get(&v, "spec.http.0.name"), Value::from("primary"));
                let dests = get(&v, "spec.http.0.route");
                expect(
                    "the stable destination",
                    get(dests, "0.destination.host"),
                    Value::from("catalog"),
                );
                expect("the stable weight", get(dests, "0.weight"), Value::from(100));
                expect(
                    "the canary destination",
                    get(dests, "1.destination.host"),
                    Value::from(second),
                );
                expect("the canary weight", get(dests, "1.weight"), Value::from(0));
                expect(
                    "the destination port",
                    get(dests, "1.destination.port.number"),
                    Value::from(8000),
                );
                let d = dr.first().cloned().unwrap_or(Value::Null);
                expect(
                    "the DestinationRule's host",
                    get(&d, "spec.host"),
                    Value::from("catalog"),
                );
                expect(
                    "its ejection threshold",
                    get(&d, "spec.trafficPolicy.outlierDetection.consecutive5xxErrors"),
                    Value::from(5),
                );
            } else {
                expect(
                    "Istio's router without Istio",
                    get(c, "trafficRouting.istio"),
                    Value::Null,
                );
                if !vs.is_empty() || !dr.is_empty() {
                    wrong_mesh.push(format!("{folder}: Istio objects without Istio"));
                }
            }
            // The mesh's proxies join the namespace's pods, reach their control plane, and
            // stay out of the check's pod, which must finish.
            let ns = file("k8s/namespace.yaml");
            let ns = ns.first().cloned().unwrap_or(Value::Null);
            let np = file("k8s/networkpolicy.yaml");
            let egress = serde_yaml_ng::to_string(&get(&np[0], "spec.egress")).unwrap_or_default();
            let t = file("k8s/analysistemplate.yaml");
            let check_meta = get(&t[0], "spec.metrics.0.provider.job.spec.template.metadata").clone();
            match mesh {
                Mesh::Istio => {
                    expect(
                        "the injection label",
                        &get(&ns, "metadata.labels")["istio-injection"],
                        Value::from("enabled"),
                    );
                    expect(
                        "the check pod's injection label",
                        &get(&check_meta, "labels")["sidecar.istio.io/inject"],
                        Value::from("false"),
                    );
                    if !(egress.contains("istio-system") && egress.contains("15012")) {
                        wrong_mesh.push(format!("{folder}: the proxies cannot reach istiod:\n{egress}"));
                    }
                }
                Mesh::Linkerd => {
                    expect(
                        "the injection annotation",
                        &get(&ns, "metadata.annotations")["linkerd.io/inject"],
                        Value::from("enabled"),
                    );
                    expect(
                        "the check pod's injection annotation",
                        &get(&check_meta, "annotations")["linkerd.io/inject"],
                        Value::from("disabled"),
                    );
                    if !(egress.contains("linkerd") && egress.contains("8086")) {
                        wrong_mesh.push(format!(
                            "{folder}: the proxies cannot reach Linkerd's control plane:\n{egress}"
                        ));
                    }
                }
                Mesh::None => {
                    expect(
                        "no injection label",
                        &get(&ns, "metadata.labels")["istio-injection"],
                        Value::Null,
                    );
                    expect("no injection annotation", get(&ns, "metadata.annotations"), Value::Null);
                }
            }
            get(c, "steps.1.analysis").clone()
        } else {
            let b = get(r, "spec.strategy.blueGreen");
            expect("the active Service", get(b, "activeService"), Value::from("catalog"));
            expect("the preview Service", get(b, "previewService"), Value::from(second));
            expect("auto-promotion", get(b, "autoPromotionEnabled"), Value::from(true));
            get(b, "prePromotionAnalysis").clone()
        };
        expect(
            "the check's template",
            get(&analysis, "templates.0.templateName"),
            Value::from("catalog-smoke"),
        );
        expect(
            "the checked Service",
            get(&analysis, "args.0.value"),
            Value::from(second),
        );
        let t = file("k8s/analysistemplate.yaml");
        let pod = get(&t[0], "spec.metrics.0.provider.job.spec.template");
        let args = get(pod, "spec.containers.0.args");
        if !args
            .as_sequence()
            .is_some_and(|a| a.last() == Some(&Value::from("http://{{args.service}}:8000/health")))
        {
            wrong.push(format!("{folder}: the check asks {args:?}"));
        }
        expect(
            "the check pod's part-of label (the NetworkPolicy admits it)",
            &get(pod, "metadata.labels")["app.kubernetes.io/part-of"],
            Value::from("python-fastapi-k8s"),
        );
        wrong.append(&mut mismatches);
        // The pipeline waits for the Rollout and leaves the rollback to it.
        let spec = spec::build(&profile, &p);
        let g = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
        let deploy = g
            .pipeline
            .jobs
            .iter()
            .find(|j| j.target == Some(Target::Kubernetes))
            .ok_or("no deploy job")?;
        let script = deploy.commands.join("\n");
        for needle in [
            "get deployment catalog -o jsonpath='{.metadata.generation}'",
            "get rollout catalog -o jsonpath='{.status.workloadObservedGeneration}/{.status.phase}'",
            "\"$gen/Healthy\") break",
            "\"$gen/Degraded\")",
            "patch rollout catalog --subresource=status --type=merge -p '{\"status\":{\"abort\":true}}'",
        ] {
            if !script.contains(needle) {
                wrong.push(format!("{folder}: the deploy lacks {needle:?}:\n{script}"));
            }
        }
        if script.contains("rollout undo") || deploy.timeout_minutes < 35 {
            wrong.push(format!(
                "{folder}: the deploy undoes the Deployment or has {} minutes",
                deploy.timeout_minutes
            ));
        }
        if g.pipeline.notes.iter().any(|n| n.contains("Argo Rollouts")) {
            wrong.push(format!("{folder}: the pipeline says it cannot: {:?}", g.pipeline.notes));
        }
    }
    wrong.append(&mut wrong_mesh);
    // With Kustomize the base holds the Rollout, and each overlay moves what differs there: the
    // Rollout's replicas (the Deployment keeps none) and the namespace the traffic plugin looks
    // for its HTTPRoute in.
    let p = TaskParams {
        strategy: Some(Strategy::Canary),
        route: Some(Route::Gateway),
        packaging: Some(params::Packaging::Kustomize),
        ..params_for("api.example.com", false)
    };
    let folder = "python-fastapi-k8s.kustomize-canary";
    let files = generate_and_check(&profile, &p).map_err(|e| format!("{folder}: {e}"))?;
    for (path, text) in &files {
        if let Err(e) = compare(&snapshots().join(folder).join(path), text) {
            wrong.push(e);
        }
    }
    let text = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    for f in ["k8s/base/rollout.yaml", "k8s/base/analysistemplate.yaml"] {
        if !text("k8s/base/kustomization.yaml").contains(&format!("- {}", f.trim_start_matches("k8s/base/"))) {
            wrong.push(format!("{folder}: the base does not list {f}"));
        }
    }
    let staging: Value =
        serde_yaml_ng::from_str(&text("k8s/overlays/staging/kustomization.yaml")).unwrap_or(Value::Null);
    let patches = get(&staging, "patches").as_sequence().cloned().unwrap_or_default();
    let patch_of = |kind: &str, path: &str| {
        patches.iter().find_map(|p| {
            let ops: Value = serde_yaml_ng::from_str(get(p, "patch").as_str().unwrap_or("")).ok()?;
            (get(p, "target.kind") == &Value::from(kind))
                .then(|| ops.as_sequence().cloned().unwrap_or_default())?
                .into_iter()
                .find(|o| get(o, "path") == &Value::from(path))
                .map(|o| get(&o, "value").clone())
        })
    };
    if patch_of("Rollout", "/spec/replicas") != Some(Value::from(1)) {
        wrong.push(format!(
            "{folder}: staging does not set the Rollout's replicas: {patches:?}"
        ));
    }
    if patch_of("Deployment", "/spec/replicas").is_some() {
        wrong.push(format!(
            "{folder}: staging gives the Deployment replicas beside the Rollout"
        ));
    }
    if patch_of(
        "Rollout",
        "/spec/strategy/canary/trafficRouting/plugins/argoproj-labs~1gatewayAPI/namespace",
    ) != Some(Value::from("python-fastapi-k8s-staging"))
    {
        wrong.push(format!(
            "{folder}: staging's plugin looks for its HTTPRoute elsewhere: {patches:?}"
        ));
    }
    // The pipeline applies the overlay and waits for the Rollout in the environment's namespace.
    let g = slipway_engine::pipeline::generate(&spec::build(&profile, &p), &[]).map_err(|e| e.to_string())?;
    let deploys: Vec<String> = g
        .pipeline
        .jobs
        .iter()
        .filter(|j| j.target == Some(Target::Kubernetes))
        .map(|j| j.commands.join("\n"))
        .collect();
    if !deploys.iter().any(|d| {
        d.contains("kube apply -k \"$bin/k8s/overlays/production\"")
            && d.contains("kube -n python-fastapi-k8s get rollout catalog")
    }) {
        wrong.push(format!(
            "{folder}: no deploy applies production's overlay and waits for its Rollout: {deploys:?}"
        ));
    }
    // A chart carries the same Rollout: its count from the values unless the autoscaler owns
    // it, the Deployment a template at 0, Argo's `{{args.service}}` printed as it is, the
    // plugin's namespace the release's; helm waits for what it knows, then the job for the Rollout.
    let p = TaskParams {
        strategy: Some(Strategy::Canary),
        packaging: Some(params::Packaging::Helm),
        route: Some(Route::Gateway),
        ..params_for("api.example.com", true)
    };
    let files = generate_and_check(&profile, &p)?;
    let text = |f: &str| {
        files
            .iter()
            .find(|(p, _)| p == f)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let rollout = text("charts/catalog/templates/rollout.yaml");
    let analysis = text("charts/catalog/templates/analysistemplate.yaml");
    let deployment = text("charts/catalog/templates/deployment.yaml");
    for (what, ok) in [
        (
            "the Rollout's count is the values' unless autoscaled",
            rollout.contains("{{- if not .Values.autoscaling.enabled }}\n  replicas: {{ .Values.replicaCount }}"),
        ),
        (
            "the plugin looks in the release's namespace",
            rollout.contains("namespace: {{ .Release.Namespace }}"),
        ),
        (
            "Argo's placeholder reaches the cluster",
            analysis.contains("{{ \"http://{{args.service}}:"),
        ),
        (
            "the Deployment stays at 0",
            deployment.contains("replicas: 0") && !deployment.contains(".Values.replicaCount"),
        ),
    ] {
        if !ok {
            wrong.push(format!("chart: not {what}:\n{rollout}\n{analysis}"));
        }
    }
    let g = slipway_engine::pipeline::generate(&spec::build(&profile, &p), &[]).map_err(|e| e.to_string())?;
    let deploy = g
        .pipeline
        .jobs
        .iter()
        .find(|j| j.target == Some(Target::Kubernetes))
        .map(|j| j.commands.join("\n"))
        .unwrap_or_default();
    let helm_at = deploy.find("--wait=legacy --rollback-on-failure").unwrap_or(usize::MAX);
    let wait_at = deploy.find("get rollout catalog").unwrap_or(0);
    let test_at = deploy.find("test catalog --namespace").unwrap_or(0);
    let ordered = helm_at < wait_at && wait_at < test_at;
    let undone = deploy.contains("rollback catalog --namespace python-fastapi-k8s --wait=legacy; exit 1");
    if !(ordered && undone) {
        wrong.push(format!(
            "chart: the deploy does not upgrade, wait for the Rollout, then test:\n{deploy}"
        ));
    }
    if g.pipeline.notes.iter().any(|n| n.contains("rolls")) {
        wrong.push(format!("chart: the pipeline says it rolls: {:?}", g.pipeline.notes));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut trials = vec![
        Trial::test("the seed's third example, field by field", seed_example),
        Trial::test("bad input is refused in words before anything is generated", refusals),
        Trial::test("random specs give valid manifests", random_specs),
        Trial::test("secrets from External Secrets, per environment", external_secrets),
        Trial::test("the pipeline deploys to the cluster on every CI system", deploy_jobs),
        Trial::test("canary and blue-green with Argo Rollouts", progressive_rollouts),
        Trial::test("GitOps with Argo CD and Flux, and the pipeline's pin", gitops),
        Trial::test(
            "blue-green without Argo: two slots the pipeline switches",
            plain_blue_green,
        ),
        Trial::test(
            "the person's workloads get what they lack, and keep every field",
            improve_workloads,
        ),
        Trial::test("databases in the cluster for dev, as StatefulSets", in_cluster_backing),
        Trial::test("a service that keeps data is a StatefulSet of one", keeps_data),
        Trial::test(
            "rollouts read the new pods' error rate from Prometheus when the code counts its requests",
            error_rate_rollouts,
        ),
        Trial::test(
            "a data folder read off the code makes the service a StatefulSet",
            detected_data_folder,
        ),
        Trial::test(
            "one umbrella chart for a monorepo, deployed as one release",
            umbrella_chart,
        ),
    ];
    for name in names {
        let n = name.clone();
        trials.push(Trial::test(name, move || check(&n)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Blue-green for clusters without Argo Rollouts: a Deployment per slot, the Service on one
/// slot and the preview on the other, the autoscaler on the serving slot, a check Job through
/// the preview; the pipeline's script rewrites a copy of the files to the cluster's state
/// (run here by bash on real files, for the first deploy and for each slot serving) and
/// switches only after the rollout and the check. Canary, charts and GitOps are refused.
fn plain_blue_green() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let p = TaskParams {
        strategy: Some(params::Strategy::BlueGreen),
        rollouts: Some(params::Rollouts::Kubectl),
        ..params_for("api.example.com", true)
    };
    let spec = spec::build(&profile, &p);
    let mut wrong = Vec::new();
    let g = kube::generate(&spec, &kube::image_facts(&profile), None)?;
    let file = |path: &str| -> Result<Value, String> {
        let a = g.artifacts.iter().find(|a| a.path == path).ok_or_else(|| {
            format!(
                "no {path} among {:?}",
                g.artifacts.iter().map(|a| &a.path).collect::<Vec<_>>()
            )
        })?;
        serde_yaml_ng::from_str(&a.content).map_err(|e| format!("{path}: {e}"))
    };
    for slot in ["blue", "green"] {
        let d = file(&format!("k8s/deployment-{slot}.yaml"))?;
        if get(&d, "metadata.name").as_str() != Some(&format!("catalog-{slot}"))
            || get(&d, "spec.selector.matchLabels.slot").as_str() != Some(slot)
            || get(&d, "spec.template.metadata.labels.slot").as_str() != Some(slot)
            || !get(&d, "spec.replicas").is_null()
        {
            wrong.push(format!("deployment-{slot}.yaml: {d:?}"));
        }
    }
    let stable = file("k8s/service.yaml")?;
    let preview = file("k8s/service-preview.yaml")?;
    if get(&stable, "spec.selector.slot").as_str() != Some("blue")
        || get(&preview, "spec.selector.slot").as_str() != Some("green")
        || get(&preview, "metadata.name").as_str() != Some("catalog-preview")
    {
        wrong.push(format!("the Services select {stable:?} and {preview:?}"));
    }
    let hpa = file("k8s/hpa.yaml")?;
    if get(&hpa, "spec.scaleTargetRef.name").as_str() != Some("catalog-blue") {
        wrong.push(format!("the autoscaler targets {:?}", get(&hpa, "spec.scaleTargetRef")));
    }
    let job = file("k8s/checks/smoke-job.yaml")?;
    let args = format!("{:?}", get(&job, "spec.template.spec.containers.0.args"));
    if get(&job, "kind").as_str() != Some("Job") || !args.contains("http://catalog-preview:") {
        wrong.push(format!("the check Job: {args}"));
    }
    if g.artifacts
        .iter()
        .any(|a| a.path.ends_with("rollout.yaml") || a.content.contains("argoproj.io"))
    {
        wrong.push("a plain blue-green writes Argo objects".into());
    }
    let files: Vec<(String, String)> = g
        .artifacts
        .iter()
        .map(|a| (a.path.clone(), a.content.clone()))
        .collect();
    for f in slipway_engine::kube::checks::check_consistency(&files, &profile.services) {
        wrong.push(format!("consistency: {f:?}"));
    }
    let runbook = &g
        .artifacts
        .iter()
        .find(|a| a.path == "docs/kubernetes.md")
        .ok_or("no runbook")?
        .content;
    for needle in [
        "patch service catalog --type merge",
        "set image deployment/catalog-green",
        "Blue-green without Argo Rollouts",
    ] {
        if !runbook.contains(needle) {
            wrong.push(format!("the runbook lacks {needle:?}"));
        }
    }

    // The deploy job's script, on a copy of the real files, as the cluster would answer.
    let pipeline = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
    let deploy = pipeline
        .pipeline
        .jobs
        .iter()
        .find(|j| j.target == Some(Target::Kubernetes))
        .ok_or("no Kubernetes deploy job")?;
    let script = deploy.commands.join("\n");
    let order = [
        "rollout status deployment/catalog-\"$idle\" --timeout=10m",
        "apply -f \"$bin/k8s/checks/smoke-job.yaml\"",
        "wait --for=condition=complete job/catalog-smoke",
        "patch service catalog --type merge",
        "patch hpa catalog --type merge",
        "patch service catalog-preview --type merge",
        "sleep 30",
        "scale deployment/catalog-\"$live\" --replicas=0",
    ];
    let mut at = 0;
    for needle in order {
        match script[at..].find(needle) {
            Some(i) => at += i + needle.len(),
            None => wrong.push(format!(
                "the deploy lacks {needle:?} after what comes before it:\n{script}"
            )),
        }
    }
    let start = script.find("cp -R k8s").ok_or("no copy of k8s")?;
    let end = script
        .find("kube apply -f \"$bin/k8s/namespace.yaml\"")
        .ok_or("no apply")?;
    let rewrite = &script[start..end];
    for (serving, want_idle) in [("", "blue"), ("blue", "green"), ("green", "blue")] {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        for a in g.artifacts.iter().filter(|a| a.path.starts_with("k8s/")) {
            let to = tmp.path().join(&a.path);
            std::fs::create_dir_all(to.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(&to, &a.content).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir(tmp.path().join("bin")).map_err(|e| e.to_string())?;
        // The cluster's answer to "which slot does the Service select".
        let body = format!(
            "bin=\"$PWD/bin\"\nkube() {{ if [ \"$1 $2 $3\" = \"-n python-fastapi-k8s get\" ]; then printf '%s' '{serving}'; else exit 9; fi; }}\n{rewrite}\necho \"idle=$idle serving=$serving\""
        );
        let (ok, out) = sh(tmp.path(), &body, &[("IMAGE", "ghcr.io/acme/catalog@sha256:0123")]);
        let now = if serving.is_empty() { want_idle } else { serving };
        if !ok || !out.contains(&format!("idle={want_idle} serving={now}")) {
            wrong.push(format!("with {serving:?} serving, the rewrite says: {out}"));
            continue;
        }
        let copy = tmp.path().join("bin/k8s");
        let read = |f: &str| std::fs::read_to_string(copy.join(f)).unwrap_or_default();
        let other = if want_idle == "blue" { "green" } else { "blue" };
        if !read(&format!("deployment-{want_idle}.yaml")).contains("image: ghcr.io/acme/catalog@sha256:0123")
            || copy.join(format!("deployment-{other}.yaml")).exists()
        {
            wrong.push(format!("with {serving:?} serving, the Deployments to apply are wrong"));
        }
        let sel = |f: &str| -> Option<String> {
            let v: Value = serde_yaml_ng::from_str(&read(f)).ok()?;
            get(&v, "spec.selector.slot").as_str().map(str::to_string)
        };
        let hpa: Value = serde_yaml_ng::from_str(&read("hpa.yaml")).unwrap_or(Value::Null);
        if sel("service.yaml").as_deref() != Some(now)
            || sel("service-preview.yaml").as_deref() != Some(want_idle)
            || get(&hpa, "spec.scaleTargetRef.name").as_str() != Some(&format!("catalog-{now}"))
        {
            wrong.push(format!(
                "with {serving:?} serving, an apply would move traffic: service {:?}, preview {:?}, hpa {:?}",
                sel("service.yaml"),
                sel("service-preview.yaml"),
                get(&hpa, "spec.scaleTargetRef.name")
            ));
        }
    }

    // What plain Kubernetes cannot do, or what would fight the switch, is refused in words.
    for (extra, needle) in [
        (
            TaskParams {
                strategy: Some(params::Strategy::Canary),
                ..p.clone()
            },
            "a canary without Argo Rollouts",
        ),
        (
            TaskParams {
                packaging: Some(params::Packaging::Helm),
                ..p.clone()
            },
            "plain manifests only",
        ),
        (
            TaskParams {
                gitops: Some(params::GitOps::Flux),
                ..p.clone()
            },
            "does not touch the cluster",
        ),
    ] {
        let s = spec::build(&profile, &extra);
        if !s.errors.iter().any(|e| e.contains(needle)) {
            wrong.push(format!("not refused ({needle}): {:?}", s.errors));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// A person's Deployment without requests, limits, container security or probes gets them at
/// the end of each container, from the spec (probes on the service's paths and the
/// container's port), under `# Slipway:` comments; a replicated one gets a budget unless one
/// of theirs selects its pods; every line of theirs stays, and the result is a valid object.
fn improve_workloads() -> Result<(), Failed> {
    use slipway_engine::kube::improve::{improve_with, Workloads};
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let spec = spec::build(&profile, &params_for("api.example.com", true));
    let svc = spec
        .services
        .iter()
        .find(|s| s.port.is_some())
        .ok_or("no web service")?;
    let port = svc.port.unwrap();
    let theirs = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop # ours\n  namespace: shop\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: shop\n  template:\n    metadata:\n      labels:\n        app: shop\n    spec:\n      containers:\n      - name: web\n        image: example.org/shop:1.4 # pinned by hand\n        ports:\n        - containerPort: {port}\n        env:\n        - name: MODE\n          value: prod\n\n      - name: sidecar\n        image: example.org/proxy:2\n        resources:\n          limits:\n            memory: 64Mi\n      volumes: []\n"
    );
    let mut wrong = Vec::new();
    let w = Workloads {
        spec: &spec,
        budgets: vec![],
    };
    let (out, why) = improve_with(&theirs, &w).ok_or("nothing improved")?;
    let mut rest = out.lines();
    for line in theirs.lines() {
        if !rest.any(|l| l == line) {
            wrong.push(format!("{line:?} was lost or moved:\n{out}"));
        }
    }
    let docs: Vec<&str> = out.split("\n---\n").collect();
    let d: k8s_openapi::api::apps::v1::Deployment =
        serde_yaml_ng::from_str(docs[0]).map_err(|e| format!("{e}:\n{out}"))?;
    let pod = d.spec.unwrap().template.spec.unwrap();
    let web = &pod.containers[0];
    let sidecar = &pod.containers[1];
    let requests = web
        .resources
        .as_ref()
        .and_then(|r| r.requests.clone())
        .unwrap_or_default();
    if requests.get("cpu").map(|q| q.0.as_str()) != Some(spec.kube.resources.cpu_request.as_str()) {
        wrong.push(format!("web's requests: {requests:?}"));
    }
    let sc = web.security_context.clone().unwrap_or_default();
    if sc.allow_privilege_escalation != Some(false) || sc.capabilities.and_then(|c| c.drop) != Some(vec!["ALL".into()])
    {
        wrong.push("web's securityContext is not locked down".into());
    }
    let ready = web.readiness_probe.as_ref().and_then(|p| p.http_get.clone());
    let want_path = svc.readiness_path.clone().or(svc.health_path.clone());
    if ready.as_ref().map(|h| (h.path.clone(), h.port.clone()))
        != Some((
            want_path,
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(port.into()),
        ))
        || web.startup_probe.is_none()
        || web.liveness_probe.is_none()
    {
        wrong.push(format!("web's probes: {:?}", web.readiness_probe));
    }
    // Theirs stays theirs: the sidecar's own resources are not touched, and it has no port to probe.
    if sidecar.resources.as_ref().and_then(|r| r.requests.clone()).is_some() || sidecar.readiness_probe.is_some() {
        wrong.push(format!("the sidecar was changed: {sidecar:?}"));
    }
    if !out.contains("# Slipway: requests let the scheduler") || why.len() != 3 {
        wrong.push(format!("the reasons: {why:?}\n{out}"));
    }
    let budget: k8s_openapi::api::policy::v1::PodDisruptionBudget =
        serde_yaml_ng::from_str(docs.get(1).copied().unwrap_or("")).map_err(|e| format!("no budget: {e}\n{out}"))?;
    let bs = budget.spec.unwrap_or_default();
    if budget.metadata.namespace.as_deref() != Some("shop")
        || bs
            .selector
            .and_then(|s| s.match_labels)
            .unwrap_or_default()
            .get("app")
            .map(String::as_str)
            != Some("shop")
        || bs.unhealthy_pod_eviction_policy.as_deref() != Some("AlwaysAllow")
    {
        wrong.push(format!("the budget: {:?}", docs.get(1)));
    }
    // Their own budget elsewhere: no second one (two over one pod block every eviction).
    let theirs_pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: shop\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels:\n      app: shop\n";
    let w = Workloads {
        spec: &spec,
        budgets: Workloads::budgets_in([theirs_pdb]),
    };
    let (again, _) = improve_with(&theirs, &w).ok_or("nothing improved")?;
    if again.contains("PodDisruptionBudget") {
        wrong.push("a second budget was added over theirs".into());
    }
    // Done once, nothing is left to do; a flow-style container list is left for the person.
    if let Some((twice, why)) = improve_with(
        &out,
        &Workloads {
            spec: &spec,
            budgets: Workloads::budgets_in([out.as_str()]),
        },
    ) {
        wrong.push(format!("improving twice changes it again: {why:?}\n{twice}"));
    }
    let flow = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: a, image: a}]\n";
    if improve_with(
        flow,
        &Workloads {
            spec: &spec,
            budgets: vec![],
        },
    )
    .is_some()
    {
        wrong.push("a flow-style container list was edited".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// "With its databases in the cluster": a StatefulSet per backing service, each non-root
/// under a read-only root with its own claim, a headless Service of the name the app connects
/// to, a NetworkPolicy admitting only the app; credentials by Secret name; all in
/// `k8s/backing/`, which neither `kubectl apply -f k8s/` nor the pipeline reads. Without the
/// words, nothing of it.
fn in_cluster_backing() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("dotnet-aspnetcore")).map_err(|e| e.to_string())?;
    let params =
        slipway_engine::params::read("deploy it to Kubernetes on api.example.com with an in-cluster postgres for dev")?;
    let mut wrong = Vec::new();
    if !params.in_cluster_backing {
        wrong.push("the task's words are not read".to_string());
    }
    let spec = spec::build(&profile, &params);
    let g = kube::generate(&spec, &kube::image_facts(&profile), None)?;
    let backing: Vec<&slipway_engine::generate::Artifact> = g
        .artifacts
        .iter()
        .filter(|a| a.path.starts_with("k8s/backing/"))
        .collect();
    let paths: Vec<&str> = backing.iter().map(|a| a.path.as_str()).collect();
    if paths
        != [
            "k8s/backing/postgres.yaml",
            "k8s/backing/postgres-credentials.yaml.example",
            "k8s/backing/redis.yaml",
        ]
    {
        wrong.push(format!("the backing files: {paths:?}"));
    }
    for a in &backing {
        round_trip(&a.path, &a.content)?;
        for f in slipway_engine::kube::checks::check_objects(&a.path, &a.content) {
            if f.severity != slipway_engine::check::Severity::Info {
                wrong.push(format!("the reflection on {}: {f:?}", a.path));
            }
        }
        if a.content.contains("password: ") || a.content.contains("PASSWORD: \"") && !a.path.ends_with(".example") {
            wrong.push(format!("{} holds a value", a.path));
        }
    }
    let pg = backing.first().ok_or("no postgres")?;
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&pg.content)
        .map(|d| serde::Deserialize::deserialize(d).unwrap_or(Value::Null))
        .collect();
    let set = docs
        .iter()
        .find(|d| d["kind"] == "StatefulSet")
        .ok_or("no StatefulSet")?;
    let svc = docs.iter().find(|d| d["kind"] == "Service").ok_or("no Service")?;
    let np = docs
        .iter()
        .find(|d| d["kind"] == "NetworkPolicy")
        .ok_or("no NetworkPolicy")?;
    let checks = [
        (get(set, "spec.replicas").as_i64() == Some(1), "one replica"),
        (
            get(set, "spec.serviceName") == get(svc, "metadata.name"),
            "serviceName is the headless Service",
        ),
        (
            get(svc, "spec.clusterIP").as_str() == Some("None"),
            "a headless Service",
        ),
        (
            get(set, "spec.template.spec.securityContext.runAsUser").as_i64() == Some(10001),
            "a user above 10000",
        ),
        (
            get(set, "spec.template.spec.securityContext.fsGroup").as_i64() == Some(10001),
            "the volume writable by it",
        ),
        (
            get(set, "spec.template.spec.containers.0.image").as_str() == Some("postgres:18"),
            "the Debian image, whose entrypoint runs as any user",
        ),
        (
            get(
                set,
                "spec.template.spec.containers.0.securityContext.readOnlyRootFilesystem",
            )
            .as_bool()
                == Some(true),
            "a read-only root",
        ),
        (
            get(set, "spec.volumeClaimTemplates.0.spec.resources.requests.storage").as_str() == Some("5Gi"),
            "its own claim",
        ),
        (
            get(set, "spec.template.spec.containers.0.envFrom.0.secretRef.name").as_str()
                == Some("postgres-credentials"),
            "credentials by Secret name",
        ),
        (
            get(np, "spec.ingress.0.from.0.podSelector.matchLabels")
                .get("app.kubernetes.io/part-of")
                .is_some(),
            "only the app's pods may connect",
        ),
        (
            get(np, "spec.egress").as_sequence().is_some_and(|e| e.is_empty()),
            "no egress",
        ),
    ];
    for (ok, what) in checks {
        if !ok {
            wrong.push(format!("postgres: not {what}:\n{}", pg.content));
        }
    }
    let runbook = &g
        .artifacts
        .iter()
        .find(|a| a.path == "docs/kubernetes.md")
        .ok_or("no runbook")?
        .content;
    for needle in [
        "create secret generic postgres-credentials",
        "apply -f k8s/backing/",
        "postgresql://app:<password>@postgres:5432/app",
    ] {
        if !runbook.contains(needle) {
            wrong.push(format!("the runbook lacks {needle:?}"));
        }
    }
    // The pipeline never applies them.
    let pipeline = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
    for j in &pipeline.pipeline.jobs {
        if j.commands.iter().any(|c| c.contains("backing")) {
            wrong.push(format!("the job {} touches the backing folder", j.name));
        }
    }
    // Without the words: managed services only.
    let plain = spec::build(&profile, &params_for("api.example.com", false));
    let g = kube::generate(&plain, &kube::image_facts(&profile), None)?;
    if g.artifacts.iter().any(|a| a.path.starts_with("k8s/backing/")) {
        wrong.push("backing StatefulSets without being asked".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// A service with `data_path` in slipway.toml: a StatefulSet of one pod with its own claim
/// mounted there, no autoscaler or budget (one writer), no Argo; the deploy waits for the
/// StatefulSet and undoes it on failure; the picture and the pipeline say why it is replaced in
/// place. A relative path is refused with its line.
fn keeps_data() -> Result<(), Failed> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = tmp.path().join("p");
    let copy = std::process::Command::new("cp")
        .args([
            "-R",
            &fixtures().join("python-fastapi-k8s").to_string_lossy(),
            &root.to_string_lossy(),
        ])
        .status()
        .map_err(|e| e.to_string())?;
    if !copy.success() {
        return Err("cp failed".into());
    }
    std::fs::write(
        root.join("slipway.toml"),
        "[services.\".\"]\ndata_path = \"/var/lib/catalog\"\n",
    )
    .map_err(|e| e.to_string())?;
    let profile = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
    let p = TaskParams {
        strategy: Some(params::Strategy::Canary),
        ..params_for("api.example.com", true)
    };
    let spec = spec::build(&profile, &p);
    let g = kube::generate(&spec, &kube::image_facts(&profile), None)?;
    let paths: Vec<&str> = g.artifacts.iter().map(|a| a.path.as_str()).collect();
    let mut wrong = Vec::new();
    for absent in [
        "k8s/deployment.yaml",
        "k8s/hpa.yaml",
        "k8s/pdb.yaml",
        "k8s/rollout.yaml",
    ] {
        if paths.contains(&absent) {
            wrong.push(format!("{absent} is written for a service with one writer"));
        }
    }
    let a = g
        .artifacts
        .iter()
        .find(|a| a.path == "k8s/statefulset.yaml")
        .ok_or(format!("no StatefulSet: {paths:?}"))?;
    round_trip(&a.path, &a.content)?;
    let v: Value = serde_yaml_ng::from_str(&a.content).map_err(|e| e.to_string())?;
    let mounts = format!("{:?}", get(&v, "spec.template.spec.containers.0.volumeMounts"));
    for (ok, what) in [
        (get(&v, "spec.replicas").as_i64() == Some(1), "one replica"),
        (
            get(&v, "spec.serviceName").as_str() == Some("catalog"),
            "the Service governs it",
        ),
        (mounts.contains("/var/lib/catalog"), "the volume at the data path"),
        (
            get(&v, "spec.volumeClaimTemplates.0.spec.accessModes.0").as_str() == Some("ReadWriteOnce"),
            "a claim per pod",
        ),
        (
            get(&v, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted").as_str() == Some("Retain"),
            "the data kept when the set is deleted",
        ),
        (
            get(&v, "spec.template.spec.securityContext.fsGroup").as_i64().is_some(),
            "the volume writable by the user",
        ),
    ] {
        if !ok {
            wrong.push(format!("statefulset.yaml: not {what}:\n{}", a.content));
        }
    }
    let files: Vec<(String, String)> = g
        .artifacts
        .iter()
        .map(|a| (a.path.clone(), a.content.clone()))
        .collect();
    for f in slipway_engine::kube::checks::check_consistency(&files, &profile.services) {
        wrong.push(format!("consistency: {f:?}"));
    }
    if !g
        .topology
        .iter()
        .any(|t| t.workload == "StatefulSet" && t.rollout.contains("replaced in place"))
    {
        wrong.push(format!("the picture: {:?}", g.topology));
    }
    let pipeline = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
    let deploy = pipeline
        .pipeline
        .jobs
        .iter()
        .find(|j| j.target == Some(Target::Kubernetes))
        .map(|j| j.commands.join("\n"))
        .unwrap_or_default();
    for needle in [
        "k8s/statefulset.yaml\"",
        "rollout status statefulset/catalog",
        "rollout undo statefulset/catalog",
    ] {
        if !deploy.contains(needle) {
            wrong.push(format!("the deploy lacks {needle:?}:\n{deploy}"));
        }
    }
    if !pipeline
        .pipeline
        .notes
        .iter()
        .any(|n| n.contains("keeps its data on one volume"))
    {
        wrong.push(format!(
            "the canary's absence is not explained: {:?}",
            pipeline.pipeline.notes
        ));
    }
    // A relative path is refused, naming the field.
    std::fs::write(root.join("slipway.toml"), "[services.\".\"]\ndata_path = \"data\"\n").map_err(|e| e.to_string())?;
    let profile = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
    if profile.services.iter().any(|s| s.data_path.is_some())
        || !format!("{:?}", profile.warnings).contains("absolute path")
    {
        wrong.push(format!("a relative data_path is not refused: {:?}", profile.warnings));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Runs `script` with bash in `dir`, with `env`; returns its output and whether it succeeded.
fn sh(dir: &Path, script: &str, env: &[(&str, &str)]) -> (bool, String) {
    let out = std::process::Command::new("bash")
        .arg("-euc")
        .arg(script)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("bash runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A clone with `artifacts` committed on `main`, whose origin is a bare repository beside it.
fn repo_with(
    artifacts: &[slipway_engine::generate::Artifact],
) -> Result<(tempfile::TempDir, PathBuf, PathBuf), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let origin = tmp.path().join("origin.git");
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    for a in artifacts {
        let to = work.join(&a.path);
        std::fs::create_dir_all(to.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&to, &a.content).map_err(|e| e.to_string())?;
    }
    let setup = format!(
        "git init -q --bare -b main {o}\ngit init -q -b main\ngit add -A\ngit -c user.name=t -c user.email=t@t.invalid commit -q -m files\ngit remote add origin {o}\ngit push -q origin main",
        o = origin.display()
    );
    let (ok, out) = sh(&work, &setup, &[]);
    if !ok {
        return Err(format!("setting up the repository: {out}"));
    }
    Ok((tmp, work, origin))
}

/// GitOps: Argo CD Applications (per Kustomize overlay) and Flux's source, syncs and
/// HelmReleases point at this repository's branch with the spec's sync settings; each
/// environment has its own image pin; and the pipeline's deploy, run for real against a git
/// remote on this machine, pins the tested digest in one commit marked [skip ci], does nothing
/// the second time, and holds no cluster credential.
fn gitops() -> Result<(), Failed> {
    let mut wrong = Vec::new();
    let mut profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let remote = "git@github.com:acme/catalog.git";
    let digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let with = |gitops: params::GitOps, packaging: params::Packaging| TaskParams {
        gitops: Some(gitops),
        gitops_named: true,
        packaging: Some(packaging),
        environments: vec!["staging".into(), "production".into()],
        ..params_for("api.example.com", true)
    };
    let yaml_docs = |t: &str| -> Vec<Value> {
        serde_yaml_ng::Deserializer::from_str(t)
            .filter_map(|d| serde::Deserialize::deserialize(d).ok())
            .collect()
    };

    // Argo CD with Kustomize: one Application per overlay.
    let p = with(params::GitOps::ArgoCd, params::Packaging::Kustomize);
    let spec = spec::build(&profile, &p);
    let g = kube::generate(&spec, &kube::image_facts(&profile), Some(remote)).map_err(|e| e.to_string())?;
    let file = |g: &kube::Generated, path: &str| g.artifacts.iter().find(|a| a.path == path).map(|a| a.content.clone());
    for (app, path, ns) in [
        (
            "python-fastapi-k8s-staging",
            "k8s/overlays/staging",
            "python-fastapi-k8s-staging",
        ),
        ("python-fastapi-k8s", "k8s/overlays/production", "python-fastapi-k8s"),
    ] {
        let Some(text) = file(&g, &format!("gitops/argocd/{app}.yaml")) else {
            wrong.push(format!("no Application {app}"));
            continue;
        };
        let a = yaml_docs(&text).remove(0);
        for (what, got, want) in [
            ("kind", get(&a, "kind"), Value::from("Application")),
            ("namespace", get(&a, "metadata.namespace"), Value::from("argocd")),
            (
                "repository",
                get(&a, "spec.source.repoURL"),
                Value::from("https://github.com/acme/catalog.git"),
            ),
            ("branch", get(&a, "spec.source.targetRevision"), Value::from("main")),
            ("path", get(&a, "spec.source.path"), Value::from(path)),
            ("destination", get(&a, "spec.destination.namespace"), Value::from(ns)),
            ("prune", get(&a, "spec.syncPolicy.automated.prune"), Value::from(true)),
            (
                "self-heal",
                get(&a, "spec.syncPolicy.automated.selfHeal"),
                Value::from(true),
            ),
        ] {
            if *got != want {
                wrong.push(format!("Application {app}: {what} is {got:?}, not {want:?}"));
            }
        }
        let overlay = file(&g, &format!("{path}/kustomization.yaml")).unwrap_or_default();
        if !overlay.contains("path: image-catalog.yaml") {
            wrong.push(format!("{path} does not take its image from its pin:\n{overlay}"));
        }
        if !file(&g, &format!("{path}/image-catalog.yaml"))
            .is_some_and(|t| t.contains("value: ghcr.io/acme/catalog:set-by-pipeline"))
        {
            wrong.push(format!("{path}/image-catalog.yaml does not hold the placeholder"));
        }
    }
    for (path, text) in g.artifacts.iter().map(|a| (a.path.clone(), a.content.clone())) {
        if let Err(e) = compare(
            &snapshots().join("python-fastapi-k8s.argocd-kustomize").join(&path),
            &text,
        ) {
            wrong.push(e);
        }
    }
    // The deploy pins the digest in git, and holds no cluster credential.
    let pipeline = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
    let deploys: Vec<&slipway_engine::pipeline::Job> = pipeline
        .pipeline
        .jobs
        .iter()
        .filter(|j| j.target == Some(Target::Kubernetes))
        .collect();
    if deploys.len() != 2 || deploys.iter().any(|j| j.secrets != ["GITOPS_TOKEN"]) {
        wrong.push(format!(
            "the deploys are {:?}",
            deploys.iter().map(|j| (&j.id, &j.secrets)).collect::<Vec<_>>()
        ));
    }
    if pipeline.requirements.iter().any(|r| r.name == "KUBE_CONFIG") {
        wrong.push("a GitOps pipeline asks for a kubeconfig".into());
    }
    // Run staging's deploy for real: a clone of a repository whose origin is a bare one here.
    let (_tmp, work, origin) = repo_with(&g.artifacts)?;
    let staging = deploys
        .iter()
        .find(|j| j.environment.as_deref() == Some("staging"))
        .ok_or("no staging deploy")?;
    let script = staging.commands.join("\n");
    let image = format!("ghcr.io/acme/catalog@{digest}");
    let env = [("IMAGE", image.as_str()), ("GITOPS_TOKEN", "not-a-real-token")];
    let (ok, out) = sh(&work, &script, &env);
    if !ok {
        wrong.push(format!("the staging deploy failed:\n{out}\n{script}"));
    }
    let (_, log) = sh(
        &work,
        &format!("git --git-dir={} log -1 --format=%s main", origin.display()),
        &[],
    );
    if log.trim() != format!("Deploy catalog to staging: {digest} [skip ci]") {
        wrong.push(format!("the pushed commit is {log:?}"));
    }
    let (_, pinned) = sh(
        &work,
        &format!(
            "git --git-dir={} show main:k8s/overlays/staging/image-catalog.yaml",
            origin.display()
        ),
        &[],
    );
    if !pinned.contains(&format!("value: {image}")) {
        wrong.push(format!("staging's pin is {pinned}"));
    }
    let (_, production) = sh(
        &work,
        &format!(
            "git --git-dir={} show main:k8s/overlays/production/image-catalog.yaml",
            origin.display()
        ),
        &[],
    );
    if !production.contains(":set-by-pipeline") {
        wrong.push(format!("staging's deploy pinned production too: {production}"));
    }
    let (ok, again) = sh(&work, &script, &env);
    if !ok || !again.contains("already runs") {
        wrong.push(format!("the same deploy again is not a no-op: {again}"));
    }

    // Plain manifests: the Deployment's image line is the pin, in one commit.
    let p = TaskParams {
        environments: Vec::new(),
        ..with(params::GitOps::ArgoCd, params::Packaging::Manifests)
    };
    let spec = spec::build(&profile, &p);
    let g = kube::generate(&spec, &kube::image_facts(&profile), Some(remote)).map_err(|e| e.to_string())?;
    let app = file(&g, "gitops/argocd/python-fastapi-k8s.yaml")
        .map(|t| yaml_docs(&t).remove(0))
        .unwrap_or(Value::Null);
    if get(&app, "spec.source.path") != &Value::from("k8s") {
        wrong.push(format!(
            "the manifests' Application syncs {:?}",
            get(&app, "spec.source.path")
        ));
    }
    let pipeline = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
    let deploy = pipeline
        .pipeline
        .jobs
        .iter()
        .find(|j| j.target == Some(Target::Kubernetes))
        .ok_or("no deploy")?;
    let (_tmp2, work, _origin) = repo_with(&g.artifacts)?;
    let script = deploy.commands.join("\n");
    let (ok, out) = sh(&work, &script, &env);
    let deployment = std::fs::read_to_string(work.join("k8s/deployment.yaml")).unwrap_or_default();
    if !ok || !deployment.contains(&format!("image: {image}")) {
        wrong.push(format!(
            "the manifests' deploy did not pin the image: {out}\n{deployment}"
        ));
    }
    // The person's own image line is never rewritten behind their back.
    let (_, _) = sh(&work, "sed -i 's|image: .*|image: example.org/theirs:1.0|' k8s/deployment.yaml && git -c user.name=t -c user.email=t@t.invalid commit -qam theirs && git push -q origin HEAD:main", &[]);
    let (ok, out) = sh(&work, &script, &env);
    if ok || !out.contains("does not pin") {
        wrong.push(format!("a changed image line was rewritten or passed: {out}"));
    }

    // Flux with a chart: the source, the cluster's own objects, and a HelmRelease per
    // environment that rolls back a failed upgrade; manual sync when auto_sync is false.
    profile.deploy.kube.insert("auto_sync".into(), "false".into());
    let p = with(params::GitOps::Flux, params::Packaging::Helm);
    let spec = spec::build(&profile, &p);
    let g = kube::generate(&spec, &kube::image_facts(&profile), Some(remote)).map_err(|e| e.to_string())?;
    let docs = file(&g, "gitops/flux/sync.yaml")
        .map(|t| yaml_docs(&t))
        .unwrap_or_default();
    let kinds: Vec<&Value> = docs.iter().map(|d| get(d, "kind")).collect();
    if kinds
        != [
            &Value::from("GitRepository"),
            &Value::from("Kustomization"),
            &Value::from("HelmRelease"),
            &Value::from("HelmRelease"),
        ]
    {
        wrong.push(format!("Flux's objects are {kinds:?}"));
    } else {
        let staging = &docs[2];
        for (what, got, want) in [
            (
                "the source's URL",
                get(&docs[0], "spec.url"),
                Value::from("https://github.com/acme/catalog.git"),
            ),
            (
                "the source's branch",
                get(&docs[0], "spec.ref.branch"),
                Value::from("main"),
            ),
            (
                "the cluster sync's path",
                get(&docs[1], "spec.path"),
                Value::from("./k8s"),
            ),
            (
                "the cluster sync's suspension",
                get(&docs[1], "spec.suspend"),
                Value::from(true),
            ),
            (
                "the chart",
                get(staging, "spec.chart.spec.chart"),
                Value::from("./charts/catalog"),
            ),
            (
                "the release's namespace",
                get(staging, "spec.targetNamespace"),
                Value::from("python-fastapi-k8s-staging"),
            ),
            (
                "the pin",
                get(staging, "spec.chart.spec.valuesFiles.2"),
                Value::from("charts/catalog/image-staging.yaml"),
            ),
            (
                "the rollback",
                get(staging, "spec.upgrade.remediation.strategy"),
                Value::from("rollback"),
            ),
            (
                "its dependency",
                get(staging, "spec.dependsOn.0.name"),
                Value::from("python-fastapi-k8s-cluster"),
            ),
        ] {
            if *got != want {
                wrong.push(format!("Flux: {what} is {got:?}, not {want:?}"));
            }
        }
    }
    if !file(&g, "charts/catalog/image-staging.yaml").is_some_and(|t| t.contains("repository: ghcr.io/acme/catalog")) {
        wrong.push("the chart has no staging pin".into());
    }
    for (path, text) in g.artifacts.iter().map(|a| (a.path.clone(), a.content.clone())) {
        if path.starts_with("gitops/") || path.contains("/image-") || path == "docs/kubernetes.md" {
            if let Err(e) = compare(&snapshots().join("python-fastapi-k8s.flux-helm").join(&path), &text) {
                wrong.push(e);
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// The documents of `path` among `files`, parsed.
fn docs_of(files: &[(String, String)], path: &str) -> Vec<Value> {
    files
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, t)| {
            serde_yaml_ng::Deserializer::from_str(t)
                .filter_map(|d| serde::Deserialize::deserialize(d).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn error_rate_rollouts() -> Result<(), Failed> {
    use params::Strategy;
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-metrics")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for (strategy, folder) in [
        (Strategy::Canary, "python-fastapi-metrics.canary"),
        (Strategy::BlueGreen, "python-fastapi-metrics.blue-green"),
    ] {
        let p = TaskParams {
            strategy: Some(strategy),
            ..params_for("orders.example.com", true)
        };
        let files = generate_and_check(&profile, &p).map_err(|e| format!("{folder}: {e}"))?;
        for (path, text) in &files {
            if let Err(e) = compare(&snapshots().join(folder).join(path), text) {
                wrong.push(e);
            }
        }
        let expect = |wrong: &mut Vec<String>, what: &str, got: &Value, want: Value| {
            if *got != want {
                wrong.push(format!("{folder}: {what} is {got:?}, not {want:?}"));
            }
        };
        let r = docs_of(&files, "k8s/rollout.yaml");
        let analysis = match strategy {
            Strategy::Canary => {
                let a = get(&r[0], "spec.strategy.canary.analysis");
                // From the first step with requests on the new pods (step 0 sets 10%).
                expect(
                    &mut wrong,
                    "the background analysis' first step",
                    get(a, "startingStep"),
                    Value::from(1),
                );
                a.clone()
            }
            _ => get(&r[0], "spec.strategy.blueGreen.postPromotionAnalysis").clone(),
        };
        expect(
            &mut wrong,
            "the error check's template",
            get(&analysis, "templates.0.templateName"),
            Value::from("orders-errors"),
        );
        expect(
            &mut wrong,
            "the namespace argument",
            get(&analysis, "args.0.valueFrom.fieldRef.fieldPath"),
            Value::from("metadata.namespace"),
        );
        expect(
            &mut wrong,
            "the new pods' hash argument",
            get(&analysis, "args.1.valueFrom.podTemplateHashValue"),
            Value::from("Latest"),
        );
        let templates = docs_of(&files, "k8s/analysistemplate.yaml");
        expect(
            &mut wrong,
            "the templates",
            &Value::from(templates.len()),
            Value::from(2),
        );
        let errors = templates.get(1).cloned().unwrap_or(Value::Null);
        expect(
            &mut wrong,
            "the second template",
            get(&errors, "metadata.name"),
            Value::from("orders-errors"),
        );
        let declared: Vec<&str> = get(&errors, "spec.args")
            .as_sequence()
            .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
            .unwrap_or_default();
        expect(
            &mut wrong,
            "its arguments",
            &Value::from(declared.join(",")),
            Value::from("namespace,new-hash"),
        );
        let metrics = get(&errors, "spec.metrics");
        expect(
            &mut wrong,
            "the first measure",
            get(metrics, "0.name"),
            Value::from("scraped"),
        );
        expect(
            &mut wrong,
            "the second measure",
            get(metrics, "1.name"),
            Value::from("errors"),
        );
        expect(
            &mut wrong,
            "the Prometheus asked",
            get(metrics, "1.provider.prometheus.address"),
            Value::from("http://prometheus-operated.monitoring.svc:9090"),
        );
        let query = get(metrics, "1.provider.prometheus.query")
            .as_str()
            .unwrap_or("")
            .to_string();
        for part in [
            "http_requests_total{",
            r#"status="5xx""#,
            r#"pod=~"orders-{{args.new-hash}}-.*""#,
            r#"namespace="{{args.namespace}}""#,
            "or vector(0)",
        ] {
            if !query.contains(part) {
                wrong.push(format!("{folder}: the error query lacks {part}: {query}"));
            }
        }
        expect(
            &mut wrong,
            "the error condition",
            get(metrics, "1.successCondition"),
            Value::from("result[0] <= 0.01"),
        );
        // A blue-green checks five times after the switch; a canary's check runs to its end.
        expect(
            &mut wrong,
            "the count",
            get(metrics, "1.count"),
            if strategy == Strategy::BlueGreen {
                Value::from(5)
            } else {
                Value::Null
            },
        );
        let pm = docs_of(&files, "k8s/podmonitor.yaml");
        let dep = docs_of(&files, "k8s/deployment.yaml");
        let (Some(pm), Some(dep)) = (pm.first(), dep.first()) else {
            wrong.push(format!("{folder}: no PodMonitor or no Deployment"));
            continue;
        };
        expect(
            &mut wrong,
            "the PodMonitor's release label",
            get(pm, "metadata.labels.release"),
            Value::from("kube-prometheus-stack"),
        );
        expect(
            &mut wrong,
            "the PodMonitor's selector",
            get(pm, "spec.selector.matchLabels"),
            get(dep, "spec.selector.matchLabels").clone(),
        );
        let port_name = get(pm, "spec.podMetricsEndpoints.0.port").clone();
        let ports = get(dep, "spec.template.spec.containers.0.ports");
        if !ports
            .as_sequence()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == port_name))
        {
            wrong.push(format!(
                "{folder}: the PodMonitor scrapes port {port_name:?}, which the pods do not name"
            ));
        }
        expect(
            &mut wrong,
            "the metrics path",
            get(pm, "spec.podMetricsEndpoints.0.path"),
            Value::from("/metrics"),
        );
        let np = docs_of(&files, "k8s/networkpolicy.yaml");
        let admitted: Vec<String> = get(&np[0], "spec.ingress.0.from")
            .as_sequence()
            .map(|f| {
                f.iter()
                    .filter_map(|p| p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"].as_str())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if !admitted.iter().any(|n| n == "monitoring") {
            wrong.push(format!(
                "{folder}: Prometheus's namespace may not scrape the pods: {admitted:?}"
            ));
        }
        let runbook = &files.iter().find(|(p, _)| p == "docs/kubernetes.md").unwrap().1;
        if !runbook.contains("The Prometheus Operator") || !runbook.contains("release: kube-prometheus-stack") {
            wrong.push(format!("{folder}: the runbook does not name the Prometheus it needs"));
        }
    }

    // Nothing reads the metrics in a rolling update, or when slipway.toml says none: no
    // PodMonitor (its CRD may not exist in the cluster), and only the health check.
    let rolling = generate_and_check(&profile, &params_for("orders.example.com", true))?;
    if rolling.iter().any(|(p, _)| p.ends_with("podmonitor.yaml")) {
        wrong.push("a rolling update writes a PodMonitor nothing reads".into());
    }
    let mut none = profile.clone();
    none.deploy.kube.insert("prometheus".into(), "none".into());
    let canary = TaskParams {
        strategy: Some(Strategy::Canary),
        ..params_for("orders.example.com", true)
    };
    let files = generate_and_check(&none, &canary)?;
    if files.iter().any(|(p, _)| p.ends_with("podmonitor.yaml"))
        || docs_of(&files, "k8s/analysistemplate.yaml").len() != 1
    {
        wrong.push("prometheus = \"none\" still writes the error-rate check".into());
    }
    // A library that counts no requests by itself gives no query to run.
    let mut uncounted = profile.clone();
    uncounted.services[0].metrics_library = Some("prom-client".into());
    let files = generate_and_check(&uncounted, &canary)?;
    if files.iter().any(|(p, _)| p.ends_with("podmonitor.yaml")) {
        wrong.push("a library without a request counter gets an error-rate check".into());
    }
    // Another Prometheus and release label, from slipway.toml.
    let mut other = profile.clone();
    other.deploy.kube.insert(
        "prometheus".into(),
        "http://prometheus.observability.svc.cluster.local:9090".into(),
    );
    other.deploy.kube.insert("prometheus_release".into(), "prom".into());
    let files = generate_and_check(&other, &canary)?;
    let pm = docs_of(&files, "k8s/podmonitor.yaml");
    if pm.first().map(|p| get(p, "metadata.labels.release").clone()) != Some(Value::from("prom")) {
        wrong.push(format!("prometheus_release is not the PodMonitor's label: {pm:?}"));
    }
    let np = docs_of(&files, "k8s/networkpolicy.yaml");
    if !serde_yaml_ng::to_string(&np)
        .unwrap_or_default()
        .contains("observability")
    {
        wrong.push("the NetworkPolicy does not admit the Prometheus of prometheus = ...".into());
    }
    // A value that is no address is refused with its line.
    let mut bad = profile.clone();
    bad.deploy.kube.insert("prometheus".into(), "prometheus:9090".into());
    let spec = spec::build(&bad, &canary);
    if !spec
        .errors
        .iter()
        .any(|e| e.contains("prometheus = \"prometheus:9090\""))
    {
        wrong.push(format!(
            "a Prometheus without a scheme is not refused: {:?}",
            spec.errors
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

fn detected_data_folder() -> Result<(), Failed> {
    // The code opens /var/lib/notes/notes.db: no slipway.toml needed.
    let profile = slipway_scan::scan(&fixtures().join("node-express-sqlite")).map_err(|e| e.to_string())?;
    let files = generate_and_check(&profile, &params_for("notes.example.com", true))?;
    let set = docs_of(&files, "k8s/statefulset.yaml");
    let Some(set) = set.first() else {
        return Err(format!(
            "no StatefulSet: {:?}",
            files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>()
        )
        .into());
    };
    let mut wrong = Vec::new();
    let mounts = get(set, "spec.template.spec.containers.0.volumeMounts");
    if !mounts
        .as_sequence()
        .is_some_and(|m| m.iter().any(|v| v["mountPath"] == "/var/lib/notes"))
    {
        wrong.push(format!("the data folder is not mounted: {mounts:?}"));
    }
    if files
        .iter()
        .any(|(p, _)| p == "k8s/hpa.yaml" || p == "k8s/deployment.yaml")
    {
        wrong.push("a service with one writer got a Deployment or an autoscaler".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

fn umbrella_chart() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("mono-polyglot")).map_err(|e| e.to_string())?;
    let task = slipway_engine::task::understand(
        "deploy it to Kubernetes with autoscaling on mono-polyglot.example.com, one Helm chart for all the services",
    )
    .map_err(|e| e.to_string())?;
    if !task.params.umbrella_chart || task.params.packaging != Some(params::Packaging::Helm) {
        return Err(format!("the task's words are not read as one Helm chart: {:?}", task.params).into());
    }
    let files = generate_and_check(&profile, &task.params)?;
    let mut wrong = Vec::new();
    for (path, text) in &files {
        if let Err(e) = compare(&snapshots().join("mono-polyglot.umbrella").join(path), text) {
            wrong.push(e);
        }
    }
    let spec = spec::build(&profile, &task.params);
    let u = kube::helm::umbrella(&spec).ok_or("no umbrella chart in the spec")?;
    let services: Vec<String> = spec.services.iter().map(|s| kube::name_of(&s.name)).collect();
    let chart = docs_of(&files, &format!("charts/{u}/Chart.yaml"));
    let deps: Vec<(String, String)> = get(&chart[0], "dependencies")
        .as_sequence()
        .map(|d| {
            d.iter()
                .map(|x| {
                    (
                        x["name"].as_str().unwrap_or("").to_string(),
                        x["condition"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let want: Vec<(String, String)> = services.iter().map(|n| (n.clone(), format!("{n}.enabled"))).collect();
    if deps != want {
        wrong.push(format!("the umbrella's dependencies are {deps:?}, not {want:?}"));
    }
    for n in &services {
        let sub = format!("charts/{u}/charts/{n}");
        if !files.iter().any(|(p, _)| *p == format!("{sub}/Chart.yaml")) {
            wrong.push(format!("no subchart {sub}"));
        }
        let v = docs_of(&files, &format!("{sub}/values.yaml"));
        if v.first().map(|v| v["enabled"].clone()) != Some(Value::from(true)) {
            wrong.push(format!(
                "{sub}/values.yaml has no enabled: true for the umbrella's condition"
            ));
        }
        if files.iter().any(|(p, _)| p.starts_with(&format!("{sub}/values-"))) {
            wrong.push(format!(
                "{sub} has an environment's values file; the umbrella's holds them"
            ));
        }
    }
    if files
        .iter()
        .any(|(p, _)| p.starts_with("charts/") && !p.starts_with(&format!("charts/{u}/")))
    {
        wrong.push("a chart outside the umbrella".into());
    }
    let staging = docs_of(&files, &format!("charts/{u}/values-staging.yaml"));
    for n in &services {
        if staging.first().is_none_or(|v| v[n.as_str()].is_null()) {
            wrong.push(format!("the umbrella's staging values have nothing for {n}"));
        }
    }

    // The pipeline: each service's deploy upgrades the one release with its own image, keeps
    // the others', and on the first install leaves the others off.
    let g = slipway_engine::pipeline::generate(&spec, &[]).map_err(|e| e.to_string())?;
    let backend = spec
        .services
        .iter()
        .find(|s| kube::name_of(&s.name) == "backend")
        .ok_or("no backend service")?;
    let deploy = g
        .pipeline
        .jobs
        .iter()
        .find(|j| j.target == Some(Target::Kubernetes) && j.service.as_deref() == Some(backend.name.as_str()))
        .ok_or("no deploy job for the backend")?;
    let script = deploy.commands.join("\n");
    for needle in [
        format!("upgrade --install {u} charts/{u}"),
        "--reset-then-reuse-values --set backend.enabled=true \"$@\"".to_string(),
        "--set-string \"backend.image.digest=${IMAGE#*@}\"".to_string(),
        format!("helm\" --kubeconfig \"$bin/kubeconfig\" test {u}"),
    ] {
        if !script.contains(&needle) {
            wrong.push(format!("the backend's deploy lacks {needle}:\n{script}"));
        }
    }
    let workflow = g
        .artifacts
        .iter()
        .find(|a| a.path.starts_with(".github/workflows/"))
        .ok_or("no workflow")?;
    let groups: std::collections::BTreeSet<String> = serde_yaml_ng::from_str::<Value>(&workflow.content)
        .map_err(|e| e.to_string())?["jobs"]
        .as_mapping()
        .map(|jobs| {
            jobs.values()
                .filter_map(|j| j["concurrency"]["group"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if !groups.contains(&format!("deploy-production-{u}")) || groups.iter().any(|g| g.ends_with("-backend")) {
        wrong.push(format!("the deploys do not queue on the one release: {groups:?}"));
    }
    // The first-install switch, run by bash against a helm that answers as Helm 4 does.
    let first = deploy
        .commands
        .iter()
        .find(|c| c.starts_with("set --"))
        .ok_or("no first-install switch")?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let bin = tmp.path().join("linux-amd64");
    std::fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    let fake = |answer: &str, code: i32| {
        let helm = bin.join("helm");
        std::fs::write(&helm, format!("#!/bin/sh\necho '{answer}' >&2\nexit {code}\n")).unwrap();
        std::process::Command::new("chmod")
            .args(["+x", &helm.to_string_lossy()])
            .status()
            .unwrap();
    };
    let run = format!(
        "bin={}\n{first}\nfor a in \"$@\"; do printf '<%s>' \"$a\"; done",
        tmp.path().display()
    );
    fake("Error: release: not found", 1);
    let (ok, out) = sh(tmp.path(), &run, &[]);
    let others: String = services
        .iter()
        .filter(|n| n.as_str() != "backend")
        .map(|n| format!("<--set><{n}.enabled=false>"))
        .collect();
    if !ok || out.trim() != others {
        wrong.push(format!(
            "a first install does not turn the others off: {ok} {out:?}, not {others:?}"
        ));
    }
    fake("STATUS: deployed", 0);
    let (ok, out) = sh(tmp.path(), &run, &[]);
    if !ok || !out.trim().is_empty() {
        wrong.push(format!("an upgrade turns services off: {ok} {out:?}"));
    }
    fake("Error: Kubernetes cluster unreachable", 1);
    let (ok, out) = sh(tmp.path(), &run, &[]);
    if ok || !out.contains("unreachable") {
        wrong.push(format!(
            "a failed read of the release goes on as a first install: {ok} {out:?}"
        ));
    }

    // GitOps: one Application per environment on the umbrella, each service pinned in its file.
    let gitops = slipway_engine::task::understand(
        "deploy it to Kubernetes on mono-polyglot.example.com, one Helm chart for all the services, synced by Argo CD",
    )
    .map_err(|e| e.to_string())?;
    let gspec = spec::build(&profile, &gitops.params);
    let files: Vec<(String, String)> = kube::generate(&gspec, &kube::image_facts(&profile), None)?
        .artifacts
        .into_iter()
        .map(|a| (a.path, a.content))
        .collect();
    let apps: Vec<Value> = files
        .iter()
        .filter(|(p, _)| p.starts_with("gitops/argocd/"))
        .flat_map(|(p, _)| docs_of(&files, p))
        .filter(|d| d["kind"] == "Application" && d["spec"]["source"]["path"] == format!("charts/{u}").as_str())
        .collect();
    if apps.is_empty() {
        wrong.push("no Argo CD Application syncs the umbrella chart".into());
    }
    for app in &apps {
        let value_files = serde_yaml_ng::to_string(&app["spec"]["source"]["helm"]["valueFiles"]).unwrap_or_default();
        for n in &services {
            if !value_files.contains(&format!("-{n}.yaml")) {
                wrong.push(format!("an Application does not read {n}'s pin: {value_files}"));
            }
        }
    }
    let pin = kube::gitops::pin_file(&gspec, backend, "production");
    let written = docs_of(&files, &pin);
    if written.first().map(|v| v["backend"]["image"]["digest"].clone()) != Some(Value::from("")) {
        wrong.push(format!(
            "{pin} does not hold backend's image under its key: {written:?}"
        ));
    }
    // The pipeline rewrites the pin in the same shape.
    let commands = kube::gitops::pin_commands(&gspec, backend, "production");
    let write = commands
        .iter()
        .find(|c| c.starts_with("printf"))
        .ok_or("no pin write")?;
    std::fs::create_dir_all(tmp.path().join(pin.rsplit_once('/').unwrap().0)).map_err(|e| e.to_string())?;
    let (ok, out) = sh(
        tmp.path(),
        write,
        &[(
            "IMAGE",
            "ghcr.io/o/backend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        )],
    );
    let pinned: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(tmp.path().join(&pin)).unwrap_or_default())
        .unwrap_or(Value::Null);
    if !ok || pinned["backend"]["image"]["repository"] != "ghcr.io/o/backend" {
        wrong.push(format!(
            "the pipeline's pin is not under backend: {ok} {out} {pinned:?}"
        ));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}
