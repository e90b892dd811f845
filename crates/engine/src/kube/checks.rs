//! The reflection's checks on Kubernetes manifests, generated or the person's own: the core of
//! what kube-score, Polaris, kube-linter and checkov look at, each finding with its file and
//! line, and the cross-object agreement they all miss in part (selectors and pod labels, the
//! Service's target port and the container's, an Ingress's backend and the Service, a PDB and
//! its pods, an autoscaler and its CPU requests), plus agreement with the analysed project.

use serde_yaml_ng::Value;
use slipway_scan::ServiceProfile;

use crate::check::{Finding, Severity};

/// API versions Kubernetes no longer serves, and what replaced them.
pub const RETIRED: &[(&str, &str, &str)] = &[
    ("extensions/v1beta1", "apps/v1 or networking.k8s.io/v1", "1.22"),
    ("apps/v1beta1", "apps/v1", "1.16"),
    ("apps/v1beta2", "apps/v1", "1.16"),
    ("policy/v1beta1", "policy/v1", "1.25"),
    ("autoscaling/v2beta1", "autoscaling/v2", "1.25"),
    ("autoscaling/v2beta2", "autoscaling/v2", "1.26"),
    ("networking.k8s.io/v1beta1", "networking.k8s.io/v1", "1.22"),
    ("batch/v1beta1", "batch/v1", "1.25"),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "rbac.authorization.k8s.io/v1",
        "1.22",
    ),
];

/// One object of a manifest, with where it starts.
#[derive(Debug, Clone)]
pub struct Object {
    /// The file.
    pub path: String,
    /// The line its document starts on.
    pub line: u32,
    /// The text of its document, for finding a key's line.
    pub text: String,
    /// The parsed object.
    pub value: Value,
}

impl Object {
    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }
    fn name(&self) -> &str {
        self.value
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// The line of the first line holding `needle` in this object, or its first line.
    fn line_of(&self, needle: &str) -> u32 {
        self.text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(self.line, |i| self.line + i as u32)
    }
}

/// The Kubernetes objects in a YAML file (those with `apiVersion` and `kind`); a document that
/// does not parse is skipped here (the YAML check reports it).
pub fn objects(path: &str, text: &str) -> Vec<Object> {
    let mut out = Vec::new();
    let mut start = 1u32;
    let mut chunk = String::new();
    let flush = |chunk: &mut String, start: u32, out: &mut Vec<Object>| {
        if let Ok(value) = serde_yaml_ng::from_str::<Value>(chunk) {
            if value.get("apiVersion").is_some() && value.get("kind").is_some() {
                out.push(Object {
                    path: path.to_string(),
                    line: start,
                    text: chunk.clone(),
                    value,
                });
            }
        }
        chunk.clear();
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim_end() == "---" {
            flush(&mut chunk, start, &mut out);
            start = i as u32 + 2;
            continue;
        }
        chunk.push_str(line);
        chunk.push('\n');
    }
    flush(&mut chunk, start, &mut out);
    out
}

/// True when the text looks like a Kubernetes manifest.
pub fn is_manifest(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("apiVersion:")) && text.lines().any(|l| l.starts_with("kind:"))
}

fn finding(o: &Object, severity: Severity, rule: &str, needle: &str, message: String) -> Finding {
    Finding {
        severity,
        rule: format!("kubernetes/{rule}"),
        path: o.path.clone(),
        line: Some(o.line_of(needle)),
        message,
    }
}

/// The pod template of a workload, and whether it is a long-running one.
fn pod_spec(v: &Value) -> Option<(&Value, bool)> {
    let kind = v.get("kind")?.as_str()?;
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Rollout" => {
            Some((v.get("spec")?.get("template")?.get("spec")?, true))
        }
        "Job" => Some((v.get("spec")?.get("template")?.get("spec")?, false)),
        "CronJob" => Some((
            v.get("spec")?
                .get("jobTemplate")?
                .get("spec")?
                .get("template")?
                .get("spec")?,
            false,
        )),
        "Pod" => Some((v.get("spec")?, false)),
        _ => None,
    }
}

fn pod_labels(v: &Value) -> Option<&serde_yaml_ng::Mapping> {
    v.get("spec")?
        .get("template")?
        .get("metadata")?
        .get("labels")?
        .as_mapping()
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = v;
    for k in path {
        at = at.get(*k)?;
    }
    at.as_str()
}

fn bool_at(v: &Value, path: &[&str]) -> Option<bool> {
    let mut at = v;
    for k in path {
        at = at.get(*k)?;
    }
    at.as_bool()
}

fn int_at(v: &Value, path: &[&str]) -> Option<i64> {
    let mut at = v;
    for k in path {
        at = at.get(*k)?;
    }
    at.as_i64()
}

/// The checks on each object of one file by itself.
pub fn check_objects(path: &str, text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for o in objects(path, text) {
        let api = o.value.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if let Some((_, now, gone)) = RETIRED.iter().find(|(v, _, _)| *v == api) {
            out.push(finding(
                &o,
                Severity::Error,
                "retired-api",
                "apiVersion",
                format!(
                    "{} {} uses {api}, which Kubernetes {gone} no longer serves: use {now}",
                    o.kind(),
                    o.name()
                ),
            ));
        }
        if o.value
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            == Some("default")
        {
            out.push(finding(
                &o,
                Severity::Warning,
                "default-namespace",
                "namespace:",
                format!(
                    "{} {} is in the default namespace: give the app its own",
                    o.kind(),
                    o.name()
                ),
            ));
        }
        let Some((pod, long_running)) = pod_spec(&o.value) else {
            continue;
        };
        let what = format!("{} {}", o.kind(), o.name());
        for ns in ["hostNetwork", "hostPID", "hostIPC"] {
            if pod.get(ns).and_then(Value::as_bool) == Some(true) {
                out.push(finding(
                    &o,
                    Severity::Error,
                    "host-namespaces",
                    ns,
                    format!("{what} shares the node's {ns}: a compromised pod reaches the node"),
                ));
            }
        }
        let pod_non_root = bool_at(pod, &["securityContext", "runAsNonRoot"]);
        let pod_user = int_at(pod, &["securityContext", "runAsUser"]);
        let containers = pod
            .get("containers")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        for c in &containers {
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
            let who = format!("container {cname} of {what}");
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let tag = image.rsplit_once('/').map_or(image, |(_, t)| t);
            if !image.contains('@') && (!tag.contains(':') || tag.ends_with(":latest")) {
                out.push(finding(
                    &o,
                    Severity::Error,
                    "latest-tag",
                    "image:",
                    format!("{who} runs {image:?} without a fixed tag: a restart may run another version"),
                ));
            }
            let res = c.get("resources");
            for (kind, key) in [("requests", "cpu"), ("requests", "memory"), ("limits", "memory")] {
                if res.and_then(|r| r.get(kind)).and_then(|r| r.get(key)).is_none() {
                    out.push(finding(
                        &o,
                        Severity::Warning,
                        "resources",
                        &format!("name: {cname}"),
                        format!("{who} sets no {key} {kind}: the scheduler cannot place it well, and an autoscaler on CPU cannot work"),
                    ));
                }
            }
            if long_running && o.kind() != "DaemonSet" {
                let readiness = c.get("readinessProbe");
                let liveness = c.get("livenessProbe");
                if readiness.is_none() && c.get("ports").is_some() {
                    out.push(finding(
                        &o,
                        Severity::Warning,
                        "probes",
                        &format!("name: {cname}"),
                        format!("{who} has no readinessProbe: a rollout sends traffic to pods that cannot serve yet"),
                    ));
                }
                if let (Some(r), Some(l)) = (readiness, liveness) {
                    if r == l {
                        out.push(finding(
                            &o,
                            Severity::Warning,
                            "identical-probes",
                            "livenessProbe",
                            format!("{who} has the same liveness and readiness probe: a slow dependency then restarts pods instead of pausing their traffic"),
                        ));
                    }
                }
            }
            let sc = c.get("securityContext");
            let get_b = |k: &str| sc.and_then(|s| s.get(k)).and_then(Value::as_bool);
            if get_b("privileged") == Some(true) {
                out.push(finding(
                    &o,
                    Severity::Error,
                    "privileged",
                    "privileged",
                    format!("{who} is privileged: it has every power of the node"),
                ));
            }
            if get_b("allowPrivilegeEscalation") != Some(false) {
                out.push(finding(
                    &o,
                    Severity::Warning,
                    "privilege-escalation",
                    &format!("name: {cname}"),
                    format!("{who} does not set allowPrivilegeEscalation: false"),
                ));
            }
            let non_root = get_b("runAsNonRoot").or(pod_non_root);
            let user = sc.and_then(|s| s.get("runAsUser")).and_then(Value::as_i64).or(pod_user);
            if user == Some(0) {
                out.push(finding(
                    &o,
                    Severity::Error,
                    "root",
                    "runAsUser: 0",
                    format!("{who} runs as root (runAsUser: 0)"),
                ));
            } else if non_root != Some(true) {
                out.push(finding(
                    &o,
                    Severity::Warning,
                    "root",
                    &format!("name: {cname}"),
                    format!("{who} does not set runAsNonRoot: true, so an image that runs as root is allowed"),
                ));
            } else if let Some(u) = user.filter(|u| *u < 10000) {
                out.push(finding(
                    &o,
                    Severity::Info,
                    "low-uid",
                    "runAsUser",
                    format!("{who} runs as uid {u}: below 10000 it may match a user of the node"),
                ));
            }
            if get_b("readOnlyRootFilesystem") != Some(true) {
                out.push(finding(
                    &o,
                    Severity::Warning,
                    "writable-root",
                    &format!("name: {cname}"),
                    format!("{who} can write its root filesystem; set readOnlyRootFilesystem: true and mount an emptyDir where it writes"),
                ));
            }
            let drops_all = sc
                .and_then(|s| s.get("capabilities"))
                .and_then(|c| c.get("drop"))
                .and_then(Value::as_sequence)
                .is_some_and(|d| d.iter().any(|x| x.as_str() == Some("ALL")));
            if !drops_all {
                out.push(finding(
                    &o,
                    Severity::Warning,
                    "capabilities",
                    &format!("name: {cname}"),
                    format!("{who} keeps the default Linux capabilities (NET_RAW among them); drop ALL"),
                ));
            }
        }
        if o.kind() == "Deployment" || o.kind() == "StatefulSet" {
            let selector = o
                .value
                .get("spec")
                .and_then(|s| s.get("selector"))
                .and_then(|s| s.get("matchLabels"))
                .and_then(Value::as_mapping);
            if let (Some(sel), Some(labels)) = (selector, pod_labels(&o.value)) {
                for (k, v) in sel {
                    if labels.get(k) != Some(v) {
                        out.push(finding(
                            &o,
                            Severity::Error,
                            "selector-mismatch",
                            "selector",
                            format!(
                                "{what} selects {}={} but its pods are not labelled so: the rollout never finishes",
                                k.as_str().unwrap_or("?"),
                                v.as_str().unwrap_or("?")
                            ),
                        ));
                    }
                }
            }
        }
    }
    out
}

fn selects(selector: &serde_yaml_ng::Mapping, labels: &serde_yaml_ng::Mapping) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn container_ports(o: &Object) -> Vec<(Option<String>, i64)> {
    let Some((pod, _)) = pod_spec(&o.value) else {
        return Vec::new();
    };
    pod.get("containers")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .flat_map(|c| c.get("ports").and_then(Value::as_sequence).cloned().unwrap_or_default())
        .filter_map(|p| {
            Some((
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("containerPort")?.as_i64()?,
            ))
        })
        .collect()
}

fn seq_at(v: &Value, path: &[&str]) -> Vec<Value> {
    let mut cur = v;
    for p in path {
        match cur.get(*p) {
            Some(next) => cur = next,
            None => return Vec::new(),
        }
    }
    cur.as_sequence().cloned().unwrap_or_default()
}

/// A canary's routers must exist and reach both of its Services: a VirtualService or HTTPRoute
/// that the Rollout names but the files do not define (or that routes elsewhere) leaves the
/// controller unable to move the weights, and the rollout stalls at its first step.
fn check_traffic_routing(
    rollout: &Object,
    all: &[Object],
    ns: &str,
    namespace_of: &dyn Fn(&Object) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let canary = &rollout.value["spec"]["strategy"]["canary"];
    let (Some(stable), Some(new)) = (
        str_at(canary, &["stableService"]).map(str::to_string),
        str_at(canary, &["canaryService"]).map(str::to_string),
    ) else {
        return out;
    };
    let routing = &canary["trafficRouting"];
    let find = |kind: &str, name: &str| {
        all.iter()
            .find(|o| o.kind() == kind && o.name() == name && namespace_of(o) == ns)
    };
    let mut missing = |kind: &str, name: &str, why: String| {
        out.push(finding(
            rollout,
            Severity::Error,
            "rollout-router",
            name,
            format!("Rollout {}: {kind} {name} {why}", rollout.name()),
        ));
    };
    for vs in seq_at(routing, &["istio", "virtualServices"]) {
        let Some(name) = str_at(&vs, &["name"]) else { continue };
        let Some(v) = find("VirtualService", name) else {
            missing("VirtualService", name, "is not defined in these manifests".into());
            continue;
        };
        let wanted: Vec<String> = seq_at(&vs, &["routes"])
            .iter()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        let routes = seq_at(&v.value, &["spec", "http"]);
        for w in &wanted {
            let Some(r) = routes.iter().find(|r| str_at(r, &["name"]) == Some(w.as_str())) else {
                missing("VirtualService", name, format!("has no HTTP route named {w}"));
                continue;
            };
            let hosts: Vec<&str> = r
                .get("route")
                .and_then(Value::as_sequence)
                .map(|d| d.iter().filter_map(|d| str_at(d, &["destination", "host"])).collect())
                .unwrap_or_default();
            for svc in [&stable, &new] {
                if !hosts.contains(&svc.as_str()) {
                    missing(
                        "VirtualService",
                        name,
                        format!("route {w} has no destination {svc}, so its weight cannot move"),
                    );
                }
            }
        }
    }
    let plugin = &routing["plugins"]["argoproj-labs/gatewayAPI"];
    let mut names: Vec<String> = str_at(plugin, &["httpRoute"]).map(str::to_string).into_iter().collect();
    names.extend(
        seq_at(plugin, &["httpRoutes"])
            .iter()
            .filter_map(|r| str_at(r, &["name"]).map(str::to_string)),
    );
    for name in names {
        let Some(route) = find("HTTPRoute", &name) else {
            missing("HTTPRoute", &name, "is not defined in these manifests".into());
            continue;
        };
        let backends: Vec<String> = seq_at(&route.value, &["spec", "rules"])
            .iter()
            .flat_map(|r| seq_at(r, &["backendRefs"]))
            .filter_map(|b| str_at(&b, &["name"]).map(str::to_string))
            .collect();
        for svc in [&stable, &new] {
            if !backends.contains(svc) {
                missing(
                    "HTTPRoute",
                    &name,
                    format!("has no backend {svc}, so its weight cannot move"),
                );
            }
        }
    }
    out
}

/// The checks across every object of a project's manifests: that selectors find pods, a
/// Service's target port is a container port, an Ingress's backend is a Service port, a PDB
/// and an autoscaler point at workloads that suit them, a canary's routers reach both of its
/// Services, and the workloads agree with the analysed services (port and health path).
pub fn check_consistency(files: &[(String, String)], services: &[ServiceProfile]) -> Vec<Finding> {
    let mut all: Vec<Object> = files.iter().flat_map(|(p, t)| objects(p, t)).collect();
    let namespace_of = |o: &Object| {
        o.value
            .get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    // A Rollout with a workloadRef runs the Deployment's template, and the Deployment itself
    // runs no pods: the Rollout is checked with the template, in the Deployment's place.
    let mut templates_only = Vec::new();
    for i in 0..all.len() {
        let r = &all[i];
        let target = str_at(&r.value, &["spec", "workloadRef", "name"]).map(str::to_string);
        let (true, Some(target)) = (r.kind() == "Rollout", target) else {
            continue;
        };
        let ns = namespace_of(r);
        let Some(j) = all
            .iter()
            .position(|d| d.kind() == "Deployment" && d.name() == target && namespace_of(d) == ns)
        else {
            continue;
        };
        if let Some(t) = all[j].value.get("spec").and_then(|s| s.get("template")).cloned() {
            if let Some(spec) = all[i].value.get_mut("spec").and_then(Value::as_mapping_mut) {
                spec.entry(Value::from("template")).or_insert(t);
            }
            templates_only.push(j);
        }
    }
    let workloads: Vec<&Object> = all
        .iter()
        .enumerate()
        .filter(|(i, o)| {
            matches!(o.kind(), "Deployment" | "StatefulSet" | "DaemonSet" | "Rollout") && !templates_only.contains(i)
        })
        .map(|(_, o)| o)
        .collect();
    let mut out = Vec::new();
    for o in &all {
        let ns = namespace_of(o);
        let same_ns = |w: &&&Object| namespace_of(w) == ns;
        match o.kind() {
            "Service" => {
                let Some(sel) = o
                    .value
                    .get("spec")
                    .and_then(|s| s.get("selector"))
                    .and_then(Value::as_mapping)
                else {
                    continue;
                };
                let targets: Vec<&&Object> = workloads
                    .iter()
                    .filter(same_ns)
                    .filter(|w| pod_labels(&w.value).is_some_and(|l| selects(sel, l)))
                    .collect();
                if targets.is_empty() && !workloads.is_empty() {
                    out.push(finding(
                        o,
                        Severity::Error,
                        "selector-mismatch",
                        "selector",
                        format!(
                            "Service {} selects no pods of these manifests: its endpoints stay empty",
                            o.name()
                        ),
                    ));
                    continue;
                }
                let ports = o
                    .value
                    .get("spec")
                    .and_then(|s| s.get("ports"))
                    .and_then(Value::as_sequence)
                    .cloned()
                    .unwrap_or_default();
                for p in ports {
                    let target = p.get("targetPort").or_else(|| p.get("port"));
                    let found = targets.iter().any(|w| {
                        container_ports(w).iter().any(|(name, num)| match target {
                            Some(Value::String(t)) => name.as_deref() == Some(t.as_str()),
                            Some(v) => v.as_i64() == Some(*num),
                            None => false,
                        })
                    });
                    if !found && !targets.is_empty() {
                        out.push(finding(
                            o,
                            Severity::Error,
                            "service-port",
                            "targetPort",
                            format!(
                                "Service {} sends to port {} that no container of its pods declares",
                                o.name(),
                                target
                                    .map(|t| serde_yaml_ng::to_string(t).unwrap_or_default().trim().to_string())
                                    .unwrap_or_default()
                            ),
                        ));
                    }
                }
            }
            "PodDisruptionBudget" => {
                let sel = o
                    .value
                    .get("spec")
                    .and_then(|s| s.get("selector"))
                    .and_then(|s| s.get("matchLabels"))
                    .and_then(Value::as_mapping);
                let found = sel.is_some_and(|sel| {
                    workloads
                        .iter()
                        .filter(same_ns)
                        .any(|w| pod_labels(&w.value).is_some_and(|l| selects(sel, l)))
                });
                if !found {
                    out.push(finding(
                        o,
                        Severity::Error,
                        "selector-mismatch",
                        "selector",
                        format!(
                            "PodDisruptionBudget {} selects no pods: it protects nothing during a drain",
                            o.name()
                        ),
                    ));
                }
                if o.value
                    .get("spec")
                    .and_then(|s| s.get("unhealthyPodEvictionPolicy"))
                    .and_then(Value::as_str)
                    != Some("AlwaysAllow")
                {
                    out.push(finding(
                        o,
                        Severity::Warning,
                        "pdb-eviction",
                        "spec:",
                        format!("PodDisruptionBudget {} lets a crash-looping pod block node drains; set unhealthyPodEvictionPolicy: AlwaysAllow", o.name()),
                    ));
                }
            }
            "Ingress" => {
                if o.value.get("spec").and_then(|s| s.get("ingressClassName")).is_none() {
                    out.push(finding(
                        o,
                        Severity::Warning,
                        "ingress-class",
                        "spec:",
                        format!(
                            "Ingress {} names no ingressClassName: most controllers ignore it",
                            o.name()
                        ),
                    ));
                }
                let rules = o
                    .value
                    .get("spec")
                    .and_then(|s| s.get("rules"))
                    .and_then(Value::as_sequence)
                    .cloned()
                    .unwrap_or_default();
                for r in rules {
                    let paths = r
                        .get("http")
                        .and_then(|h| h.get("paths"))
                        .and_then(Value::as_sequence)
                        .cloned()
                        .unwrap_or_default();
                    for p in paths {
                        let Some(svc) = p.get("backend").and_then(|b| b.get("service")) else {
                            continue;
                        };
                        let name = str_at(svc, &["name"]).unwrap_or("");
                        let number = int_at(svc, &["port", "number"]);
                        let port_name = str_at(svc, &["port", "name"]);
                        let target = all
                            .iter()
                            .find(|s| s.kind() == "Service" && s.name() == name && namespace_of(s) == ns);
                        match target {
                            None if all.iter().any(|s| s.kind() == "Service") => out.push(finding(
                                o,
                                Severity::Error,
                                "ingress-backend",
                                &format!("name: {name}"),
                                format!(
                                    "Ingress {} sends to Service {name}, which these manifests do not define",
                                    o.name()
                                ),
                            )),
                            Some(t) => {
                                let ok = t
                                    .value
                                    .get("spec")
                                    .and_then(|s| s.get("ports"))
                                    .and_then(Value::as_sequence)
                                    .is_some_and(|ports| {
                                        ports.iter().any(|sp| {
                                            number.is_some_and(|n| sp.get("port").and_then(Value::as_i64) == Some(n))
                                                || port_name
                                                    .is_some_and(|n| sp.get("name").and_then(Value::as_str) == Some(n))
                                        })
                                    });
                                if !ok {
                                    out.push(finding(
                                        o,
                                        Severity::Error,
                                        "ingress-backend",
                                        &format!("name: {name}"),
                                        format!("Ingress {} sends to a port Service {name} does not have", o.name()),
                                    ));
                                }
                            }
                            None => {}
                        }
                    }
                }
            }
            "Rollout" => out.extend(check_traffic_routing(o, &all, &ns, &namespace_of)),
            "VirtualService" => {
                for r in seq_at(&o.value, &["spec", "http"]) {
                    let weights: Vec<i64> = r
                        .get("route")
                        .and_then(Value::as_sequence)
                        .map(|d| {
                            d.iter()
                                .filter_map(|d| d.get("weight").and_then(Value::as_i64))
                                .collect()
                        })
                        .unwrap_or_default();
                    let sum: i64 = weights.iter().sum();
                    if !weights.is_empty() && sum != 100 {
                        out.push(finding(
                            o,
                            Severity::Error,
                            "mesh-weights",
                            "weight:",
                            format!(
                                "VirtualService {}: the weights of a route sum to {sum}, not 100, and Istio refuses it",
                                o.name()
                            ),
                        ));
                    }
                }
            }
            "HorizontalPodAutoscaler" => {
                let target = str_at(&o.value, &["spec", "scaleTargetRef", "name"]).unwrap_or("");
                let kind = str_at(&o.value, &["spec", "scaleTargetRef", "kind"]).unwrap_or("Deployment");
                let Some(w) = workloads
                    .iter()
                    .find(|w| w.name() == target && w.kind() == kind && namespace_of(w) == ns)
                else {
                    continue;
                };
                let on_cpu = o
                    .value
                    .get("spec")
                    .and_then(|s| s.get("metrics"))
                    .and_then(Value::as_sequence)
                    .is_some_and(|m| {
                        m.iter().any(|m| {
                            str_at(m, &["resource", "name"]) == Some("cpu")
                                || str_at(m, &["containerResource", "name"]) == Some("cpu")
                        })
                    });
                let requests_cpu = pod_spec(&w.value).is_some_and(|(p, _)| {
                    p.get("containers").and_then(Value::as_sequence).is_some_and(|cs| {
                        cs.iter().all(|c| {
                            c.get("resources")
                                .and_then(|r| r.get("requests"))
                                .and_then(|r| r.get("cpu"))
                                .is_some()
                        })
                    })
                });
                if on_cpu && !requests_cpu {
                    out.push(finding(
                        o,
                        Severity::Error,
                        "hpa-without-requests",
                        "scaleTargetRef",
                        format!("HorizontalPodAutoscaler {} scales on CPU, but {target} requests no CPU: it reports <unknown> and never scales", o.name()),
                    ));
                }
                if w.value.get("spec").and_then(|s| s.get("replicas")).is_some() {
                    out.push(finding(
                        w,
                        Severity::Warning,
                        "replicas-with-hpa",
                        "replicas:",
                        format!(
                            "{} {target} sets replicas while an autoscaler owns the count: every apply resets it",
                            w.kind()
                        ),
                    ));
                }
                if int_at(&o.value, &["spec", "minReplicas"]).unwrap_or(1) < 2 {
                    out.push(finding(
                        o,
                        Severity::Warning,
                        "hpa-min",
                        "minReplicas",
                        format!("HorizontalPodAutoscaler {} may scale to one pod: a drain or a crash then takes the service down", o.name()),
                    ));
                }
            }
            _ => {}
        }
    }
    // Workloads with several replicas and no budget, and agreement with the analysis.
    for w in &workloads {
        let ns = namespace_of(w);
        let replicas = int_at(&w.value, &["spec", "replicas"]);
        let scaled = all.iter().any(|h| {
            h.kind() == "HorizontalPodAutoscaler"
                && str_at(&h.value, &["spec", "scaleTargetRef", "name"]) == Some(w.name())
                && namespace_of(h) == ns
        });
        let several = replicas.is_some_and(|r| r >= 2) || scaled;
        let budget = all.iter().any(|p| {
            p.kind() == "PodDisruptionBudget"
                && namespace_of(p) == ns
                && p.value
                    .get("spec")
                    .and_then(|s| s.get("selector"))
                    .and_then(|s| s.get("matchLabels"))
                    .and_then(Value::as_mapping)
                    .zip(pod_labels(&w.value))
                    .is_some_and(|(s, l)| selects(s, l))
        });
        if several && !budget && w.kind() != "DaemonSet" {
            out.push(finding(
                w,
                Severity::Warning,
                "no-pdb",
                "kind:",
                format!(
                    "{} {} runs several replicas with no PodDisruptionBudget: a node drain may stop them all at once",
                    w.kind(),
                    w.name()
                ),
            ));
        }
        let Some(svc) = services.iter().find(|s| crate::kube::name_of(&s.name) == w.name()) else {
            continue;
        };
        let ports = container_ports(w);
        if let (Some(want), false) = (svc.port, ports.is_empty()) {
            if !ports.iter().any(|(_, p)| *p == i64::from(want)) {
                out.push(finding(
                    w,
                    Severity::Error,
                    "port-mismatch",
                    "containerPort",
                    format!(
                        "{} {} declares port {} but {} listens on {want}",
                        w.kind(),
                        w.name(),
                        ports[0].1,
                        svc.name
                    ),
                ));
            }
        }
        if let (Some(health), Some((pod, _))) = (&svc.health_path, pod_spec(&w.value)) {
            let probe_paths: Vec<&str> = pod
                .get("containers")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .flat_map(|c| {
                    ["startupProbe", "readinessProbe", "livenessProbe"]
                        .into_iter()
                        .filter_map(move |p| str_at(c, &[p, "httpGet", "path"]))
                })
                .collect();
            let known: Vec<&str> = [Some(health.as_str()), svc.readiness_path.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            for p in probe_paths.iter().filter(|p| !known.contains(p)) {
                out.push(finding(
                    w,
                    Severity::Warning,
                    "probe-path",
                    &format!("path: {p}"),
                    format!(
                        "{} {} probes {p}, but {} serves {}",
                        w.kind(),
                        w.name(),
                        svc.name,
                        known.join(" and ")
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  replicas: 0\n  selector:\n    matchLabels:\n      app: api\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n        - name: app\n          image: api@sha256:00\n          resources:\n            requests:\n              CPU_LINE\n";
    const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    matchLabels:\n      app: api\n  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: api\n";
    const HPA: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  scaleTargetRef:\n    apiVersion: argoproj.io/v1alpha1\n    kind: Rollout\n    name: api\n  minReplicas: 2\n  maxReplicas: 5\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n";
    const PDB: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  maxUnavailable: 1\n  unhealthyPodEvictionPolicy: AlwaysAllow\n  selector:\n    matchLabels:\n      app: api\n";

    fn rules(files: &[(&str, String)]) -> Vec<String> {
        let files: Vec<(String, String)> = files.iter().map(|(p, t)| (p.to_string(), t.clone())).collect();
        check_consistency(&files, &[]).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn a_rollout_is_checked_with_the_template_of_the_deployment_it_references() {
        let dep = DEPLOYMENT.replace("CPU_LINE", "cpu: 250m");
        let all = [
            ("k8s/deployment.yaml", dep.clone()),
            ("k8s/rollout.yaml", ROLLOUT.to_string()),
            ("k8s/hpa.yaml", HPA.to_string()),
            ("k8s/pdb.yaml", PDB.to_string()),
        ];
        // The Deployment's replicas: 0 is not the autoscaler's count, and the budget covers
        // the Rollout's pods.
        assert!(rules(&all).is_empty(), "{:?}", rules(&all));
        // Without the budget, the Rollout (not the Deployment) is the workload that lacks one.
        let f: Vec<(String, String)> = all[..3].iter().map(|(p, t)| (p.to_string(), t.clone())).collect();
        let found = check_consistency(&f, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "kubernetes/no-pdb");
        assert_eq!(found[0].path, "k8s/rollout.yaml");
        // The autoscaler scales on CPU, and the template it reaches through the Rollout
        // requests none.
        let no_cpu = DEPLOYMENT.replace("CPU_LINE", "memory: 64Mi");
        let all = [
            ("k8s/deployment.yaml", no_cpu),
            ("k8s/rollout.yaml", ROLLOUT.to_string()),
            ("k8s/hpa.yaml", HPA.to_string()),
            ("k8s/pdb.yaml", PDB.to_string()),
        ];
        assert_eq!(rules(&all), ["kubernetes/hpa-without-requests"]);
    }

    #[test]
    fn a_canary_router_must_exist_and_reach_both_services() {
        let dep = DEPLOYMENT.replace("CPU_LINE", "cpu: 250m");
        let canary = "  strategy:\n    canary:\n      stableService: api\n      canaryService: api-canary\n      trafficRouting:\n        istio:\n          virtualServices:\n            - name: api\n              routes: [primary]\n        plugins:\n          argoproj-labs/gatewayAPI:\n            httpRoutes:\n              - name: api-mesh\n            namespace: shop\n";
        let rollout = format!("{ROLLOUT}{canary}");
        let vs = |canary_host: &str, canary_weight: u32| {
            format!("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  hosts: [api]\n  http:\n    - name: primary\n      route:\n        - destination:\n            host: api\n          weight: 100\n        - destination:\n            host: {canary_host}\n          weight: {canary_weight}\n")
        };
        let route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: api-mesh\n  namespace: shop\nspec:\n  parentRefs:\n    - {group: '', kind: Service, name: api, port: 80}\n  rules:\n    - backendRefs:\n        - {name: api, port: 80, weight: 100}\n        - {name: api-canary, port: 80, weight: 0}\n";
        let with = |vs: Option<String>, route: Option<&str>| {
            let mut f = vec![
                ("k8s/deployment.yaml", dep.clone()),
                ("k8s/rollout.yaml", rollout.clone()),
                ("k8s/hpa.yaml", HPA.to_string()),
                ("k8s/pdb.yaml", PDB.to_string()),
            ];
            if let Some(v) = vs {
                f.push(("k8s/virtualservice.yaml", v));
            }
            if let Some(r) = route {
                f.push(("k8s/httproute-mesh.yaml", r.to_string()));
            }
            rules(&f)
        };
        assert!(with(Some(vs("api-canary", 0)), Some(route)).is_empty());
        // A VirtualService that routes elsewhere, or that the files lack; a route that lacks
        // the canary backend; weights that do not add up.
        assert_eq!(
            with(Some(vs("api-next", 0)), Some(route)),
            ["kubernetes/rollout-router"]
        );
        assert_eq!(with(None, Some(route)), ["kubernetes/rollout-router"]);
        let half = route.replace("        - {name: api-canary, port: 80, weight: 0}\n", "");
        assert_eq!(
            with(Some(vs("api-canary", 0)), Some(&half)),
            ["kubernetes/rollout-router"]
        );
        assert_eq!(
            with(Some(vs("api-canary", 10)), Some(route)),
            ["kubernetes/mesh-weights"]
        );
    }
}
