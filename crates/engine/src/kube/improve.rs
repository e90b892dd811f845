//! The person's own manifests, improved in place: API versions Kubernetes no longer serves are
//! moved to the ones that replaced them where the object's fields read the same, each changed
//! line under a `# Slipway:` comment, and every other line (their fields, order and comments)
//! kept byte for byte. An old `Ingress` is moved to `networking.k8s.io/v1`'s backend form line by
//! line; an object whose new version reads differently in ways that need a person (an
//! autoscaler from `autoscaling/v2beta1`) is left, and the reflection's `retired-api` finding
//! says what to use.

use serde_yaml_ng::Value;

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
    let mut out = String::with_capacity(text.len() + 256);
    let mut reasons = Vec::new();
    for doc in split_documents(text) {
        match improve_document(doc) {
            Some((fixed, why)) => {
                out.push_str(&fixed);
                reasons.push(why);
            }
            None => out.push_str(doc),
        }
    }
    (!reasons.is_empty()).then_some((out, reasons))
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
        let hpa = "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a\n";
        assert!(
            improve_manifest(hpa).is_none(),
            "v2beta1's metrics read differently in v2"
        );
    }
}
