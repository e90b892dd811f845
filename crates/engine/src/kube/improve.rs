//! The person's own manifests, improved in place: API versions Kubernetes no longer serves are
//! moved to the ones that replaced them where the object's fields read the same, each changed
//! line under a `# Slipway:` comment, and every other line (their fields, order and comments)
//! kept byte for byte. An old `Ingress` is moved to `networking.k8s.io/v1`'s backend form line by
//! line, and an autoscaler from `autoscaling/v2beta1` to `autoscaling/v2` where its metrics are
//! resource metrics; an object whose new version reads differently in ways that need a person
//! (pods, object or external metrics) is left, and the reflection's `retired-api` finding says
//! what to use. With the spec, Deployments and StatefulSets also get the requests, limits,
//! container security settings and probes they lack, and a PodDisruptionBudget when they run
//! several replicas and none of the person's budgets selects them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::spec::{DeploySpec, ServiceSpec};

/// The served version that reads `kind` as `old` did, with the Kubernetes release that stopped
/// serving `old`; none when the fields changed too.
fn successor(old: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    let workload = matches!(kind, "Deployment" | "DaemonSet" | "StatefulSet" | "ReplicaSet");
    let rbac = matches!(kind, "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding");
    match (old, kind) {
        ("extensions/v1beta1", _) if workload => Some(("apps/v1", "1.16")),
        ("apps/v1beta1" | "apps/v1beta2", _) if workload => Some(("apps/v1", "1.16")),
        ("policy/v1beta1", "PodDisruptionBudget") => Some(("policy/v1", "1.25")),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler") => Some(("autoscaling/v2", "1.26")),
        ("batch/v1beta1", "CronJob") => Some(("batch/v1", "1.25")),
        ("networking.k8s.io/v1beta1", "IngressClass") => Some(("networking.k8s.io/v1", "1.22")),
        ("rbac.authorization.k8s.io/v1beta1", _) if rbac => Some(("rbac.authorization.k8s.io/v1", "1.22")),
        _ => None,
    }
}

/// `text` with its retired API versions moved on, and what changed in words; none when there
/// was nothing this can fix.
pub fn improve_manifest(text: &str) -> Option<(String, Vec<String>)> {
    improve(text, None)
}

/// What a person's workloads are given where they lack it: the spec's requests and limits, a
/// locked-down container, and probes on the service's health paths.
pub struct Workloads<'a> {
    /// The deployment spec the defaults come from.
    pub spec: &'a DeploySpec,
    /// The pod labels each of the person's PodDisruptionBudgets selects by, from every
    /// manifest of theirs: a workload one of them selects gets no second budget (two budgets
    /// over one pod make every eviction of it fail).
    pub budgets: Vec<BTreeMap<String, String>>,
}

impl Workloads<'_> {
    /// The selectors of every PodDisruptionBudget in `texts`.
    pub fn budgets_in<'t>(texts: impl IntoIterator<Item = &'t str>) -> Vec<BTreeMap<String, String>> {
        let mut out = Vec::new();
        for text in texts {
            for doc in serde_yaml_ng::Deserializer::from_str(text) {
                let Ok(v) = Value::deserialize(doc) else { continue };
                if v.get("kind").and_then(Value::as_str) == Some("PodDisruptionBudget") {
                    out.push(string_map(
                        v.get("spec")
                            .and_then(|s| s.get("selector"))
                            .and_then(|s| s.get("matchLabels")),
                    ));
                }
            }
        }
        out
    }
}

/// `text` with its retired API versions moved on and, with `workloads`, its Deployments and
/// StatefulSets given the requests, limits, container security settings, probes and
/// PodDisruptionBudget they lack; what changed in words; none when there was nothing to fix.
pub fn improve_with(text: &str, workloads: &Workloads) -> Option<(String, Vec<String>)> {
    improve(text, Some(workloads))
}

fn improve(text: &str, workloads: Option<&Workloads>) -> Option<(String, Vec<String>)> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut reasons = Vec::new();
    for doc in split_documents(text) {
        let mut current = doc.to_string();
        if let Some((fixed, why)) = improve_document(doc) {
            current = fixed;
            reasons.push(why);
        }
        if let Some(w) = workloads {
            if let Some((fixed, why)) = improve_workload(&current, w) {
                current = fixed;
                reasons.extend(why);
            }
        }
        out.push_str(&current);
    }
    (!reasons.is_empty()).then_some((out, reasons))
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v)?)))
                .collect()
        })
        .unwrap_or_default()
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// `value` as YAML lines under `key`, each indented by `by`, after a `# Slipway:` comment.
fn block<T: serde::Serialize>(key: &str, value: &T, by: usize, why: &str) -> Option<String> {
    let y = crate::write::Yaml::map().with(key, super::doc(value));
    let text = crate::write::yaml::to_string(&y, "");
    let pad = " ".repeat(by);
    let mut out = String::new();
    for (i, line) in wrap(why).iter().enumerate() {
        let lead = if i == 0 { "# Slipway: " } else { "#   " };
        out.push_str(&format!("{pad}{lead}{line}\n"));
    }
    for line in text.lines() {
        out.push_str(&format!("{pad}{line}\n"));
    }
    Some(out)
}

fn wrap(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.len() + word.len() > 90 {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// The service of the spec a container of the person's belongs to: the one on its port, or
/// the only one there is.
fn service_for(spec: &DeploySpec, port: Option<i64>) -> Option<&ServiceSpec> {
    let web: Vec<&ServiceSpec> = spec.services.iter().filter(|s| super::serves(s)).collect();
    port.and_then(|p| web.iter().find(|s| s.port.map(i64::from) == Some(p)).copied())
        .or_else(|| (web.len() == 1).then(|| web[0]))
}

/// A Deployment or StatefulSet (`apps/v1`) of the person's with what it lacks added at the end
/// of each container, under `# Slipway:` comments: nothing of theirs is changed, and the result
/// must parse with every field they wrote as it was, or the document is left as it is.
fn improve_workload(doc: &str, w: &Workloads) -> Option<(String, Vec<String>)> {
    let value: Value = serde_yaml_ng::from_str(doc).ok()?;
    let kind = value.get("kind")?.as_str()?.to_string();
    if value.get("apiVersion")?.as_str()? != "apps/v1" || !matches!(kind.as_str(), "Deployment" | "StatefulSet") {
        return None;
    }
    let name = value.get("metadata")?.get("name")?.as_str()?.to_string();
    let pod = value.get("spec")?.get("template")?.get("spec")?;
    let containers = pod.get("containers")?.as_sequence()?;
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    // The one block-style `containers:` of the pod, and the items under it.
    let at: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            t == "containers:"
                || (t.starts_with("containers:") && t["containers:".len()..].trim_start().starts_with('#'))
        })
        .map(|(i, _)| i)
        .collect();
    let [key_line] = at[..] else { return None };
    let key_indent = indent_of(lines[key_line]);
    let first = (key_line + 1..lines.len()).find(|&i| is_content(lines[i]))?;
    let item_indent = indent_of(lines[first]);
    if !lines[first].trim_start().starts_with("- ") || item_indent < key_indent {
        return None;
    }
    let dash = lines[first][item_indent + 1..].len() - lines[first][item_indent + 1..].trim_start().len();
    let field_indent = item_indent + 1 + dash;
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut i = first;
    let mut start = first;
    loop {
        i += 1;
        let end = i >= lines.len()
            || (is_content(lines[i])
                && (indent_of(lines[i]) < item_indent
                    || (indent_of(lines[i]) == item_indent && !lines[i].trim_start().starts_with("- "))));
        let next = !end && is_content(lines[i]) && indent_of(lines[i]) == item_indent;
        if end || next {
            // The item ends after its last line of content.
            let mut last = i;
            while last > start + 1 && !is_content(lines[last - 1]) {
                last -= 1;
            }
            items.push((start, last));
            start = i;
        }
        if end {
            break;
        }
    }
    if items.len() != containers.len() {
        return None;
    }
    let spec = w.spec;
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut why = Vec::new();
    for (c, &(_, end)) in containers.iter().zip(&items) {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
        let mut text = String::new();
        let mut added = Vec::new();
        if c.get("resources").is_none() {
            text.push_str(&block(
                "resources",
                &super::resources(spec),
                field_indent,
                "requests let the scheduler place the pod and an autoscaler measure it; the memory limit keeps one leak from taking the node. Tune them to what it uses (kubectl top pod).",
            )?);
            added.push("requests and limits");
        }
        if c.get("securityContext").is_none() {
            let sc = k8s_openapi::api::core::v1::SecurityContext {
                allow_privilege_escalation: Some(false),
                capabilities: Some(k8s_openapi::api::core::v1::Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    ..Default::default()
                }),
                seccomp_profile: Some(k8s_openapi::api::core::v1::SeccompProfile {
                    type_: "RuntimeDefault".into(),
                    ..Default::default()
                }),
                ..Default::default()
            };
            text.push_str(&block(
                "securityContext",
                &sc,
                field_indent,
                "no privilege escalation, no Linux capabilities, the runtime's seccomp filter. Running as a non-root user and a read-only root file system are left to you: they need the image's user and the paths it writes.",
            )?);
            added.push("a locked-down securityContext");
        }
        let port = c
            .get("ports")
            .and_then(Value::as_sequence)
            .and_then(|p| p.first())
            .and_then(|p| p.get("containerPort"))
            .and_then(Value::as_i64);
        let probed = ["startupProbe", "readinessProbe", "livenessProbe"]
            .iter()
            .any(|p| c.get(p).is_some());
        if let (Some(port), false, Some(svc)) = (port, probed, service_for(spec, port)) {
            let (mut startup, mut readiness, mut liveness, reasons) = super::probes(svc);
            for p in [&mut startup, &mut readiness, &mut liveness] {
                let target = k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(port as i32);
                if let Some(h) = p.http_get.as_mut() {
                    h.port = target.clone();
                }
                if let Some(t) = p.tcp_socket.as_mut() {
                    t.port = target;
                }
            }
            let said = reasons.join("; ");
            text.push_str(&block(
                "startupProbe",
                &startup,
                field_indent,
                &format!("no probes: {said}."),
            )?);
            text.push_str(&block(
                "readinessProbe",
                &readiness,
                field_indent,
                "traffic only to pods that answer.",
            )?);
            text.push_str(&block(
                "livenessProbe",
                &liveness,
                field_indent,
                "a pod that stops answering is restarted.",
            )?);
            added.push("startup, readiness and liveness probes");
        }
        if !added.is_empty() {
            why.push(format!("{kind} {name}, container {cname}: {}", added.join(", ")));
            inserts.push((end, text));
        }
    }
    // A budget so a node drain takes one pod at a time, when nothing of theirs selects the pods.
    let replicas = value
        .get("spec")
        .and_then(|s| s.get("replicas"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let selector = string_map(value.get("spec")?.get("selector")?.get("matchLabels"));
    let labels = string_map(value.get("spec")?.get("template")?.get("metadata")?.get("labels"));
    let budgeted = w
        .budgets
        .iter()
        .any(|b| !b.is_empty() && b.iter().all(|(k, v)| labels.get(k) == Some(v)));
    let mut tail = String::new();
    if replicas >= 2 && !budgeted && !selector.is_empty() {
        let namespace = value
            .get("metadata")?
            .get("namespace")
            .and_then(Value::as_str)
            .map(str::to_string);
        let pdb = k8s_openapi::api::policy::v1::PodDisruptionBudget {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some(name.clone()),
                namespace,
                ..Default::default()
            },
            spec: Some(k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec {
                max_unavailable: Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(1)),
                selector: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
                    match_labels: Some(selector),
                    ..Default::default()
                }),
                unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let y = super::doc(&pdb);
        tail = format!(
            "---\n# Slipway: {name} runs {replicas} replicas and no PodDisruptionBudget selects them: this one lets a node drain\n# take one pod at a time, and never waits on a pod that is not ready.\n{}",
            crate::write::yaml::to_string(&y, "")
        );
        why.push(format!("{kind} {name}: a PodDisruptionBudget"));
    }
    if inserts.is_empty() && tail.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(doc.len() + 2048);
    for (i, line) in lines.iter().enumerate() {
        for (at, text) in &inserts {
            if *at == i {
                out.push_str(text);
            }
        }
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for (at, text) in &inserts {
        if *at == lines.len() {
            out.push_str(text);
        }
    }
    out.push_str(&tail);
    // Every field the person wrote must read as before, with only the added ones new.
    let body = out.split("\n---\n").next().unwrap_or(&out);
    let after: Value = serde_yaml_ng::from_str(body).ok()?;
    let mut trimmed = after.clone();
    let cs = trimmed
        .get_mut("spec")?
        .get_mut("template")?
        .get_mut("spec")?
        .get_mut("containers")?
        .as_sequence_mut()?;
    for (new, old) in cs.iter_mut().zip(containers) {
        let m = new.as_mapping_mut()?;
        for k in [
            "resources",
            "securityContext",
            "startupProbe",
            "readinessProbe",
            "livenessProbe",
        ] {
            if old.get(k).is_none() {
                m.remove(k);
            }
        }
    }
    if trimmed != value {
        return None;
    }
    Some((out, why))
}

/// The documents of a stream, each with its `---` line and trailing newline, so that joining
/// them gives the text back exactly.
fn split_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if at > start && (line == "---\n" || line == "---" || line.starts_with("--- ")) {
            docs.push(&text[start..at]);
            start = at;
        }
        at += line.len();
    }
    if start < text.len() {
        docs.push(&text[start..]);
    }
    docs
}

fn improve_document(doc: &str) -> Option<(String, String)> {
    let value: Value = serde_yaml_ng::from_str(doc).ok()?;
    let api = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    let name = value
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)");
    if kind == "Ingress" && matches!(api, "extensions/v1beta1" | "networking.k8s.io/v1beta1") {
        return improve_ingress(doc, &value, api, name);
    }
    if kind == "HorizontalPodAutoscaler" && api == "autoscaling/v2beta1" {
        return improve_autoscaler(doc, &value, name);
    }
    let (new, gone) = successor(api, kind)?;
    let mut out = String::with_capacity(doc.len() + 200);
    let mut replaced = false;
    for line in doc.split_inclusive('\n') {
        let bare = line.trim_end();
        if !replaced && bare.starts_with("apiVersion:") {
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            out.push_str(&format!(
                "# Slipway: {api} is not served since Kubernetes {gone}; {new} reads this {kind} the same.\napiVersion: {new}{newline}"
            ));
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    if !replaced {
        return None;
    }
    let mut why = format!("{kind} {name}: {api} to {new}");
    // apps/v1 requires the selector the old versions defaulted from the pod labels.
    let workload = new == "apps/v1";
    let has_selector = value.get("spec").and_then(|s| s.get("selector")).is_some();
    if workload && !has_selector {
        let labels = value
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_mapping)?;
        let mut pairs = Vec::new();
        for (k, v) in labels {
            pairs.push((k.as_str()?.to_string(), scalar(v)?));
        }
        if pairs.is_empty() {
            return None;
        }
        out = insert_selector(&out, &pairs)?;
        why.push_str(", with the selector apps/v1 requires, from the pod labels");
    }
    Some((out, why))
}

/// An autoscaler of `autoscaling/v2beta1` (gone since 1.25) in `autoscaling/v2`'s form, line by
/// line: a resource metric's `targetAverageUtilization` or `targetAverageValue` becomes a
/// `target` with its type. Pods, object and external metrics (whose names moved too) are left
/// for the person, and so is anything that does not read as a v2 autoscaler afterwards.
fn improve_autoscaler(doc: &str, value: &Value, name: &str) -> Option<(String, String)> {
    let metrics = value
        .get("spec")?
        .get("metrics")
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    if metrics
        .iter()
        .any(|m| m.get("type").and_then(Value::as_str) != Some("Resource"))
    {
        return None;
    }
    let mut out = String::with_capacity(doc.len() + 256);
    let mut moved = 0;
    let mut api_done = false;
    for line in doc.split_inclusive('\n') {
        let bare = line.trim_end();
        let trimmed = bare.trim_start();
        let pad = " ".repeat(bare.len() - trimmed.len());
        if !api_done && trimmed.starts_with("apiVersion:") {
            out.push_str("# Slipway: autoscaling/v2beta1 is not served since Kubernetes 1.25; in autoscaling/v2 each metric's target\n# is a `target` with its type, and every other field reads the same.\napiVersion: autoscaling/v2\n");
            api_done = true;
            continue;
        }
        let pair = [
            ("targetAverageUtilization:", "Utilization", "averageUtilization"),
            ("targetAverageValue:", "AverageValue", "averageValue"),
        ]
        .into_iter()
        .find(|(k, _, _)| trimmed.starts_with(k));
        if let Some((key, kind, field)) = pair {
            let rest = trimmed[key.len()..].trim();
            out.push_str(&format!("{pad}target:\n{pad}  type: {kind}\n{pad}  {field}: {rest}\n"));
            moved += 1;
            continue;
        }
        out.push_str(line);
    }
    if !api_done || moved != metrics.len() {
        return None;
    }
    let hpa: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler = serde_yaml_ng::from_str(&out).ok()?;
    let targets = hpa.spec?.metrics.unwrap_or_default();
    if targets.len() != metrics.len()
        || targets
            .iter()
            .any(|m| m.resource.as_ref().map(|r| r.target.type_.is_empty()) != Some(false))
    {
        return None;
    }
    Some((
        out,
        format!("HorizontalPodAutoscaler {name}: autoscaling/v2beta1 to autoscaling/v2, each resource metric's target in the new form"),
    ))
}

/// An Ingress of `extensions/v1beta1` or `networking.k8s.io/v1beta1` (gone since 1.22) in
/// `networking.k8s.io/v1`'s form, line by line: `serviceName` and `servicePort` become
/// `service.name` and `service.port.number` (or `.name`), a top-level `backend` becomes
/// `defaultBackend`, and each path without a `pathType` gets `ImplementationSpecific`, the
/// old versions' behaviour. Anything else (a resource backend, a layout it cannot follow) is
/// left for the person.
fn improve_ingress(doc: &str, value: &Value, api: &str, name: &str) -> Option<(String, String)> {
    let spec = value.get("spec")?;
    let rules = spec
        .get("rules")
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    let paths: Vec<Value> = rules
        .iter()
        .filter_map(|r| r.get("http").and_then(|h| h.get("paths")).and_then(Value::as_sequence))
        .flatten()
        .cloned()
        .collect();
    let untyped = paths.iter().filter(|p| p.get("pathType").is_none()).count();
    let backends = paths.len() + usize::from(spec.get("backend").is_some());
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key = |l: &str| {
        l.trim_start()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let spec_at = lines.iter().position(|l| l.trim_end() == "spec:")?;
    let spec_child = lines[spec_at + 1..]
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| indent(l))?;
    let mut out = String::with_capacity(doc.len() + 400);
    let mut skip = vec![false; lines.len()];
    let (mut moved, mut typed, mut replaced) = (0, 0, false);
    for (i, line) in lines.iter().enumerate() {
        if skip[i] {
            continue;
        }
        let nl = if line.ends_with('\n') { "\n" } else { "" };
        let bare = line.trim_end();
        let pad = &line[..indent(line)];
        if !replaced && bare.starts_with("apiVersion:") {
            out.push_str(&format!(
                "# Slipway: {api} is not served since Kubernetes 1.22; networking.k8s.io/v1 names the backend\n# service.name and service.port, and each path has a pathType (ImplementationSpecific, as before).\napiVersion: networking.k8s.io/v1{nl}"
            ));
            replaced = true;
            continue;
        }
        match key(line).as_str() {
            "backend" if indent(line) == spec_child && i > spec_at => {
                out.push_str(&format!("{pad}defaultBackend:{nl}"));
            }
            "serviceName" | "servicePort" => {
                // The sibling key of the same backend: the next line at this indentation
                // before the block ends.
                let at = indent(line);
                let dash = line.trim_start().starts_with("- ");
                let field_pad = if dash { format!("{pad}  ") } else { pad.to_string() };
                let mut svc = None;
                let mut port = None;
                for (j, l) in lines.iter().enumerate().skip(i) {
                    if j > i
                        && (l.trim().is_empty()
                            || indent(l) < at
                            || (indent(l) == at && l.trim_start().starts_with("- ")))
                    {
                        break;
                    }
                    if j > i && indent(l) != at {
                        continue;
                    }
                    let v = l.split_once(':').map(|(_, v)| v.trim().to_string())?;
                    match key(l).as_str() {
                        "serviceName" => {
                            svc = Some(v);
                            skip[j] = true;
                        }
                        "servicePort" => {
                            port = Some(v);
                            skip[j] = true;
                        }
                        _ => {}
                    }
                }
                let (svc, port) = (svc?, port?);
                let port_key = if port.trim_matches('"').parse::<u16>().is_ok() {
                    "number"
                } else {
                    "name"
                };
                let port = if port_key == "number" {
                    port.trim_matches('"').to_string()
                } else {
                    port
                };
                let lead = if dash { format!("{pad}- ") } else { pad.to_string() };
                out.push_str(&format!(
                    "{lead}service:\n{field_pad}  name: {svc}\n{field_pad}  port:\n{field_pad}    {port_key}: {port}{nl}"
                ));
                moved += 1;
            }
            "path" if untyped > 0 => {
                out.push_str(line);
                let item = line.trim_start().starts_with("- ");
                let at = if item { indent(line) + 2 } else { indent(line) };
                // Only where this path entry names no pathType of its own.
                let mut has_type = false;
                for l in lines.iter().skip(i + 1) {
                    if l.trim().is_empty() || indent(l) < at || l.trim_start().starts_with("- ") && indent(l) <= at {
                        break;
                    }
                    if indent(l) == at && key(l) == "pathType" {
                        has_type = true;
                    }
                }
                if !has_type {
                    out.push_str(&format!("{}pathType: ImplementationSpecific\n", " ".repeat(at)));
                    typed += 1;
                }
            }
            _ => out.push_str(line),
        }
    }
    // Everything was followed, and the result reads as the new version's object.
    if !replaced || moved != backends || typed != untyped || out.contains("serviceName:") {
        return None;
    }
    let check: k8s_openapi::api::networking::v1::Ingress = serde_yaml_ng::from_str(&out).ok()?;
    check.spec.as_ref()?;
    Some((
        out,
        format!("Ingress {name}: {api} to networking.k8s.io/v1, its backends and path types in the new form"),
    ))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Adds `spec.selector.matchLabels` as the first key under the document's top-level `spec:`,
/// indented like the key after it, with values quoted for YAML.
fn insert_selector(doc: &str, pairs: &[(String, String)]) -> Option<String> {
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    let spec = lines.iter().position(|l| l.trim_end() == "spec:")?;
    let child = lines[spec + 1..]
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let indent = child.len() - child.trim_start().len();
    if indent == 0 {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut block = format!("{pad}# Slipway: apps/v1 requires a selector; this one matches the pod labels below.\n{pad}selector:\n{pad}{pad}matchLabels:\n");
    for (k, v) in pairs {
        let value = serde_json::to_string(v).ok()?;
        block.push_str(&format!("{pad}{pad}{pad}{k}: {value}\n"));
    }
    let mut out = String::with_capacity(doc.len() + block.len());
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        if i == spec {
            out.push_str(&block);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;

    const OLD: &str = "# our API\napiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: api # keep\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels:\n        app: api\n        tier: \"1\"\n    spec:\n      containers:\n        - name: api\n          image: example.org/api:1.0\n---\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: api\n---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: api\nspec:\n  backend:\n    serviceName: api\n    servicePort: 80\n  rules:\n    - host: api.example.com\n      http:\n        paths:\n          - path: /\n            backend:\n              serviceName: api\n              servicePort: http\n          - path: /v2\n            pathType: Prefix\n            backend:\n              serviceName: api-v2\n              servicePort: 8080\n";

    #[test]
    fn retired_versions_move_on_and_every_other_line_stays() {
        let (out, why) = improve_manifest(OLD).expect("three objects to move on");
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(
            why[0].contains("Deployment api: extensions/v1beta1 to apps/v1, with the selector"),
            "{why:?}"
        );
        assert!(
            why[1].contains("PodDisruptionBudget api: policy/v1beta1 to policy/v1"),
            "{why:?}"
        );
        // Every line of theirs is still there, in order; only apiVersion lines and the
        // Ingress's backend keys changed.
        let mut rest = out.lines();
        let changed = |l: &str| {
            l.starts_with("apiVersion:")
                || ["serviceName:", "servicePort:", "backend:"]
                    .iter()
                    .any(|k| l.trim_start().starts_with(k))
        };
        for line in OLD.lines().filter(|l| !changed(l)) {
            assert!(rest.any(|l| l == line), "{line:?} was lost or moved:\n{out}");
        }
        // The Ingress in networking.k8s.io/v1's form: a default backend, backends by service
        // name and port number or name, a path type where it had none (and its own kept).
        let ingress = out.split("\n---\n").nth(2).unwrap();
        let i: k8s_openapi::api::networking::v1::Ingress = serde_yaml_ng::from_str(ingress).expect("a v1 Ingress");
        let spec = i.spec.unwrap();
        let default = spec.default_backend.unwrap().service.unwrap();
        assert_eq!((default.name.as_str(), default.port.unwrap().number), ("api", Some(80)));
        let rules = spec.rules.unwrap();
        let paths = &rules[0].http.as_ref().unwrap().paths;
        assert_eq!(paths[0].path_type, "ImplementationSpecific");
        assert_eq!(
            paths[0]
                .backend
                .service
                .as_ref()
                .unwrap()
                .port
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("http")
        );
        assert_eq!(paths[1].path_type, "Prefix");
        assert_eq!(
            paths[1].backend.service.as_ref().unwrap().port.as_ref().unwrap().number,
            Some(8080)
        );
        assert!(!ingress.contains("serviceName"), "{ingress}");
        // The Deployment is a valid apps/v1 object whose selector matches its pods.
        let first = out.split("\n---\n").next().unwrap();
        let d: Deployment = serde_yaml_ng::from_str(first).expect("an apps/v1 Deployment");
        let sel = d.spec.as_ref().unwrap().selector.match_labels.clone().unwrap();
        assert_eq!(sel.get("app").map(String::as_str), Some("api"));
        assert_eq!(sel.get("tier").map(String::as_str), Some("1"));
        assert!(first.contains("  name: api # keep"), "their comment stays:\n{first}");
        // The reflection no longer calls any of them retired.
        let retired: Vec<_> = crate::kube::checks::check_objects("k8s/app.yaml", &out)
            .into_iter()
            .filter(|f| f.rule == "kubernetes/retired-api")
            .collect();
        assert!(retired.is_empty(), "{retired:?}");
        // Improving the improved text changes nothing more.
        assert!(improve_manifest(&out).is_none());
    }

    #[test]
    fn current_manifests_are_left_alone() {
        let current = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: backend\n";
        assert!(improve_manifest(current).is_none());
        assert!(improve_manifest("not: [yaml").is_none());
        let resource = "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: a\nspec:\n  backend:\n    resource:\n      kind: Bucket\n      name: b\n";
        assert!(
            improve_manifest(resource).is_none(),
            "a resource backend is left for the person"
        );
        let pods = "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: a\n  maxReplicas: 4\n  metrics:\n  - type: Pods\n    pods:\n      metricName: rps\n      targetAverageValue: 10\n";
        assert!(
            improve_manifest(pods).is_none(),
            "a pods metric's names moved in v2: left for the person"
        );
    }

    #[test]
    fn a_v2beta1_autoscaler_on_resources_moves_to_v2() {
        let old = "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a # theirs\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: a\n  minReplicas: 2\n  maxReplicas: 6\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      targetAverageUtilization: 65\n  - type: Resource\n    resource:\n      name: memory\n      targetAverageValue: 300Mi\n";
        let (out, why) = improve_manifest(old).expect("moved on");
        assert!(why[0].contains("autoscaling/v2beta1 to autoscaling/v2"), "{why:?}");
        let hpa: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler = serde_yaml_ng::from_str(&out).unwrap();
        let spec = hpa.spec.unwrap();
        let m = spec.metrics.unwrap();
        let cpu = &m[0].resource.as_ref().unwrap().target;
        let memory = &m[1].resource.as_ref().unwrap().target;
        assert_eq!((cpu.type_.as_str(), cpu.average_utilization), ("Utilization", Some(65)));
        assert_eq!(memory.type_, "AverageValue");
        assert_eq!(memory.average_value.as_ref().map(|q| q.0.as_str()), Some("300Mi"));
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(2), 6));
        assert!(out.contains("  name: a # theirs\n"), "{out}");
    }
}
