//! Helm packaging: one chart per service in `charts/<name>/`, whose templates are the plain
//! manifests' objects with the tunables read from `values.yaml`.
//!
//! The objects are built once, as typed values, by the Kubernetes family; this module only
//! swaps chosen fields for template expressions (`Yaml::Template`, `Yaml::Splice`) and wraps the
//! optional objects in `if` blocks, so with its default values a chart renders exactly the
//! objects of the plain manifests (plus Helm's own labels and a config checksum). The reflection
//! checks those objects; `helm lint --strict` and `helm template` check the chart in the tests.
//!
//! A monorepo gets one chart per service, so each service's pipeline deploys its own release
//! without waiting on the others; or, asked for one chart (`charts = "umbrella"`), an umbrella
//! chart whose subcharts are those same charts, installed as one release. The namespace and the
//! cluster issuer stay in `k8s/` (a chart cannot own the namespace it installs into, and a
//! cluster-wide issuer shared by two releases would be claimed by both).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::{json, Value};

use super::{doc, hosts, kustomize, name_of, s, Manifest, Topology, HEADER};
use crate::generate::Artifact;
use crate::params::{Charts, Packaging, Route};
use crate::spec::DeploySpec;
use crate::write::{yaml, Entry, Yaml};

/// The chart's `Chart.yaml`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Chart {
    api_version: &'static str,
    name: String,
    description: String,
    #[serde(rename = "type")]
    type_: &'static str,
    version: &'static str,
    kube_version: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<Dependency>,
}

/// A subchart of the umbrella chart, in its `charts/` folder.
#[derive(Debug, Clone, Serialize)]
struct Dependency {
    name: String,
    version: &'static str,
    /// Installed only while `<name>.enabled` is true.
    condition: String,
}

/// The version every chart Slipway writes starts at.
const CHART_VERSION: &str = "0.1.0";

/// The umbrella chart's name, when a monorepo asks for one chart of all its services.
pub fn umbrella(spec: &DeploySpec) -> Option<String> {
    (spec.kube.packaging == Packaging::Helm && spec.kube.charts == Charts::Umbrella && spec.is_monorepo())
        .then(|| name_of(&spec.kube.namespace))
}

/// Where `name`'s chart is written: `charts/<name>`, or the umbrella's `charts/` folder.
pub fn chart_dir(spec: &DeploySpec, name: &str) -> String {
    match umbrella(spec) {
        Some(u) => format!("charts/{u}/charts/{name}"),
        None => format!("charts/{name}"),
    }
}

/// The chart `helm upgrade` installs to deploy `name`: its own, or the umbrella.
pub fn installed_chart(spec: &DeploySpec, name: &str) -> String {
    match umbrella(spec) {
        Some(u) => format!("charts/{u}"),
        None => chart_dir(spec, name),
    }
}

/// The values file a deploy to `env` adds to `values.yaml`; none for production, which takes
/// `values.yaml` as it is.
pub fn values_for(spec: &DeploySpec, name: &str, env: &str) -> Option<String> {
    (env != spec.production() && env != "production")
        .then(|| format!("{}/values-{}.yaml", installed_chart(spec, name), name_of(env)))
}

/// The release a service is installed as, in each environment's namespace: its name, or the
/// umbrella's.
pub fn release(spec: &DeploySpec, name: &str) -> String {
    umbrella(spec).unwrap_or_else(|| name.to_string())
}

/// Where `name`'s values sit in its release: at the top, or under its key in the umbrella's.
pub fn values_key(spec: &DeploySpec, name: &str) -> String {
    match umbrella(spec) {
        Some(_) => format!("{name}."),
        None => String::new(),
    }
}

fn template(t: impl Into<String>) -> Yaml {
    Yaml::Template(t.into())
}

/// The value at `path` (keys; a number indexes a sequence).
fn at<'a>(doc: &'a mut Yaml, path: &[&str]) -> Option<&'a mut Yaml> {
    let mut here = doc;
    for key in path {
        here = match here {
            Yaml::Map(entries) => entries.iter_mut().find(|e| e.key == *key).map(|e| &mut e.value)?,
            Yaml::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i))?,
            _ => return None,
        };
    }
    Some(here)
}

fn set(doc: &mut Yaml, path: &[&str], value: Yaml) {
    if let Some(v) = at(doc, path) {
        *v = value;
    }
}

fn push_entry(map: Option<&mut Yaml>, entry: Entry) {
    if let Some(Yaml::Map(entries)) = map {
        entries.push(entry);
    }
}

fn entry(key: &str, value: Yaml) -> Entry {
    Entry {
        key: key.into(),
        value,
        comment: None,
        note: None,
        when: None,
    }
}

fn kind_of(d: &Yaml) -> &str {
    match d.get("kind") {
        Some(Yaml::Str(k)) => k.as_str(),
        _ => "",
    }
}

/// The replica count from the values, or, with the autoscaler on, none (it owns the count).
fn replica_count(d: &mut Yaml, autoscale: bool) {
    if autoscale {
        if let Some(Yaml::Map(entries)) = at(d, &["spec"]) {
            entries.insert(
                0,
                Entry {
                    note: Some(
                        "Only with the autoscaler off: when it is on it owns the count, and a count here\nwould reset it on every upgrade."
                            .into(),
                    ),
                    when: Some("not .Values.autoscaling.enabled".into()),
                    ..entry("replicas", template("{{ .Values.replicaCount }}"))
                },
            );
        }
    } else {
        set(d, &["spec", "replicas"], template("{{ .Values.replicaCount }}"));
    }
}

/// Every string holding `{{` as a Helm string literal, so the template prints it as it is.
fn escape_placeholders(d: &mut Yaml) {
    match d {
        Yaml::Str(s) if s.contains("{{") => {
            let literal = serde_json::to_string(s).expect("a string serialises");
            *d = template(format!("{{{{ {literal} | quote }}}}"));
        }
        Yaml::Seq(items) => items.iter_mut().for_each(escape_placeholders),
        Yaml::Map(entries) => entries.iter_mut().for_each(|e| escape_placeholders(&mut e.value)),
        _ => {}
    }
}

/// Turns one object of the plain manifests into its template; returns the condition the whole
/// object is rendered under, if any.
fn templatize(d: &mut Yaml, chart: &str, autoscale: bool, gateway_services: &[String]) -> Option<&'static str> {
    let kind = kind_of(d).to_string();
    if at(d, &["metadata", "namespace"]).is_some() {
        set(d, &["metadata", "namespace"], template("{{ .Release.Namespace }}"));
    }
    push_entry(
        at(d, &["metadata", "labels"]),
        entry(
            "helm.sh/chart",
            template(format!("{{{{ include \"{chart}.chart\" . }}}}")),
        ),
    );
    push_entry(
        at(d, &["metadata", "labels"]),
        entry("app.kubernetes.io/managed-by", template("{{ .Release.Service }}")),
    );
    let c = ["spec", "template", "spec", "containers", "0"];
    // Argo's own `{{args.x}}` placeholders reach the cluster as written, not read by Helm.
    escape_placeholders(d);
    // With a Rollout the Deployment is its template only, at 0 replicas; the Rollout has the count.
    let template_only = kind == "Deployment" && matches!(at(d, &["spec", "replicas"]), Some(Yaml::Int(0)));
    match kind.as_str() {
        "Rollout" => {
            replica_count(d, autoscale);
            set(
                d,
                &[
                    "spec",
                    "strategy",
                    "canary",
                    "trafficRouting",
                    "plugins",
                    super::rollout::GATEWAY_PLUGIN,
                    "namespace",
                ],
                template("{{ .Release.Namespace }}"),
            );
            None
        }
        "Deployment" | "StatefulSet" => {
            // A StatefulSet keeps its one pod: its volume has one writer.
            if !template_only && kind == "Deployment" {
                replica_count(d, autoscale);
            }
            if let Some(Yaml::Map(spec)) = at(d, &["spec"]) {
                for e in spec.iter_mut().filter(|e| e.key == "revisionHistoryLimit") {
                    e.note = None;
                }
            }
            set(
                d,
                &[&c[..], &["image"]].concat(),
                template(format!("{{{{ include \"{chart}.image\" .Values.image | quote }}}}")),
            );
            super::note(
                d,
                &[&c[..], &["image"]].concat(),
                "By digest when image.digest is set (the pipeline sets it to what it pushed), else by tag.",
            );
            set(
                d,
                &[&c[..], &["imagePullPolicy"]].concat(),
                template("{{ .Values.image.pullPolicy }}"),
            );
            set(
                d,
                &[&c[..], &["resources"]].concat(),
                Yaml::Splice("toYaml .Values.resources".into()),
            );
            // A change of settings restarts the pods, as a change of image does.
            if let Some(Yaml::Map(meta)) = at(d, &["spec", "template", "metadata"]) {
                meta.insert(
                    0,
                    entry(
                        "annotations",
                        Yaml::map().with(
                            "checksum/config",
                            template("{{ include (print $.Template.BasePath \"/configmap.yaml\") . | sha256sum }}"),
                        ),
                    ),
                );
            }
            None
        }
        "ConfigMap" => {
            set(d, &["data"], Yaml::Splice("toYaml .Values.config".into()));
            None
        }
        "HorizontalPodAutoscaler" => {
            set(
                d,
                &["spec", "minReplicas"],
                template("{{ .Values.autoscaling.minReplicas }}"),
            );
            set(
                d,
                &["spec", "maxReplicas"],
                template("{{ .Values.autoscaling.maxReplicas }}"),
            );
            set(
                d,
                &[
                    "spec",
                    "metrics",
                    "0",
                    "containerResource",
                    "target",
                    "averageUtilization",
                ],
                template("{{ .Values.autoscaling.targetCPUUtilizationPercentage }}"),
            );
            Some(".Values.autoscaling.enabled")
        }
        "PodDisruptionBudget" => Some(".Values.podDisruptionBudget.enabled"),
        "PodMonitor" => {
            set(
                d,
                &["metadata", "labels", "release"],
                template("{{ .Values.metrics.release | quote }}"),
            );
            None
        }
        "AnalysisTemplate" => {
            if let Some(Yaml::Seq(metrics)) = at(d, &["spec", "metrics"]) {
                for m in metrics.iter_mut() {
                    if at(m, &["provider", "prometheus", "address"]).is_some() {
                        set(
                            m,
                            &["provider", "prometheus", "address"],
                            template("{{ .Values.metrics.prometheus | quote }}"),
                        );
                    }
                }
            }
            None
        }
        "VerticalPodAutoscaler" => Some(".Values.verticalPodAutoscaler.enabled"),
        "NetworkPolicy" => Some(".Values.networkPolicy.enabled"),
        "Ingress" => {
            set(
                d,
                &["spec", "ingressClassName"],
                template("{{ .Values.ingress.className }}"),
            );
            set(
                d,
                &["spec", "rules", "0", "host"],
                template("{{ .Values.ingress.host | quote }}"),
            );
            set(
                d,
                &["spec", "tls", "0", "hosts", "0"],
                template("{{ .Values.ingress.host | quote }}"),
            );
            set(
                d,
                &["metadata", "annotations", "cert-manager.io/cluster-issuer"],
                template("{{ .Values.ingress.clusterIssuer }}"),
            );
            Some(".Values.ingress.enabled")
        }
        "HTTPRoute" => {
            set(
                d,
                &["spec", "hostnames", "0"],
                template("{{ .Values.httpRoute.host | quote }}"),
            );
            Some(".Values.httpRoute.enabled")
        }
        "Gateway" => {
            set(
                d,
                &["spec", "gatewayClassName"],
                template("{{ .Values.gateway.className }}"),
            );
            set(
                d,
                &["metadata", "annotations", "cert-manager.io/cluster-issuer"],
                template("{{ .Values.gateway.clusterIssuer }}"),
            );
            if let Some(Yaml::Seq(listeners)) = at(d, &["spec", "listeners"]) {
                for (i, l) in listeners.iter_mut().enumerate() {
                    let svc = gateway_services.get(i / 2).cloned().unwrap_or_default();
                    set(
                        l,
                        &["hostname"],
                        template(format!("{{{{ index .Values.gateway.hosts \"{svc}\" | quote }}}}")),
                    );
                }
            }
            None
        }
        "ExternalSecret" => {
            // Each release reads the entries of its own namespace, as the overlays do.
            let name = match at(d, &["spec", "target", "name"]) {
                Some(Yaml::Str(n)) => n.trim_end_matches("-secrets").to_string(),
                _ => String::new(),
            };
            if let Some(Yaml::Seq(data)) = at(d, &["spec", "data"]) {
                for item in data.iter_mut() {
                    set(
                        item,
                        &["remoteRef", "key"],
                        template(format!("{{{{ .Release.Namespace }}}}/{name}")),
                    );
                }
            }
            None
        }
        _ => None,
    }
}

/// The `-- ` comment helm-docs reads above a value.
fn doc_note(y: Yaml, key: &str, value: impl Into<Yaml>, text: &str) -> Yaml {
    y.with_note(key, value, format!("-- {text}"))
}

/// The default values: what the plain manifests hold, by name.
fn values(
    spec: &DeploySpec,
    t: &Topology,
    deployment: &Yaml,
    gateway_hosts: &[(String, String)],
    config_note: &str,
    watched: Option<&crate::spec::PrometheusSpec>,
) -> Yaml {
    let k = &spec.kube;
    let c = ["spec", "template", "spec", "containers", "0"];
    let mut d = deployment.clone();
    let image = match at(&mut d, &[&c[..], &["image"]].concat()) {
        Some(Yaml::Str(i)) => i.clone(),
        _ => String::new(),
    };
    let (repository, tag) = image.rsplit_once(':').unwrap_or((image.as_str(), "set-by-pipeline"));
    let resources = at(&mut d, &[&c[..], &["resources"]].concat())
        .cloned()
        .unwrap_or_else(Yaml::map);
    let min = if k.ha {
        spec.scaling.min_replicas.max(2)
    } else {
        spec.scaling.min_replicas
    };
    let mut v = Yaml::map();
    if umbrella(spec).is_some() {
        v = doc_note(
            v,
            "enabled",
            true,
            "The umbrella chart installs this service while true; each pipeline turns its own on.",
        );
    }
    v = doc_note(
        v,
        "image",
        Yaml::map()
            .with_note("repository", repository, "-- Where the pipeline pushes the image.")
            .with_note(
                "tag",
                tag,
                "-- The tag to run when no digest is set. The pipeline sets the digest of what it pushed.",
            )
            .with_note("digest", "", "-- `sha256:...`; wins over the tag.")
            .with_note(
                "pullPolicy",
                "Always",
                "-- Always: a node never runs a stale copy of a tag.",
            ),
        "The container image.",
    );
    v = doc_note(
        v,
        "replicaCount",
        k.replicas,
        if k.autoscale {
            "Pods when the autoscaler is off."
        } else {
            "Pods to run."
        },
    );
    if k.autoscale {
        v = doc_note(
            v,
            "autoscaling",
            Yaml::map()
                .with("enabled", true)
                .with("minReplicas", min)
                .with("maxReplicas", spec.scaling.max_replicas.max(min))
                .with("targetCPUUtilizationPercentage", spec.scaling.cpu_percent),
            "The HorizontalPodAutoscaler: bounds, and the share of the CPU request to scale at.",
        );
    }
    v = doc_note(
        v,
        "resources",
        resources,
        "Requests the scheduler reserves and limits the container may use.",
    );
    if k.autoscale || k.replicas >= 2 {
        v = doc_note(
            v,
            "podDisruptionBudget",
            Yaml::map().with("enabled", true),
            "Node drains take one pod at a time.",
        );
    }
    if k.vpa {
        v = doc_note(
            v,
            "verticalPodAutoscaler",
            Yaml::map().with("enabled", true),
            "Resource recommendations only (updateMode Off).",
        );
    }
    v = doc_note(v, "config", Yaml::map(), config_note);
    v = doc_note(
        v,
        "networkPolicy",
        Yaml::map().with("enabled", true),
        "Who may reach the pods, and what they may reach.",
    );
    if let Some(p) = watched {
        v = doc_note(
            v,
            "metrics",
            Yaml::map()
                .with_note(
                    "prometheus",
                    p.url.as_str(),
                    "-- The Prometheus each rollout asks for the new pods' error rate.",
                )
                .with_note(
                    "release",
                    p.release.as_str(),
                    "-- The `release` label that Prometheus selects PodMonitors by; without it the pods are not scraped.",
                ),
            "The PodMonitor that has the pods scraped, and where the rollouts read their error rate.",
        );
    }
    if let Some(host) = &t.host {
        match k.route {
            Route::Ingress => {
                v = doc_note(
                    v,
                    "ingress",
                    Yaml::map()
                        .with("enabled", true)
                        .with("className", k.ingress_class.as_str())
                        .with("host", host.as_str())
                        .with("clusterIssuer", k.tls_issuer.as_str()),
                    "The Ingress, with a certificate from the cert-manager ClusterIssuer.",
                );
            }
            Route::Gateway => {
                v = doc_note(
                    v,
                    "httpRoute",
                    Yaml::map().with("enabled", true).with("host", host.as_str()),
                    "The HTTPRoutes on the Gateway, and the redirect from http.",
                );
            }
        }
    }
    if !gateway_hosts.is_empty() {
        let mut hosts = Yaml::map();
        for (n, h) in gateway_hosts {
            hosts = hosts.with(n, h.as_str());
        }
        v = doc_note(
            v,
            "gateway",
            Yaml::map()
                .with("className", k.ingress_class.as_str())
                .with("clusterIssuer", k.tls_issuer.as_str())
                .with("hosts", hosts),
            "The Gateway every exposed service of the project attaches to, with a listener per host.",
        );
    }
    v
}

/// The JSON schema of `values`: every key typed, no key the chart does not read (so a typo
/// fails `helm lint` and `helm install`), numbers in their ranges.
fn schema_of(key: &str, v: &Yaml) -> Value {
    match v {
        Yaml::Map(entries) if key == "config" && entries.is_empty() => {
            json!({"type": "object", "additionalProperties": {"type": "string"}})
        }
        Yaml::Map(entries) if key == "requests" || key == "limits" => {
            let props: serde_json::Map<String, Value> = entries
                .iter()
                .map(|e| {
                    (
                        e.key.clone(),
                        json!({"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"}),
                    )
                })
                .collect();
            json!({"type": "object", "properties": props, "additionalProperties": false})
        }
        Yaml::Map(entries) => {
            let props: serde_json::Map<String, Value> = entries
                .iter()
                .map(|e| (e.key.clone(), schema_of(&e.key, &e.value)))
                .collect();
            let required: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
            if key == "hosts" {
                json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
            } else {
                json!({"type": "object", "properties": props, "additionalProperties": false})
            }
        }
        Yaml::Int(_) => match key {
            "targetCPUUtilizationPercentage" => json!({"type": "integer", "minimum": 1, "maximum": 100}),
            "replicaCount" => json!({"type": "integer", "minimum": 0}),
            _ => json!({"type": "integer", "minimum": 1}),
        },
        Yaml::Bool(_) => json!({"type": "boolean"}),
        Yaml::Str(_) => match key {
            "digest" => json!({"type": "string", "pattern": "^(sha256:[a-f0-9]{64})?$"}),
            "pullPolicy" => json!({"type": "string", "enum": ["Always", "IfNotPresent", "Never"]}),
            "host" => json!({"type": "string", "format": "hostname", "minLength": 1}),
            "tag" => json!({"type": "string", "pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"}),
            "className" | "clusterIssuer" => json!({"type": "string", "minLength": 1}),
            _ => json!({"type": "string"}),
        },
        _ => json!({}),
    }
}

fn schema(values: &Yaml, subchart: bool) -> String {
    let mut root = schema_of("", values);
    if subchart {
        // Helm hands every subchart the parent's `global` values.
        root["properties"]["global"] = json!({"type": "object"});
    }
    root["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    root["title"] = json!("Values of the chart Slipway wrote");
    let mut text = serde_json::to_string_pretty(&root).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// The values a deploy to a staged environment adds: fewer pods, half the requests, the
/// environment's own hosts (as the Kustomize overlays do).
fn staged_values(spec: &DeploySpec, env: &str, t: &Topology, gateway_hosts: &[(String, String)]) -> Yaml {
    let k = &spec.kube;
    let mut v = Yaml::map();
    if k.autoscale {
        v = v.with(
            "autoscaling",
            Yaml::map().with("minReplicas", 1u32).with("maxReplicas", 2u32),
        );
    } else {
        v = v.with("replicaCount", 1u32);
    }
    v = v.with(
        "resources",
        Yaml::map().with(
            "requests",
            Yaml::map()
                .with("cpu", kustomize::half_cpu(&k.resources.cpu_request))
                .with("memory", kustomize::half_memory(&k.resources.memory_request)),
        ),
    );
    let staged = |h: &str| format!("{}.{h}", name_of(env));
    if let Some(host) = &t.host {
        let key = match k.route {
            Route::Ingress => "ingress",
            Route::Gateway => "httpRoute",
        };
        v = v.with(key, Yaml::map().with("host", staged(host)));
    }
    if !gateway_hosts.is_empty() {
        let mut hosts = Yaml::map();
        for (n, h) in gateway_hosts {
            hosts = hosts.with(n, staged(h));
        }
        v = v.with("gateway", Yaml::map().with("hosts", hosts));
    }
    v
}

fn helpers(chart: &str) -> String {
    format!(
        r#"{{{{/* Written by Slipway. */}}}}

{{{{/* The chart label: name and version, as Helm's own charts write it. */}}}}
{{{{- define "{chart}.chart" -}}}}
{{{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}}}
{{{{- end }}}}

{{{{/* The image reference: by digest when one is set, else by tag. */}}}}
{{{{- define "{chart}.image" -}}}}
{{{{- if .digest }}}}{{{{ .repository }}}}@{{{{ .digest }}}}{{{{ else }}}}{{{{ .repository }}}}:{{{{ .tag }}}}{{{{ end }}}}
{{{{- end }}}}
"#
    )
}

fn notes(spec: &DeploySpec, t: &Topology) -> String {
    let watch = if t.workload == "Rollout" {
        format!(
            "kubectl argo rollouts -n {{{{ .Release.Namespace }}}} get rollout {} --watch\n  ({})",
            t.name, t.rollout
        )
    } else {
        format!(
            "kubectl -n {{{{ .Release.Namespace }}}} rollout status {}/{} --timeout=10m",
            t.workload.to_ascii_lowercase(),
            t.name
        )
    };
    let mut out = format!(
        "{{{{ .Release.Name }}}} is installed in the {{{{ .Release.Namespace }}}} namespace.\n\nWatch the rollout:\n  {watch}\n"
    );
    if t.host.is_some() {
        let key = match spec.kube.route {
            Route::Ingress => "ingress",
            Route::Gateway => "httpRoute",
        };
        out.push_str(&format!(
            "{{{{- if .Values.{key}.enabled }}}}\n\nIt answers on https://{{{{ .Values.{key}.host }}}} once cert-manager has issued its certificate.\n{{{{- end }}}}\n"
        ));
    }
    if t.port.is_some() {
        out.push_str("\nCheck it answers from inside the cluster:\n  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}\n");
    }
    out.push_str(
        "\nRoll back to the previous release:\n  helm rollback {{ .Release.Name }} -n {{ .Release.Namespace }}\n",
    );
    out
}

/// The `helm test` pod: asks the Service for the health path from inside the namespace, under
/// the same restricted pod rules as the app (the NetworkPolicy admits it as part of the app).
fn test_pod(spec: &DeploySpec, t: &Topology, path: &str) -> Yaml {
    let port = t.port.unwrap_or(8080);
    let (mesh_labels, mesh_annotations) = super::outside_mesh(spec.kube.mesh);
    let mut labels = BTreeMap::from([
        (s("app.kubernetes.io/component"), s("test")),
        (s("app.kubernetes.io/name"), format!("{}-test", t.name)),
        (s("app.kubernetes.io/part-of"), spec.kube.namespace.clone()),
    ]);
    labels.extend(mesh_labels);
    let mut annotations = BTreeMap::from([
        (s("helm.sh/hook"), s("test")),
        (
            s("helm.sh/hook-delete-policy"),
            s("before-hook-creation,hook-succeeded"),
        ),
    ]);
    annotations.extend(mesh_annotations);
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(format!("{}-test-health", t.name)),
            namespace: Some(spec.kube.namespace.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            ..Default::default()
        },
        spec: Some(super::health_check_pod(format!("http://{}:{port}{path}", t.name))),
        ..Default::default()
    };
    doc(&pod)
}

fn text_file(path: String, content: String, purpose: impl Into<String>) -> Artifact {
    Artifact {
        path,
        content,
        purpose: purpose.into(),
        step: "kubernetes".into(),
    }
}

/// What the chart header says in place of the plain manifests' `kubectl apply` line.
fn chart_header(name: &str) -> String {
    format!(
        "Written by Slipway. Installed with: helm upgrade --install {name} charts/{name} (docs/kubernetes.md says\nwhat each object does and what the cluster needs)."
    )
}

/// The wrapped template text of one file of objects.
fn template_file(chart: &str, docs: &[Yaml], autoscale: bool, gateway_services: &[String]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        let mut d = d.clone();
        let when = templatize(&mut d, chart, autoscale, gateway_services);
        let header = if i == 0 { chart_header(chart) } else { String::new() };
        let text = yaml::to_string(&d, &header);
        if i > 0 {
            out.push_str("---\n");
        }
        match when {
            Some(cond) => {
                // The header stays outside the condition, so the file explains itself either way.
                let (head, body): (String, String) = if i == 0 {
                    let n = text.lines().take_while(|l| l.starts_with('#')).count();
                    let head: String = text.lines().take(n).map(|l| format!("{l}\n")).collect();
                    let body: String = text.lines().skip(n).map(|l| format!("{l}\n")).collect();
                    (head, body)
                } else {
                    (String::new(), text)
                };
                out.push_str(&head);
                out.push_str(&format!("{{{{- if {cond} }}}}\n"));
                out.push_str(&body);
                out.push_str("{{- end }}\n");
            }
            None => out.push_str(&text),
        }
    }
    out
}

/// The charts, from the plain manifests of `generate`: returns the files, and each template's
/// objects as the chart renders them with its default values (for the reflection's checks).
pub(crate) fn package(
    spec: &DeploySpec,
    manifests: Vec<Manifest>,
    topology: &[Topology],
    namespace_doc: impl Fn(&str) -> Yaml,
) -> (Vec<Artifact>, Vec<(String, String)>) {
    let k = &spec.kube;
    let mut out = Vec::new();
    let mut rendered = Vec::new();
    let exposed = hosts(spec);
    // The Gateway goes with the service on the spec's own host (the front), else the first
    // exposed one.
    let gateway_owner = exposed
        .iter()
        .find(|(_, h)| Some(h) == spec.host.as_ref())
        .or(exposed.first())
        .map(|(n, _)| n.clone());
    let gateway_services: Vec<String> = exposed.iter().map(|(n, _)| n.clone()).collect();
    let gateway = manifests.iter().find(|m| m.path == "k8s/gateway.yaml").cloned();

    let mut namespaces = vec![namespace_doc(&k.namespace)];
    for (_, ns) in kustomize::staged_namespaces(spec) {
        namespaces.push(namespace_doc(&ns));
    }
    out.push(super::file(
        "k8s/namespace.yaml".into(),
        &namespaces,
        "the namespace of each environment's release, with the restricted Pod Security level enforced",
    ));
    for m in manifests.iter().filter(|m| m.path == "k8s/cluster-issuer.yaml") {
        out.push(super::file(m.path.clone(), &m.docs, m.purpose.clone()));
    }

    let umbrella = umbrella(spec);
    let mut staged: BTreeMap<String, Vec<(String, Yaml, bool)>> = BTreeMap::new();
    for t in topology {
        let chart = t.name.clone();
        let dir = chart_dir(spec, &chart);
        let mut own: Vec<Manifest> = manifests
            .iter()
            .filter(|m| m.owner.as_deref() == Some(chart.as_str()))
            .cloned()
            .collect();
        let gateway_hosts: Vec<(String, String)> = match &gateway {
            Some(g) if gateway_owner.as_deref() == Some(chart.as_str()) => {
                own.push(g.clone());
                exposed.clone()
            }
            _ => Vec::new(),
        };
        let Some(deployment) = own
            .iter()
            .find_map(|m| {
                m.docs
                    .iter()
                    .find(|d| matches!(kind_of(d), "Deployment" | "StatefulSet"))
            })
            .cloned()
        else {
            continue;
        };
        let svc = spec.services.iter().find(|s| name_of(&s.name) == chart);

        let meta = Chart {
            api_version: "v2",
            name: chart.clone(),
            description: format!(
                "{} on Kubernetes: written by Slipway from the project's deployment spec",
                svc.map_or(chart.as_str(), |s| s.name.as_str())
            ),
            type_: "application",
            version: CHART_VERSION,
            kube_version: ">=1.30.0-0",
            dependencies: Vec::new(),
        };
        out.push(text_file(
            format!("{dir}/Chart.yaml"),
            yaml::to_string(
                &doc(&meta),
                "Written by Slipway. Bump version when the templates change.",
            ),
            format!("the {chart} chart"),
        ));
        // The ConfigMap's own note (which names the settings the code reads) goes with its values.
        let config_note = own
            .iter()
            .flat_map(|m| m.docs.iter())
            .filter(|d| kind_of(d) == "ConfigMap")
            .find_map(|d| match d {
                Yaml::Map(entries) => entries.iter().find(|e| e.key == "data").and_then(|e| e.note.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "Settings that are not secret, as KEY: value.".into());
        let watched = own
            .iter()
            .flat_map(|m| m.docs.iter())
            .any(|d| kind_of(d) == "PodMonitor")
            .then_some(k.prometheus.as_ref())
            .flatten();
        let values = values(spec, t, &deployment, &gateway_hosts, &config_note, watched);
        out.push(text_file(
            format!("{dir}/values.yaml"),
            yaml::to_string(
                &values,
                "Written by Slipway: every setting the templates read, with the production defaults.\nvalues.schema.json refuses keys the chart does not know.",
            ),
            format!("{chart}'s settings, production's by default"),
        ));
        out.push(text_file(
            format!("{dir}/values.schema.json"),
            schema(&values, umbrella.is_some()),
            format!("the types and ranges of {chart}'s values"),
        ));
        for env in kustomize::environments(spec) {
            if umbrella.is_some() {
                // The umbrella's values file of the environment carries every service's.
                staged.entry(env.clone()).or_default().push((
                    chart.clone(),
                    staged_values(spec, &env, t, &gateway_hosts),
                    t.host.is_some(),
                ));
                continue;
            }
            let Some(path) = values_for(spec, &chart, &env) else {
                continue;
            };
            out.push(text_file(
                path,
                yaml::to_string(
                    &staged_values(spec, &env, t, &gateway_hosts),
                    &format!(
                        "Written by Slipway: what differs in {env} (in the {} namespace): fewer pods, half the\nrequests{}.",
                        kustomize::namespace_for(spec, &env),
                        if t.host.is_some() {
                            format!(", on {}.<host>", name_of(&env))
                        } else {
                            String::new()
                        }
                    ),
                ),
                format!("{chart}'s values in {env}"),
            ));
        }
        out.push(text_file(
            format!("{dir}/.helmignore"),
            "# Written by Slipway: files helm package leaves out.\n.git/\n*.example\n*.orig\n*.swp\n*~\n".into(),
            "what the packaged chart leaves out",
        ));
        out.push(text_file(
            format!("{dir}/templates/_helpers.tpl"),
            helpers(&chart),
            "the chart label and the image reference",
        ));
        out.push(text_file(
            format!("{dir}/templates/NOTES.txt"),
            notes(spec, t),
            "what helm prints after an install: how to watch, test and roll back",
        ));
        for m in &own {
            let file = m.path.rsplit('/').next().unwrap_or(&m.path).to_string();
            if m.path.ends_with(".example") {
                // Beside the templates, not among them: helm never installs it.
                out.push(m.skeleton(
                    format!("{dir}/{file}"),
                    "Written by Slipway. Not part of the chart's templates: create the Secret with the kubectl line in\ndocs/kubernetes.md.",
                ));
                continue;
            }
            let path = format!("{dir}/templates/{file}");
            out.push(text_file(
                path.clone(),
                template_file(&chart, &m.docs, k.autoscale, &gateway_services),
                m.purpose.clone(),
            ));
            // What the template renders at the default values: the plain file's text.
            rendered.push((path.clone(), super::file(path, &m.docs, "").content));
        }
        if let (Some(svc), Some(_)) = (svc, t.port) {
            let path = svc.health_path.clone().unwrap_or_else(|| "/".into());
            let d = test_pod(spec, t, &path);
            let mut templated = d.clone();
            templatize(&mut templated, &chart, false, &[]);
            out.push(text_file(
                format!("{dir}/templates/tests/test-health.yaml"),
                yaml::to_string(&templated, &chart_header(&chart)),
                format!("helm test: asks {chart} for {path} from inside the namespace"),
            ));
            rendered.push((
                format!("{dir}/templates/tests/test-health.yaml"),
                yaml::to_string(&d, HEADER),
            ));
        }
    }
    if let Some(u) = &umbrella {
        out.extend(umbrella_files(spec, u, topology, staged));
    }
    (out, rendered)
}

/// The umbrella chart around the services' charts: `Chart.yaml` naming each as a dependency
/// that its `enabled` value turns on, the values that do, each environment's values under each
/// service's key, and the notes Helm prints for the whole release.
fn umbrella_files(
    spec: &DeploySpec,
    u: &str,
    topology: &[Topology],
    staged: BTreeMap<String, Vec<(String, Yaml, bool)>>,
) -> Vec<Artifact> {
    let dir = format!("charts/{u}");
    let mut out = Vec::new();
    let meta = Chart {
        api_version: "v2",
        name: u.to_string(),
        description: format!(
            "Every service of {u} on Kubernetes, one subchart each: written by Slipway from the project's deployment spec"
        ),
        type_: "application",
        version: CHART_VERSION,
        kube_version: ">=1.30.0-0",
        dependencies: topology
            .iter()
            .map(|t| Dependency {
                name: t.name.clone(),
                version: CHART_VERSION,
                condition: format!("{}.enabled", t.name),
            })
            .collect(),
    };
    out.push(text_file(
        format!("{dir}/Chart.yaml"),
        yaml::to_string(
            &doc(&meta),
            "Written by Slipway. The services' charts are in charts/; bump a version when its templates change.",
        ),
        format!("the {u} umbrella chart: one release of every service"),
    ));
    let mut values = Yaml::map();
    for t in topology {
        values = doc_note(
            values,
            &t.name,
            Yaml::map().with("enabled", true),
            &format!(
                "{}'s values: charts/{}/values.yaml has every key, with production's defaults.",
                t.name, t.name
            ),
        );
    }
    out.push(text_file(
        format!("{dir}/values.yaml"),
        yaml::to_string(
            &values,
            "Written by Slipway: each service's values, under its name. Each service's own chart\n(charts/<name>/values.yaml) holds the production defaults; set any of them here.",
        ),
        format!("{u}'s values, service by service"),
    ));
    let mut props = serde_json::Map::new();
    for t in topology {
        props.insert(t.name.clone(), json!({"type": "object"}));
    }
    props.insert(s("global"), json!({"type": "object"}));
    let mut root = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Values of the umbrella chart Slipway wrote",
        "type": "object",
        "properties": props,
        "additionalProperties": false,
    });
    root["description"] = json!("Each service's own values.schema.json checks the keys under its name.");
    let mut schema_text = serde_json::to_string_pretty(&root).expect("a JSON value serialises");
    schema_text.push('\n');
    out.push(text_file(
        format!("{dir}/values.schema.json"),
        schema_text,
        format!("the services {u}'s values may name"),
    ));
    for (env, services) in staged {
        let Some(path) = topology.first().and_then(|t| values_for(spec, &t.name, &env)) else {
            continue;
        };
        let mut v = Yaml::map();
        let mut hosts = false;
        for (name, values, exposed) in services {
            v = v.with(&name, values);
            hosts |= exposed;
        }
        out.push(text_file(
            path,
            yaml::to_string(
                &v,
                &format!(
                    "Written by Slipway: what differs in {env} (in the {} namespace), service by service: fewer\npods, half the requests{}.",
                    kustomize::namespace_for(spec, &env),
                    if hosts {
                        format!(", each host under {}.", name_of(&env))
                    } else {
                        String::new()
                    }
                ),
            ),
            format!("{u}'s values in {env}"),
        ));
    }
    out.push(text_file(
        format!("{dir}/.helmignore"),
        "# Written by Slipway: files helm package leaves out.\n.git/\n*.example\n*.orig\n*.swp\n*~\n".into(),
        "what the packaged chart leaves out",
    ));
    let mut notes_text = String::from(
        "{{ .Release.Name }} is installed in the {{ .Release.Namespace }} namespace, one subchart per service.\n\nWatch each rollout:\n",
    );
    for t in topology {
        notes_text.push_str(&format!("{{{{- if (index .Values \"{}\").enabled }}}}\n", t.name));
        if t.workload == "Rollout" {
            notes_text.push_str(&format!(
                "  kubectl argo rollouts -n {{{{ .Release.Namespace }}}} get rollout {} --watch\n",
                t.name
            ));
        } else {
            notes_text.push_str(&format!(
                "  kubectl -n {{{{ .Release.Namespace }}}} rollout status {}/{} --timeout=10m\n",
                t.workload.to_ascii_lowercase(),
                t.name
            ));
        }
        notes_text.push_str("{{- end }}\n");
    }
    notes_text.push_str(
        "\nCheck the services answer from inside the cluster:\n  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}\n\nRoll every service back to the previous release:\n  helm rollback {{ .Release.Name }} -n {{ .Release.Namespace }}\n",
    );
    out.push(text_file(
        format!("{dir}/templates/NOTES.txt"),
        notes_text,
        "what helm prints after an install: how to watch, test and roll back",
    ));
    out
}
