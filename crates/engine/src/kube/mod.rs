//! The Kubernetes family: from the deployment spec to the objects a platform team accepts.
//!
//! Every object is a typed value (`k8s-openapi`'s types, and the small structs of [`crd`] for
//! custom resources), turned into YAML by the one writer (`write::ser` then `write::yaml`), with
//! a comment above the fields whose value needs a reason. The generators are pure: spec and
//! image facts in, files out. What each object does and why is in `docs/kubernetes.md`, which
//! [`runbook`] writes from the same values.

pub mod backing;
pub mod checks;
pub mod crd;
pub mod gitops;
pub mod helm;
pub mod improve;
pub mod kustomize;
pub mod rollout;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricSource, CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules,
    HorizontalPodAutoscaler, HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, ConfigMapEnvSource, Container, ContainerPort, EmptyDirVolumeSource,
    EnvFromSource, EnvVar, EnvVarSource, HTTPGetAction, Lifecycle, LifecycleHandler, Namespace, PodAffinityTerm,
    PodAntiAffinity, PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, Secret,
    SecretKeySelector, SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec as CoreServiceSpec,
    SleepAction, TCPSocketAction, TopologySpreadConstraint, Volume, VolumeMount, WeightedPodAffinityTerm,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec, ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use crate::generate::Artifact;
use crate::params::{Mesh, Route};
use crate::spec::{DeploySpec, ServiceSpec};
use crate::write::{ser::to_yaml, yaml, Yaml};

/// The header every generated manifest starts with.
const HEADER: &str = "Written by Slipway. Apply with: kubectl apply -f k8s/ (docs/kubernetes.md says what each\nobject does and what the cluster needs).";

/// One file of objects before it is written: as plain YAML, or turned into a chart's template.
#[derive(Debug, Clone)]
pub(crate) struct Manifest {
    /// Where the plain manifests put it.
    pub path: String,
    /// Its objects, in order.
    pub docs: Vec<Yaml>,
    /// What it is for, in words.
    pub purpose: String,
    /// The Deployment whose chart holds it; none for the namespace, the issuer and the Gateway.
    pub owner: Option<String>,
}

/// The image facts a manifest must agree with, per service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFacts {
    /// The service's name.
    pub service: String,
    /// The numeric user and group the image runs as.
    pub user: Option<(u32, u32)>,
}

/// Reads `10001:10001` or `10001` as numbers; a user name gives none.
pub fn numeric_user(user: &str) -> Option<(u32, u32)> {
    let (u, g) = user.split_once(':').unwrap_or((user, user));
    Some((u.parse().ok()?, g.parse().ok()?))
}

/// One service's place in the cluster, for the app's picture: what routes to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Topology {
    /// The Deployment's name.
    pub name: String,
    /// What owns the pods: `Deployment`, or `Rollout` when Argo Rollouts runs the Deployment's
    /// template.
    pub workload: String,
    /// The host outside traffic comes in on, when exposed.
    pub host: Option<String>,
    /// `Ingress (traefik)` or `HTTPRoute on Gateway web`.
    pub entry: Option<String>,
    /// The Service's port, when it has one.
    pub port: Option<u16>,
    /// Fixed replicas, or the autoscaler's bounds.
    pub replicas: String,
    /// The rollout in words.
    pub rollout: String,
}

/// What the family produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The manifests, the secret skeletons and the runbook.
    pub artifacts: Vec<Artifact>,
    /// The picture of what will run.
    pub topology: Vec<Topology>,
    /// The Secrets the person creates in the cluster before the first apply, one entry per key.
    pub requirements: Vec<crate::pipeline::Requirement>,
    /// With a Helm chart: each template's objects as the chart renders them with its default
    /// values (the plain manifests), by the template's path, for the reflection's checks.
    pub rendered: Vec<(String, String)>,
}

/// A one-shot pod that asks `url` for a success and exits: curl under the restricted pod rules,
/// read-only, with no token. Helm's test hook and the rollouts' analysis run it.
pub(crate) fn health_check_pod(url: String) -> PodSpec {
    PodSpec {
        restart_policy: Some(s("Never")),
        automount_service_account_token: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(10001),
            run_as_group: Some(10001),
            seccomp_profile: Some(SeccompProfile {
                type_: s("RuntimeDefault"),
                ..Default::default()
            }),
            ..Default::default()
        }),
        containers: vec![Container {
            name: s("curl"),
            image: Some(s(crate::pipeline::versions::image("curl"))),
            image_pull_policy: Some(s("Always")),
            args: Some(vec![
                s("--fail"),
                s("--silent"),
                s("--show-error"),
                s("--max-time"),
                s("5"),
                s("--retry"),
                s("5"),
                s("--retry-all-errors"),
                url,
            ]),
            resources: Some(ResourceRequirements {
                requests: Some(BTreeMap::from([(s("cpu"), q("10m")), (s("memory"), q("16Mi"))])),
                limits: Some(BTreeMap::from([(s("cpu"), q("100m")), (s("memory"), q("64Mi"))])),
                ..Default::default()
            }),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                read_only_root_filesystem: Some(true),
                capabilities: Some(Capabilities {
                    drop: Some(vec![s("ALL")]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The kind of the object that owns a service's pods outside Argo, and its file's name:
/// a StatefulSet when the service keeps data, else a Deployment.
pub fn workload_of(svc: &ServiceSpec) -> (&'static str, &'static str) {
    if svc.data_path.is_some() {
        ("StatefulSet", "statefulset.yaml")
    } else {
        ("Deployment", "deployment.yaml")
    }
}

/// A service that answers on a port (not a worker): it gets a Service, probes and a route.
pub(crate) fn serves(svc: &ServiceSpec) -> bool {
    svc.kind != "worker" && svc.port.is_some()
}

/// A Kubernetes name from a service name: lowercase letters, digits and inner hyphens.
pub fn name_of(service: &str) -> String {
    let mut out: String = service
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out: String = out.trim_matches('-').chars().take(50).collect();
    match out.trim_end_matches('-') {
        "" => "app".into(),
        s => s.to_string(),
    }
}

fn s(v: &str) -> String {
    v.to_string()
}

/// The labels every object of a service carries; the selector is only name and instance,
/// which never change, so an upgrade never meets an immutable-selector error.
fn selector_labels(name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (s("app.kubernetes.io/instance"), s(name)),
        (s("app.kubernetes.io/name"), s(name)),
    ])
}

fn labels(name: &str, spec: &DeploySpec, component: &str) -> BTreeMap<String, String> {
    let mut l = selector_labels(name);
    l.insert(s("app.kubernetes.io/component"), s(component));
    l.insert(s("app.kubernetes.io/part-of"), spec.kube.namespace.clone());
    l
}

fn meta(name: &str, spec: &DeploySpec, component: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(s(name)),
        namespace: Some(spec.kube.namespace.clone()),
        labels: Some(labels(name, spec, component)),
        ..Default::default()
    }
}

fn q(v: &str) -> Quantity {
    Quantity(v.to_string())
}

/// The folders a stack writes to at run time, which get an `emptyDir` under a read-only root.
pub(crate) fn writable_paths(svc: &ServiceSpec) -> Vec<(&'static str, String)> {
    let mut paths = vec![("tmp", s("/tmp"))];
    match svc.framework.as_deref() {
        Some("nextjs") => paths.push(("next-cache", s("/app/.next/cache"))),
        Some("rails") => paths.push(("rails-tmp", s("/app/tmp"))),
        Some("laravel") | Some("symfony") => paths.push((
            "var",
            s(if svc.framework.as_deref() == Some("laravel") {
                "/app/storage"
            } else {
                "/app/var"
            }),
        )),
        Some("nuxt") | Some("astro") => {}
        _ => {}
    }
    paths
}

/// How long a stack may take to start before its liveness probe counts, in seconds.
pub(crate) fn startup_budget(svc: &ServiceSpec) -> i32 {
    match (svc.language.as_deref(), svc.framework.as_deref()) {
        (Some("java") | Some("kotlin") | Some("scala") | Some("clojure"), _) => 300,
        (_, Some("rails") | Some("django") | Some("laravel") | Some("phoenix")) => 120,
        (Some("dotnet") | Some("ruby") | Some("elixir") | Some("php"), _) => 120,
        _ => 60,
    }
}

/// Seconds the pod sleeps in `preStop`: the endpoints controller and every proxy drop it from
/// rotation before the process is told to stop.
const PRE_STOP_SECONDS: i64 = 10;
/// Seconds from SIGTERM to SIGKILL: the pause above, then the app's own drain.
const GRACE_SECONDS: i64 = 45;

fn probe_http(path: &str) -> Option<HTTPGetAction> {
    Some(HTTPGetAction {
        path: Some(s(path)),
        port: IntOrString::String(s("http")),
        ..Default::default()
    })
}

fn tcp() -> Option<TCPSocketAction> {
    Some(TCPSocketAction {
        port: IntOrString::String(s("http")),
        ..Default::default()
    })
}

/// Startup, readiness and liveness probes, and in words why each is where it is.
pub(crate) fn probes(svc: &ServiceSpec) -> (Probe, Probe, Probe, Vec<String>) {
    let mut why = Vec::new();
    let health = svc.health_path.clone();
    let ready = svc.readiness_path.clone().or_else(|| health.clone());
    let deep = |p: &str| svc.deep_health_paths.iter().any(|d| d == p);
    let budget = startup_budget(svc);
    let period = 5;
    let startup = Probe {
        http_get: ready.as_deref().and_then(probe_http),
        tcp_socket: if ready.is_none() { tcp() } else { None },
        period_seconds: Some(period),
        timeout_seconds: Some(3),
        failure_threshold: Some(budget / period),
        ..Default::default()
    };
    why.push(format!(
        "the startup probe gives it {budget} s to start before the other probes count"
    ));
    let readiness = Probe {
        http_get: ready.as_deref().and_then(probe_http),
        tcp_socket: if ready.is_none() { tcp() } else { None },
        period_seconds: Some(10),
        timeout_seconds: Some(5),
        failure_threshold: Some(6),
        success_threshold: Some(1),
        ..Default::default()
    };
    match &ready {
        Some(p) => why.push(format!(
            "readiness on {p}: a pod leaves rotation only after a minute of failures (6 x 10 s, 5 s timeout), so a slow dependency does not pull every pod at once"
        )),
        None => why.push("no health endpoint was found: readiness checks the port; add one and set health_path".into()),
    }
    let live_path = health
        .clone()
        .filter(|h| !deep(h) && (svc.readiness_path.as_deref() != Some(h.as_str()) || !deep(h)));
    let liveness = Probe {
        http_get: live_path.as_deref().and_then(probe_http),
        tcp_socket: if live_path.is_none() { tcp() } else { None },
        period_seconds: Some(20),
        timeout_seconds: Some(5),
        failure_threshold: Some(3),
        ..Default::default()
    };
    match (&live_path, &health) {
        (Some(p), _) => why.push(format!("liveness on {p}, which calls no dependency")),
        (None, Some(h)) => why.push(format!(
            "liveness checks the port, not {h}: its handler reaches a dependency, and a database hiccup must not restart every pod"
        )),
        (None, None) => why.push("liveness checks the port".into()),
    }
    (startup, readiness, liveness, why)
}

/// The Deployment's pod as a StatefulSet of one: the same template with a volume claimed per
/// pod and mounted at `data`, updated in place, the claim kept when the set is deleted or
/// scaled down.
fn stateful(dep: &Deployment, name: &str, data: &str, web: bool) -> Yaml {
    use k8s_openapi::api::apps::v1::{
        StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec, StatefulSetUpdateStrategy,
    };
    let ds = dep.spec.clone().unwrap_or_default();
    let mut template = ds.template;
    if let Some(c) = template.spec.as_mut().and_then(|p| p.containers.first_mut()) {
        c.volume_mounts.get_or_insert_with(Vec::new).push(VolumeMount {
            name: s("data"),
            mount_path: s(data),
            ..Default::default()
        });
    }
    let set = StatefulSet {
        metadata: dep.metadata.clone(),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            selector: ds.selector,
            service_name: web.then(|| s(name)),
            template,
            revision_history_limit: ds.revision_history_limit,
            min_ready_seconds: ds.min_ready_seconds,
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some(s("RollingUpdate")),
                ..Default::default()
            }),
            persistent_volume_claim_retention_policy: Some(StatefulSetPersistentVolumeClaimRetentionPolicy {
                when_deleted: Some(s("Retain")),
                when_scaled: Some(s("Retain")),
            }),
            volume_claim_templates: Some(vec![data_claim()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut d = doc(&set);
    note(
        &mut d,
        &["spec", "replicas"],
        format!("One: {data} is a ReadWriteOnce volume with one writer, so it does not autoscale, and an update\nreplaces the pod in place (requests wait while it restarts). Move the data to a managed store\nto run several."),
    );
    note(
        &mut d,
        &["spec", "persistentVolumeClaimRetentionPolicy"],
        "The claim data-<name>-0 and its volume outlive the StatefulSet and a scale-down.",
    );
    d
}

/// The claim each pod of a StatefulSet gets: `data`, 5 Gi, ReadWriteOnce.
pub(crate) fn data_claim() -> k8s_openapi::api::core::v1::PersistentVolumeClaim {
    use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec, VolumeResourceRequirements};
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(s("data")),
            ..Default::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![s("ReadWriteOnce")]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(s("storage"), q("5Gi"))])),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A container's requests and limits, from the spec.
pub(crate) fn resources(spec: &DeploySpec) -> ResourceRequirements {
    let r = &spec.kube.resources;
    ResourceRequirements {
        requests: Some(BTreeMap::from([
            (s("cpu"), q(&r.cpu_request)),
            (s("memory"), q(&r.memory_request)),
            (s("ephemeral-storage"), q("128Mi")),
        ])),
        limits: Some(BTreeMap::from([
            (s("cpu"), q(&r.cpu_limit)),
            (s("memory"), q(&r.memory_limit)),
            (s("ephemeral-storage"), q("1Gi")),
        ])),
        ..Default::default()
    }
}

/// The Deployment of one service.
fn deployment(
    spec: &DeploySpec,
    svc: &ServiceSpec,
    name: &str,
    image: &str,
    user: (u32, u32),
    web: bool,
) -> Deployment {
    let k = &spec.kube;
    let component = if web { "web" } else { "worker" };
    let (startup, readiness, liveness, _) = probes(svc);
    let mut env = Vec::new();
    if let Some(port) = svc.port.filter(|_| web) {
        env.push(EnvVar {
            name: s("PORT"),
            value: Some(port.to_string()),
            ..Default::default()
        });
    }
    for e in svc.env.iter().filter(|e| e.secret) {
        env.push(EnvVar {
            name: e.name.clone(),
            value_from: Some(EnvVarSource {
                secret_key_ref: Some(SecretKeySelector {
                    name: format!("{name}-secrets"),
                    key: e.name.clone(),
                    optional: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    let mounts = writable_paths(svc);
    let container = Container {
        name: s("app"),
        image: Some(image.to_string()),
        image_pull_policy: Some(s("Always")),
        ports: web.then(|| {
            vec![ContainerPort {
                name: Some(s("http")),
                container_port: svc.port.unwrap_or(8080).into(),
                protocol: Some(s("TCP")),
                ..Default::default()
            }]
        }),
        env: (!env.is_empty()).then_some(env),
        env_from: Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource {
                name: format!("{name}-config"),
                optional: None,
            }),
            ..Default::default()
        }]),
        resources: Some(resources(spec)),
        startup_probe: web.then_some(startup),
        readiness_probe: web.then_some(readiness),
        liveness_probe: web.then_some(liveness),
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                sleep: Some(SleepAction {
                    seconds: PRE_STOP_SECONDS,
                }),
                ..Default::default()
            }),
            ..Default::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            privileged: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(user.0.into()),
            run_as_group: Some(user.1.into()),
            capabilities: Some(Capabilities {
                drop: Some(vec![s("ALL")]),
                ..Default::default()
            }),
            seccomp_profile: Some(SeccompProfile {
                type_: s("RuntimeDefault"),
                ..Default::default()
            }),
            ..Default::default()
        }),
        volume_mounts: Some(
            mounts
                .iter()
                .map(|(vol, path)| VolumeMount {
                    name: s(vol),
                    mount_path: path.clone(),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    };
    let selector = LabelSelector {
        match_labels: Some(selector_labels(name)),
        ..Default::default()
    };
    let spread = |key: &str, hard: bool| TopologySpreadConstraint {
        max_skew: 1,
        topology_key: s(key),
        when_unsatisfiable: s(if hard { "DoNotSchedule" } else { "ScheduleAnyway" }),
        label_selector: Some(selector.clone()),
        match_label_keys: Some(vec![s("pod-template-hash")]),
        ..Default::default()
    };
    let pod = PodSpec {
        service_account_name: Some(s(name)),
        automount_service_account_token: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(user.0.into()),
            run_as_group: Some(user.1.into()),
            fs_group: Some(user.1.into()),
            seccomp_profile: Some(SeccompProfile {
                type_: s("RuntimeDefault"),
                ..Default::default()
            }),
            ..Default::default()
        }),
        termination_grace_period_seconds: Some(GRACE_SECONDS),
        topology_spread_constraints: Some(vec![
            spread("topology.kubernetes.io/zone", false),
            spread("kubernetes.io/hostname", k.ha),
        ]),
        affinity: Some(Affinity {
            pod_anti_affinity: Some(PodAntiAffinity {
                preferred_during_scheduling_ignored_during_execution: Some(vec![WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(selector.clone()),
                        topology_key: s("kubernetes.io/hostname"),
                        ..Default::default()
                    },
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        containers: vec![container],
        volumes: Some(
            mounts
                .iter()
                .map(|(vol, _)| Volume {
                    name: s(vol),
                    empty_dir: Some(EmptyDirVolumeSource {
                        size_limit: Some(q("256Mi")),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    };
    Deployment {
        metadata: meta(name, spec, component),
        spec: Some(DeploymentSpec {
            replicas: (!k.autoscale).then_some(k.replicas as i32),
            revision_history_limit: Some(5),
            min_ready_seconds: Some(5),
            progress_deadline_seconds: Some(600),
            selector,
            strategy: Some(DeploymentStrategy {
                type_: Some(s("RollingUpdate")),
                rolling_update: Some(RollingUpdateDeployment {
                    max_unavailable: Some(IntOrString::Int(0)),
                    max_surge: Some(IntOrString::String(s("25%"))),
                }),
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(name, spec, component)),
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn service(spec: &DeploySpec, name: &str, port: u16) -> Service {
    Service {
        metadata: meta(name, spec, "web"),
        spec: Some(CoreServiceSpec {
            type_: Some(s("ClusterIP")),
            selector: Some(selector_labels(name)),
            ports: Some(vec![ServicePort {
                name: Some(s("http")),
                port: port.into(),
                target_port: Some(IntOrString::String(s("http"))),
                protocol: Some(s("TCP")),
                app_protocol: Some(s("http")),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn ingress(spec: &DeploySpec, name: &str, host: &str, port: u16) -> Ingress {
    let mut m = meta(name, spec, "web");
    m.annotations = Some(BTreeMap::from([(
        s("cert-manager.io/cluster-issuer"),
        spec.kube.tls_issuer.clone(),
    )]));
    Ingress {
        metadata: m,
        spec: Some(IngressSpec {
            ingress_class_name: Some(spec.kube.ingress_class.clone()),
            tls: Some(vec![IngressTLS {
                hosts: Some(vec![s(host)]),
                secret_name: Some(format!("{name}-tls")),
            }]),
            rules: Some(vec![IngressRule {
                host: Some(s(host)),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some(s("/")),
                        path_type: s("Prefix"),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: s(name),
                                port: Some(ServiceBackendPort {
                                    number: Some(port.into()),
                                    ..Default::default()
                                }),
                            }),
                            ..Default::default()
                        },
                    }],
                }),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The Gateway every exposed service of the project attaches to: HTTP for ACME and the
/// redirect, HTTPS with the certificate cert-manager issues.
fn gateway(spec: &DeploySpec, hosts: &[(String, String)]) -> crd::Resource<crd::GatewaySpec> {
    let mut m = meta(&gateway_name(spec), spec, "gateway");
    m.annotations = Some(BTreeMap::from([(
        s("cert-manager.io/cluster-issuer"),
        spec.kube.tls_issuer.clone(),
    )]));
    let mut listeners = Vec::new();
    for (name, host) in hosts {
        let suffix = if hosts.len() > 1 {
            format!("-{name}")
        } else {
            String::new()
        };
        listeners.push(crd::Listener {
            name: format!("http{suffix}"),
            hostname: host.clone(),
            port: 80,
            protocol: s("HTTP"),
            tls: None,
            allowed_routes: crd::AllowedRoutes {
                namespaces: crd::RouteNamespaces { from: s("Same") },
            },
        });
        listeners.push(crd::Listener {
            name: format!("https{suffix}"),
            hostname: host.clone(),
            port: 443,
            protocol: s("HTTPS"),
            tls: Some(crd::ListenerTls {
                mode: s("Terminate"),
                certificate_refs: vec![crd::CertificateRef {
                    kind: s("Secret"),
                    name: format!("{name}-tls"),
                }],
            }),
            allowed_routes: crd::AllowedRoutes {
                namespaces: crd::RouteNamespaces { from: s("Same") },
            },
        });
    }
    crd::Resource {
        api_version: s("gateway.networking.k8s.io/v1"),
        kind: s("Gateway"),
        metadata: m,
        spec: crd::GatewaySpec {
            gateway_class_name: spec.kube.ingress_class.clone(),
            listeners,
        },
    }
}

pub(crate) fn gateway_name(spec: &DeploySpec) -> String {
    format!("{}-gateway", name_of(&spec.kube.namespace))
}

fn http_routes(
    spec: &DeploySpec,
    name: &str,
    host: &str,
    port: u16,
    many: bool,
) -> Vec<crd::Resource<crd::HttpRouteSpec>> {
    let suffix = if many { format!("-{name}") } else { String::new() };
    let parent = |section: &str| crd::ParentRef {
        name: gateway_name(spec),
        namespace: None,
        section_name: Some(format!("{section}{suffix}")),
        kind: None,
        group: None,
        port: None,
    };
    let prefix = || crd::HttpRouteMatch {
        path: crd::PathMatch {
            kind: s("PathPrefix"),
            value: s("/"),
        },
    };
    vec![
        crd::Resource {
            api_version: s("gateway.networking.k8s.io/v1"),
            kind: s("HTTPRoute"),
            metadata: meta(name, spec, "web"),
            spec: crd::HttpRouteSpec {
                parent_refs: vec![parent("https")],
                hostnames: vec![s(host)],
                rules: vec![crd::HttpRouteRule {
                    matches: vec![prefix()],
                    filters: Vec::new(),
                    backend_refs: vec![crd::BackendRef {
                        name: s(name),
                        port,
                        weight: None,
                    }],
                }],
            },
        },
        crd::Resource {
            api_version: s("gateway.networking.k8s.io/v1"),
            kind: s("HTTPRoute"),
            metadata: meta(&format!("{name}-redirect"), spec, "web"),
            spec: crd::HttpRouteSpec {
                parent_refs: vec![parent("http")],
                hostnames: vec![s(host)],
                rules: vec![crd::HttpRouteRule {
                    matches: vec![prefix()],
                    filters: vec![crd::HttpRouteFilter {
                        kind: s("RequestRedirect"),
                        request_redirect: crd::RequestRedirect {
                            scheme: s("https"),
                            status_code: 301,
                        },
                    }],
                    backend_refs: Vec::new(),
                }],
            },
        },
    ]
}

fn hpa(spec: &DeploySpec, name: &str, component: &str) -> HorizontalPodAutoscaler {
    let sc = &spec.scaling;
    let min = if spec.kube.ha {
        sc.min_replicas.max(2)
    } else {
        sc.min_replicas
    };
    HorizontalPodAutoscaler {
        metadata: meta(name, spec, component),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some(s("apps/v1")),
                kind: s("Deployment"),
                name: s(name),
            },
            min_replicas: Some(min as i32),
            max_replicas: sc.max_replicas.max(min) as i32,
            metrics: Some(vec![MetricSpec {
                type_: s("ContainerResource"),
                container_resource: Some(ContainerResourceMetricSource {
                    container: s("app"),
                    name: s("cpu"),
                    target: MetricTarget {
                        type_: s("Utilization"),
                        average_utilization: Some(sc.cpu_percent as i32),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]),
            behavior: Some(HorizontalPodAutoscalerBehavior {
                scale_up: Some(HPAScalingRules {
                    stabilization_window_seconds: Some(30),
                    select_policy: Some(s("Max")),
                    policies: Some(vec![
                        HPAScalingPolicy {
                            type_: s("Percent"),
                            value: 100,
                            period_seconds: 30,
                        },
                        HPAScalingPolicy {
                            type_: s("Pods"),
                            value: 4,
                            period_seconds: 30,
                        },
                    ]),
                    ..Default::default()
                }),
                scale_down: Some(HPAScalingRules {
                    stabilization_window_seconds: Some(300),
                    select_policy: Some(s("Min")),
                    policies: Some(vec![HPAScalingPolicy {
                        type_: s("Percent"),
                        value: 50,
                        period_seconds: 60,
                    }]),
                    ..Default::default()
                }),
            }),
        }),
        ..Default::default()
    }
}

fn pdb(spec: &DeploySpec, name: &str, component: &str) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: meta(name, spec, component),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(selector_labels(name)),
                ..Default::default()
            }),
            unhealthy_pod_eviction_policy: Some(s("AlwaysAllow")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The namespace an ingress controller of this class usually runs in.
pub fn controller_namespace(class: &str, route: Route) -> &'static str {
    match (class, route) {
        ("traefik", _) => "traefik",
        ("haproxy", _) => "haproxy-controller",
        ("contour", _) => "projectcontour",
        ("kong", _) => "kong",
        ("nginx", _) => "nginx-ingress",
        ("istio", _) => "istio-system",
        ("cilium", _) | ("alb", _) | ("gce", _) => "kube-system",
        ("eg", _) | ("envoy-gateway", _) => "envoy-gateway-system",
        _ => "ingress",
    }
}

/// The port a backing service listens on.
fn backing_port(b: &str) -> Option<(u16, &'static str)> {
    match b {
        "postgres" => Some((5432, "PostgreSQL")),
        "mysql" => Some((3306, "MySQL")),
        "redis" => Some((6379, "Redis")),
        "mongodb" => Some((27017, "MongoDB")),
        "rabbitmq" => Some((5672, "RabbitMQ")),
        "kafka" => Some((9092, "Kafka")),
        "elasticsearch" => Some((9200, "Elasticsearch")),
        "memcached" => Some((11211, "Memcached")),
        _ => None,
    }
}

/// The namespace of a Prometheus inside the cluster, from its address
/// (`http://prometheus-operated.monitoring.svc:9090`); none for an address outside it.
pub fn prometheus_namespace(url: &str) -> Option<String> {
    let host = url.split("://").nth(1)?.split(['/', ':']).next()?;
    let labels: Vec<&str> = host.split('.').collect();
    match labels.as_slice() {
        [_, ns] => Some(ns.to_string()),
        [_, ns, "svc", ..] => Some(ns.to_string()),
        _ => None,
    }
}

fn network_policy(spec: &DeploySpec, svc: &ServiceSpec, name: &str, web: bool, exposed: bool) -> NetworkPolicy {
    let part_of = BTreeMap::from([(s("app.kubernetes.io/part-of"), spec.kube.namespace.clone())]);
    let ns = |n: &str| NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(s("kubernetes.io/metadata.name"), s(n))])),
            ..Default::default()
        }),
        ..Default::default()
    };
    let port = |p: IntOrString, proto: &str| NetworkPolicyPort {
        port: Some(p),
        protocol: Some(s(proto)),
        ..Default::default()
    };
    let mut ingress = Vec::new();
    if web {
        let mut from = vec![NetworkPolicyPeer {
            pod_selector: Some(LabelSelector {
                match_labels: Some(part_of.clone()),
                ..Default::default()
            }),
            ..Default::default()
        }];
        if exposed {
            from.push(ns(controller_namespace(&spec.kube.ingress_class, spec.kube.route)));
        }
        // Prometheus scrapes the pods when a rollout's check reads their metrics.
        if let Some(monitoring) = rollout::error_check(spec, svc)
            .filter(|_| rollout::strategy_for(spec, svc).is_some())
            .and_then(|(p, _)| prometheus_namespace(&p.url))
        {
            if monitoring != spec.kube.namespace {
                from.push(ns(&monitoring));
            }
        }
        ingress.push(NetworkPolicyIngressRule {
            from: Some(from),
            ports: Some(vec![port(IntOrString::String(s("http")), "TCP")]),
        });
    }
    let mut egress = vec![NetworkPolicyEgressRule {
        to: Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(s("kubernetes.io/metadata.name"), s("kube-system"))])),
                ..Default::default()
            }),
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(s("k8s-app"), s("kube-dns"))])),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ports: Some(vec![
            port(IntOrString::Int(53), "UDP"),
            port(IntOrString::Int(53), "TCP"),
        ]),
    }];
    // The mesh's proxy reaches its control plane for configuration and certificates; without
    // this rule it never becomes ready and the pod with it.
    let control_plane: Option<(&str, Vec<i32>)> = match spec.kube.mesh {
        Mesh::Istio => Some(("istio-system", vec![15012])),
        Mesh::Linkerd => Some(("linkerd", vec![8080, 8086, 8090])),
        Mesh::None => None,
    };
    if let Some((namespace, ports)) = control_plane {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![ns(namespace)]),
            ports: Some(ports.into_iter().map(|p| port(IntOrString::Int(p), "TCP")).collect()),
        });
    }
    if spec.is_monorepo() {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(part_of),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ports: None,
        });
    }
    let backing: Vec<NetworkPolicyPort> = svc
        .backing_services
        .iter()
        .filter_map(|b| backing_port(b))
        .map(|(p, _)| port(IntOrString::Int(p.into()), "TCP"))
        .collect();
    if !backing.is_empty() {
        // Managed databases and caches live outside the cluster, at addresses the manifests
        // cannot know: the rule opens their ports only.
        egress.push(NetworkPolicyEgressRule {
            to: None,
            ports: Some(backing),
        });
    }
    NetworkPolicy {
        metadata: meta(name, spec, if web { "web" } else { "worker" }),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector_labels(name)),
                ..Default::default()
            }),
            policy_types: Some(vec![s("Ingress"), s("Egress")]),
            ingress: Some(ingress),
            egress: Some(egress),
        }),
    }
}

/// The namespace `name`, with Pod Security "restricted" enforced, and the mesh's proxies
/// injected into its pods when the spec names a mesh.
fn namespace_doc(name: &str, part_of: &str, mesh: Mesh) -> Yaml {
    let mut labels = BTreeMap::from([
        (s("app.kubernetes.io/part-of"), s(part_of)),
        (s("pod-security.kubernetes.io/audit"), s("restricted")),
        (s("pod-security.kubernetes.io/enforce"), s("restricted")),
        (s("pod-security.kubernetes.io/warn"), s("restricted")),
    ]);
    let mut annotations = BTreeMap::new();
    match mesh {
        Mesh::Istio => {
            labels.insert(s("istio-injection"), s("enabled"));
        }
        Mesh::Linkerd => {
            annotations.insert(s("linkerd.io/inject"), s("enabled"));
        }
        Mesh::None => {}
    }
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(s(name)),
            labels: Some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut d = doc(&namespace);
    let words = match mesh {
        Mesh::None => "",
        Mesh::Istio => "\nistio-injection: every pod gets Istio's proxy. Under \"restricted\" that takes Istio's CNI\nnode agent (istio-cni), which sets up the redirect instead of a privileged init\ncontainer.",
        Mesh::Linkerd => "\nlinkerd.io/inject (an annotation): every pod gets Linkerd's proxy. Under \"restricted\"\nthat takes the linkerd-cni plugin, which sets up the redirect instead of a privileged init\ncontainer.",
    };
    note(
        &mut d,
        &["metadata", "labels"],
        format!("Pod Security \"restricted\": the API server refuses pods that run as root, escalate\nprivileges or keep Linux capabilities.{words}"),
    );
    d
}

/// Keys and values, for labels and annotations.
pub(crate) type Pairs = Vec<(String, String)>;

/// The labels and annotations that keep a one-shot pod (a check that must exit) out of the
/// mesh: an injected proxy would keep running and the pod would never finish.
pub(crate) fn outside_mesh(mesh: Mesh) -> (Pairs, Pairs) {
    match mesh {
        Mesh::Istio => (vec![(s("sidecar.istio.io/inject"), s("false"))], Vec::new()),
        Mesh::Linkerd => (Vec::new(), vec![(s("linkerd.io/inject"), s("disabled"))]),
        Mesh::None => (Vec::new(), Vec::new()),
    }
}

/// The image reference a manifest runs: the registry and name the pipeline pushes, with a tag
/// the deploy sets.
pub fn image_for(spec: &DeploySpec, svc: &ServiceSpec, remote: Option<&str>) -> String {
    let suffix = if svc.image_name.is_empty() {
        String::new()
    } else {
        format!("/{}", name_of(&svc.image_name))
    };
    let repo = remote
        .and_then(|url| {
            let url = url.trim_end_matches('/').trim_end_matches(".git");
            let tail = url.rsplit_once(':').map(|(_, t)| t).unwrap_or(url);
            let parts: Vec<&str> = tail.rsplit('/').take(2).collect();
            (parts.len() == 2).then(|| format!("{}/{}", parts[1], parts[0]).to_ascii_lowercase())
        })
        .unwrap_or_else(|| format!("OWNER/{}", name_of(&spec.kube.namespace)));
    let base = match (&spec.image, spec.registry) {
        (Some(image), _) => format!("{image}{suffix}"),
        (None, crate::params::Registry::Ghcr) => format!("ghcr.io/{repo}{suffix}"),
        (None, crate::params::Registry::Gitlab) => format!("registry.gitlab.com/{repo}{suffix}"),
        (None, crate::params::Registry::Dockerhub) => format!("docker.io/{repo}{suffix}"),
        (None, crate::params::Registry::Ecr) => {
            format!(
                "ACCOUNT.dkr.ecr.REGION.amazonaws.com/{}{suffix}",
                repo.rsplit('/').next().unwrap_or("app")
            )
        }
        (None, crate::params::Registry::Gar) => format!(
            "REGION-docker.pkg.dev/PROJECT/REPOSITORY/{}{suffix}",
            repo.rsplit('/').next().unwrap_or("app")
        ),
        (None, crate::params::Registry::Acr) => {
            format!(
                "REGISTRY.azurecr.io/{}{suffix}",
                repo.rsplit('/').next().unwrap_or("app")
            )
        }
    };
    format!("{base}:set-by-pipeline")
}

pub(crate) fn doc<T: Serialize>(value: &T) -> Yaml {
    let mut y = to_yaml(value)
        .expect("Kubernetes objects serialise: their maps have string keys and their numbers are integers");
    tidy(&mut y, true);
    y
}

/// `k8s-openapi` writes fields in alphabetical order; people read manifests with the object's
/// identity first: `apiVersion`, `kind`, `metadata`, then `spec`, and in any mapping its
/// `name` (then a container's `image`) before the rest.
fn tidy(y: &mut Yaml, top: bool) {
    match y {
        Yaml::Map(entries) => {
            let rank = |k: &str| match (top, k) {
                (true, "apiVersion") => 0,
                (true, "kind") => 1,
                (true, "metadata") => 2,
                (_, "name") => 3,
                (_, "image") => 4,
                _ => 5,
            };
            entries.sort_by_key(|e| rank(&e.key));
            for e in entries.iter_mut() {
                tidy(&mut e.value, false);
            }
        }
        Yaml::Seq(items) => items.iter_mut().for_each(|i| tidy(i, false)),
        _ => {}
    }
}

/// Puts `note` above the key at `path` (keys; a number indexes a sequence).
fn note(doc: &mut Yaml, path: &[&str], note: impl Into<String>) {
    let mut at = doc;
    let (last, parents) = match path.split_last() {
        Some(p) => p,
        None => return,
    };
    for key in parents {
        let next = match at {
            Yaml::Map(entries) => entries.iter_mut().find(|e| e.key == *key).map(|e| &mut e.value),
            Yaml::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        };
        match next {
            Some(n) => at = n,
            None => return,
        }
    }
    if let Yaml::Map(entries) = at {
        if let Some(e) = entries.iter_mut().find(|e| e.key == *last) {
            e.note = Some(note.into());
        }
    }
}

impl Manifest {
    /// The plain file: a skeleton (`.yaml.example`) says it is not applied.
    fn write(&self) -> Artifact {
        if self.path.ends_with(".example") {
            return self.skeleton(
                self.path.clone(),
                "Written by Slipway. Not applied by kubectl apply -f k8s/ (its name does not end in .yaml).",
            );
        }
        if self.path.starts_with("k8s/backing/") {
            return file_under(
                "Written by Slipway. For development clusters only: kubectl apply -f k8s/backing/\n(docs/kubernetes.md). Neither kubectl apply -f k8s/ nor the pipeline applies it.",
                self.path.clone(),
                &self.docs,
                self.purpose.clone(),
            );
        }
        if self.path.contains("/checks/") {
            // Below the folder kubectl applies: the pipeline runs it when it checks a slot.
            return file_under(
                "Written by Slipway. Not applied with the folder: the deploy runs this check before it switches\ntraffic (docs/kubernetes.md).",
                self.path.clone(),
                &self.docs,
                self.purpose.clone(),
            );
        }
        file(self.path.clone(), &self.docs, self.purpose.clone())
    }

    /// A skeleton of names without values at `path`, under `header`.
    pub(crate) fn skeleton(&self, path: String, header: &str) -> Artifact {
        Artifact {
            path,
            content: yaml::to_string(&self.docs[0], header),
            purpose: self.purpose.clone(),
            step: "kubernetes".into(),
        }
    }
}

fn file(path: String, docs: &[Yaml], purpose: impl Into<String>) -> Artifact {
    file_under(HEADER, path, docs, purpose)
}

/// The file of `docs`, the first under `header`.
fn file_under(header: &str, path: String, docs: &[Yaml], purpose: impl Into<String>) -> Artifact {
    let mut content = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            content.push_str("---\n");
        }
        content.push_str(&yaml::to_string(d, if i == 0 { header } else { "" }));
    }
    Artifact {
        path,
        content,
        purpose: purpose.into(),
        step: "kubernetes".into(),
    }
}

/// The host a service is exposed on: the spec's host for the one exposed service; with
/// several web services, the frontend (a static site or one named web, frontend, site or
/// app) gets the host and the others a subdomain of it.
pub fn hosts(spec: &DeploySpec) -> Vec<(String, String)> {
    let Some(host) = &spec.host else {
        return Vec::new();
    };
    let web: Vec<&ServiceSpec> = spec.services.iter().filter(|s| s.kind != "worker").collect();
    if web.len() == 1 {
        return vec![(name_of(&web[0].name), host.clone())];
    }
    let front = web
        .iter()
        .position(|s| s.kind == "static" || ["web", "frontend", "site", "app", "www"].contains(&s.name.as_str()));
    web.iter()
        .enumerate()
        .map(|(i, s)| {
            let name = name_of(&s.name);
            let h = if Some(i) == front {
                host.clone()
            } else {
                format!("{name}.{}", host.trim_start_matches("*."))
            };
            (name, h)
        })
        .collect()
}

/// The manifests for every service of `spec`, each in the file its kind names (`k8s/` for one
/// service, `k8s/<service>/` for several), the namespace and cluster issuer beside them, the
/// secret skeletons as `.yaml.example` (so `kubectl apply -f k8s/` never applies empty
/// values), and the runbook. `images` gives each service's numeric user; `remote` the git
/// remote's URL for the image name.
pub fn generate(spec: &DeploySpec, images: &[ImageFacts], remote: Option<&str>) -> Result<Generated, String> {
    if !spec.errors.is_empty() {
        return Err(spec.errors.join("; "));
    }
    let k = &spec.kube;
    let mut artifacts;
    let mut topology = Vec::new();
    let many = spec.is_monorepo();
    let exposed = hosts(spec);

    let mut manifests: Vec<Manifest> = Vec::new();
    let ns_doc = namespace_doc(&k.namespace, &k.namespace, k.mesh);
    manifests.push(Manifest {
        path: s("k8s/namespace.yaml"),
        docs: vec![ns_doc],
        purpose: format!(
            "the {} namespace, with the restricted Pod Security level enforced",
            k.namespace
        ),
        owner: None,
    });

    for svc in &spec.services {
        let name = name_of(&svc.name);
        let web = serves(svc);
        let component = if web { "web" } else { "worker" };
        let dir = if many { format!("k8s/{name}") } else { s("k8s") };
        let user = images
            .iter()
            .find(|i| i.service == svc.name)
            .and_then(|i| i.user)
            .unwrap_or((10001, 10001));
        let image = image_for(spec, svc, remote);
        let (_, _, _, probe_why) = probes(svc);

        let progressive = rollout::strategy_for(spec, svc);
        // What owns the pods, and so what the autoscalers scale.
        // A service that keeps data runs as one StatefulSet pod with its own volume.
        let owns_volume = svc.data_path.is_some();
        let (owner_api, owner_kind) = if progressive.is_some() {
            ("argoproj.io/v1alpha1", "Rollout")
        } else if owns_volume {
            ("apps/v1", "StatefulSet")
        } else {
            ("apps/v1", "Deployment")
        };
        let slots = rollout::plain_blue_green(spec, svc);
        // With a plain blue-green the autoscaler follows the serving slot; the pipeline moves it.
        let owner_name = if slots {
            format!("{name}-{}", rollout::SLOTS[0])
        } else {
            name.clone()
        };
        let mut dep = deployment(spec, svc, &name, &image, user, web);
        if progressive.is_some() {
            if let Some(ds) = dep.spec.as_mut() {
                ds.replicas = Some(0);
            }
        }
        // Plain blue-green: the same pod twice, as the blue and the green slot.
        let deps: Vec<(String, Deployment)> = if slots {
            rollout::SLOTS
                .iter()
                .map(|slot| {
                    (
                        format!("{dir}/deployment-{slot}.yaml"),
                        rollout::slot_deployment(&dep, &name, slot),
                    )
                })
                .collect()
        } else {
            vec![(format!("{dir}/deployment.yaml"), dep)]
        };
        let mut files = Vec::new();
        for (path, dep) in deps {
            let deployed = dep.metadata.name.clone().unwrap_or_else(|| name.clone());
            let (path, mut d) = match &svc.data_path {
                Some(data) => (
                    format!("{dir}/{}", workload_of(svc).1),
                    stateful(&dep, &name, data, web),
                ),
                None => (path, doc(&dep)),
            };
            if progressive.is_some() {
                note(
                    &mut d,
                    &["spec", "replicas"],
                    format!(
                        "0: the Rollout {name} (rollout.yaml) runs this template's pods; scale, promote and roll back
the Rollout, not this."
                    ),
                );
            } else if k.autoscale && !slots {
                note(
                &mut d,
                &["spec", "revisionHistoryLimit"],
                format!(
                    "No replicas field: the HorizontalPodAutoscaler owns the count ({} to {}); a count here\nwould reset it on every apply.",
                    if k.ha { spec.scaling.min_replicas.max(2) } else { spec.scaling.min_replicas },
                    spec.scaling.max_replicas.max(spec.scaling.min_replicas)
                ),
            );
            }
            note(
                &mut d,
                &["spec", "strategy"],
                if progressive.is_some() {
                    "Unused while the Rollout owns the pods; it applies again if the Rollout is removed."
                } else {
                    "Zero downtime: a new pod must be ready before an old one stops (maxUnavailable 0)."
                },
            );
            let pod = ["spec", "template", "spec"];
            let c = ["spec", "template", "spec", "containers", "0"];
            note(
            &mut d,
            &[&pod[..], &["terminationGracePeriodSeconds"]].concat(),
            format!(
                "preStop pauses {PRE_STOP_SECONDS} s so endpoints drop the pod before SIGTERM; the app then has the rest of\n{GRACE_SECONDS} s to finish its requests."
            ),
        );
            note(
                &mut d,
                &[&c[..], &["image"]].concat(),
                if slots {
                    s("The pipeline pins the idle slot to the pushed image's digest, checks it and switches the\nService to it; the serving slot's file is never applied over it. By hand: docs/kubernetes.md.")
                } else {
                    format!(
                    "The pipeline's deploy pins this to the pushed image's digest. By hand:\nkubectl -n {} set image deployment/{deployed} app={}@sha256:<digest>",
                    k.namespace,
                    image.trim_end_matches(":set-by-pipeline")
                )
                },
            );
            note(
            &mut d,
            &[&c[..], &["resources"]].concat(),
            "The CPU limit is generous on purpose: a tight one throttles latency. Memory's limit is\nwhat the runtime must fit in.",
        );
            if web {
                note(&mut d, &[&c[..], &["livenessProbe"]].concat(), probe_why.join(";\n"));
            }
            note(
                &mut d,
                &[&c[..], &["securityContext"]].concat(),
                format!(
                    "Runs as {}:{} like the image, read-only, no privileges; emptyDir volumes hold what it writes.",
                    user.0, user.1
                ),
            );
            if !svc.env.iter().any(|e| e.secret) {
            } else {
                note(
                    &mut d,
                    &[&c[..], &["env"]].concat(),
                    format!("Secrets come from the Secret {name}-secrets, created outside git (docs/kubernetes.md)."),
                );
            }
            if slots {
                note(
                    &mut d,
                    &["spec", "revisionHistoryLimit"],
                    rollout::slot_note(&name, &deployed, k.autoscale),
                );
            }
            let purpose = if owns_volume {
                format!(
                    "the {name} StatefulSet: one pod with its own volume at {}, probes, resources, a locked-down pod",
                    svc.data_path.clone().unwrap_or_default()
                )
            } else if slots {
                format!("{deployed}, one slot of {name}'s blue-green: the same pod as the other, with its own version")
            } else {
                format!("the {name} Deployment: probes, resources, a locked-down pod and zero-downtime rollouts")
            };
            files.push((path, vec![d], purpose));
        }

        let mut sa = ServiceAccount {
            metadata: meta(&name, spec, component),
            automount_service_account_token: Some(false),
            ..Default::default()
        };
        sa.secrets = None;
        files.push((
            format!("{dir}/serviceaccount.yaml"),
            vec![doc(&sa)],
            format!("{name}'s own identity, with no API token mounted"),
        ));

        let plain: Vec<&str> = svc.env.iter().filter(|e| !e.secret).map(|e| e.name.as_str()).collect();
        let cm = ConfigMap {
            metadata: meta(&format!("{name}-config"), spec, component),
            data: Some(BTreeMap::new()),
            ..Default::default()
        };
        let mut cm_doc = doc(&cm);
        note(
            &mut cm_doc,
            &["data"],
            if plain.is_empty() {
                "Settings that are not secret, as KEY: value; the pods read them as environment variables.".to_string()
            } else {
                format!(
                    "Settings that are not secret, as KEY: value. The code also reads {}: set them here.",
                    plain.join(", ")
                )
            },
        );
        files.push((
            format!("{dir}/configmap.yaml"),
            vec![cm_doc],
            format!("{name}'s settings that are not secret"),
        ));

        let secrets: Vec<&str> = svc.env.iter().filter(|e| e.secret).map(|e| e.name.as_str()).collect();
        if let (false, Some(store)) = (secrets.is_empty(), &k.secret_store) {
            // The External Secrets Operator writes the Secret from the store; git holds only
            // where each value lives.
            let key = remote_key(&k.namespace, &name);
            let es = crd::Resource {
                api_version: s("external-secrets.io/v1"),
                kind: s("ExternalSecret"),
                metadata: meta(&format!("{name}-secrets"), spec, component),
                spec: crd::ExternalSecretSpec {
                    refresh_interval: s("1h"),
                    secret_store_ref: crd::StoreRef {
                        kind: s("ClusterSecretStore"),
                        name: store.clone(),
                    },
                    target: crd::SecretTarget {
                        name: format!("{name}-secrets"),
                        creation_policy: s("Owner"),
                    },
                    data: secrets
                        .iter()
                        .map(|n| crd::SecretData {
                            secret_key: s(n),
                            remote_ref: crd::RemoteRef {
                                key: key.clone(),
                                property: s(n),
                            },
                        })
                        .collect(),
                },
            };
            let mut ed = doc(&es);
            note(
                &mut ed,
                &["spec", "data"],
                format!(
                    "Each value lives in the store behind the ClusterSecretStore {store:?}, under the\nkey {key:?}; the operator writes the Secret and rereads it every hour."
                ),
            );
            files.push((
                format!("{dir}/externalsecret.yaml"),
                vec![ed],
                format!("where {name}'s secrets are read from, without their values"),
            ));
        } else if !secrets.is_empty() {
            let secret = Secret {
                metadata: meta(&format!("{name}-secrets"), spec, component),
                type_: Some(s("Opaque")),
                string_data: Some(secrets.iter().map(|n| (s(n), String::new())).collect()),
                ..Default::default()
            };
            let mut sd = doc(&secret);
            note(
                &mut sd,
                &["stringData"],
                "A skeleton: never commit values. Create the Secret with the kubectl line in\ndocs/kubernetes.md, or fill a copy outside git and apply that.",
            );
            manifests.push(Manifest {
                path: format!("{dir}/secret.yaml.example"),
                docs: vec![sd],
                purpose: format!("the names of the secrets {name} reads, without values"),
                owner: Some(name.clone()),
            });
        }

        let host = exposed.iter().find(|(n, _)| *n == name).map(|(_, h)| h.clone());
        let port = svc.port.unwrap_or(8080);
        let mut entry = None;
        if web {
            let stable = service(spec, &name, port);
            let mut docs = vec![doc(&stable)];
            if let Some(strategy) = progressive {
                let mut other = doc(&rollout::second_service(&stable, &name, strategy));
                note(
                    &mut other,
                    &["spec", "selector"],
                    "The same pods as the stable Service; Argo Rollouts adds the new version's pod-template hash
here while a rollout runs, so this reaches only the new pods.",
                );
                docs.push(other);
                files.push((
                    format!("{dir}/rollout.yaml"),
                    vec![rollout::rollout(spec, svc, &name, strategy)],
                    rollout::words(spec, strategy),
                ));
                if strategy == crate::params::Strategy::Canary {
                    for (file_name, docs, purpose) in rollout::mesh_objects(spec, &name, port) {
                        files.push((format!("{dir}/{file_name}"), docs, purpose));
                    }
                }
                let path = svc.health_path.clone().unwrap_or_else(|| s("/"));
                let errors = rollout::error_check(spec, svc);
                let mut templates = vec![rollout::analysis_template(spec, &name, port, &path, errors.is_some())];
                if let Some((prometheus, metric)) = errors {
                    templates.push(rollout::errors_template(spec, &name, strategy, prometheus, metric));
                    let metrics_path = svc.metrics.as_ref().map_or("/metrics", |m| m.path.as_str());
                    files.push((
                        format!("{dir}/podmonitor.yaml"),
                        vec![rollout::pod_monitor(spec, &name, metrics_path, prometheus)],
                        format!(
                            "Prometheus scrapes {name}'s pods at {metrics_path}, so each rollout can read the new pods' error rate"
                        ),
                    ));
                }
                files.push((
                    format!("{dir}/analysistemplate.yaml"),
                    templates,
                    if errors.is_some() {
                        format!(
                            "the checks each rollout of {name} runs: {path} from inside the namespace, and the new pods' error rate in Prometheus"
                        )
                    } else {
                        format!("the check each rollout of {name} runs: {path} from inside the namespace")
                    },
                ));
            }
            if slots {
                // Each Service selects one slot; the pipeline switches them once the idle slot
                // has passed its check.
                let (serving, preview) = rollout::slot_services(&stable, &name);
                let mut sd = doc(&serving);
                note(
                    &mut sd,
                    &["spec", "selector"],
                    format!(
                        "The slot that serves: the pipeline switches this to the other slot once its new pods\nhave passed the check through {name}-preview, and rewrites it to the serving slot\nbefore every apply."
                    ),
                );
                docs = vec![sd];
                let mut pd = doc(&preview);
                note(
                    &mut pd,
                    &["spec", "selector"],
                    "The idle slot, where the next version starts: its check asks the health path through\nthis Service before any user request reaches it.",
                );
                files.push((
                    format!("{dir}/service-preview.yaml"),
                    vec![pd],
                    format!("{name}-preview: the idle slot's address, which the pipeline checks before switching"),
                ));
                let path = svc.health_path.clone().unwrap_or_else(|| s("/"));
                files.push((
                    format!("{dir}/checks/smoke-job.yaml"),
                    vec![rollout::smoke_job(spec, &name, port, &path)],
                    format!(
                        "the check the pipeline runs on the idle slot before switching: {path} through {name}-preview"
                    ),
                ));
            }
            files.push((
                format!("{dir}/service.yaml"),
                docs,
                format!("{name}'s stable address in the cluster, port {port}"),
            ));
            if let Some(h) = &host {
                match k.route {
                    Route::Ingress => {
                        let mut ing = doc(&ingress(spec, &name, h, port));
                        note(
                            &mut ing,
                            &["spec", "ingressClassName"],
                            "The controller that serves it: a class-less Ingress is ignored by most controllers.",
                        );
                        files.push((
                            format!("{dir}/ingress.yaml"),
                            vec![ing],
                            format!(
                                "https://{h} through the {} ingress controller, with a certificate from cert-manager",
                                k.ingress_class
                            ),
                        ));
                        entry = Some(format!("Ingress ({})", k.ingress_class));
                    }
                    Route::Gateway => {
                        let mut routes = http_routes(spec, &name, h, port, exposed.len() > 1);
                        if progressive == Some(crate::params::Strategy::Canary) {
                            // The plugin moves the weights; until it does, the stable pods get
                            // every request (a backend without a weight would get half).
                            let backends = &mut routes[0].spec.rules[0].backend_refs;
                            backends[0].weight = Some(100);
                            backends.push(crd::BackendRef {
                                name: rollout::second_service_name(&name, crate::params::Strategy::Canary),
                                port,
                                weight: Some(0),
                            });
                        }
                        let routes: Vec<Yaml> = routes.iter().map(doc).collect();
                        files.push((
                            format!("{dir}/httproute.yaml"),
                            routes,
                            format!("https://{h} through the Gateway, and a redirect from http"),
                        ));
                        entry = Some(format!("HTTPRoute on Gateway {}", gateway_name(spec)));
                    }
                }
            }
        }
        let replicas = if owns_volume {
            s("1 (it owns its volume)")
        } else if k.autoscale {
            let min = if k.ha {
                spec.scaling.min_replicas.max(2)
            } else {
                spec.scaling.min_replicas
            };
            let mut autoscaler = hpa(spec, &name, component);
            if let Some(hs) = autoscaler.spec.as_mut() {
                hs.scale_target_ref.api_version = Some(s(owner_api));
                hs.scale_target_ref.kind = s(owner_kind);
                hs.scale_target_ref.name = owner_name.clone();
            }
            let mut h = doc(&autoscaler);
            note(
                &mut h,
                &["spec", "behavior"],
                "Up fast (30 s window, doubling or +4 pods), down slowly (5 min window, at most half a minute).",
            );
            files.push((
                format!("{dir}/hpa.yaml"),
                vec![h],
                format!(
                    "{min} to {} replicas at {}% of the CPU request",
                    spec.scaling.max_replicas.max(min),
                    spec.scaling.cpu_percent
                ),
            ));
            format!(
                "{min} to {} at {}% CPU",
                spec.scaling.max_replicas.max(min),
                spec.scaling.cpu_percent
            )
        } else {
            format!("{}", k.replicas)
        };
        // With maxUnavailable 1 a budget never blocks a drain, even over one pod; it keeps an
        // autoscaled or replicated workload from losing more than one pod at a time.
        if (k.autoscale || k.replicas >= 2) && !owns_volume {
            let mut p = doc(&pdb(spec, &name, component));
            note(
                &mut p,
                &["spec", "unhealthyPodEvictionPolicy"],
                "Pods that are not ready may always be evicted, so a crash-looping pod never blocks a node drain.",
            );
            files.push((
                format!("{dir}/pdb.yaml"),
                vec![p],
                format!("node drains take {name}'s pods one at a time"),
            ));
        }
        if k.vpa {
            let vpa = crd::Resource {
                api_version: s("autoscaling.k8s.io/v1"),
                kind: s("VerticalPodAutoscaler"),
                metadata: meta(&name, spec, component),
                spec: crd::VpaSpec {
                    target_ref: crd::TargetRef {
                        api_version: s(owner_api),
                        kind: s(owner_kind),
                        name: owner_name.clone(),
                    },
                    update_policy: crd::UpdatePolicy { update_mode: s("Off") },
                    resource_policy: crd::ResourcePolicy {
                        container_policies: vec![crd::ContainerPolicy {
                            container_name: s("app"),
                            controlled_resources: vec![s("cpu"), s("memory")],
                            min_allowed: BTreeMap::from([(s("cpu"), s("50m")), (s("memory"), s("64Mi"))]),
                            max_allowed: BTreeMap::from([(s("cpu"), s("4")), (s("memory"), s("4Gi"))]),
                        }],
                    },
                },
            };
            let mut v = doc(&vpa);
            note(
                &mut v,
                &["spec", "updatePolicy"],
                "Off: recommendations only (kubectl describe vpa). It never evicts pods, and never fights the\nCPU autoscaler.",
            );
            files.push((
                format!("{dir}/vpa.yaml"),
                vec![v],
                format!("resource recommendations for {name}"),
            ));
        }
        let mut np = doc(&network_policy(spec, svc, &name, web, host.is_some()));
        note(
            &mut np,
            &["spec", "egress"],
            "DNS first: without it every name lookup fails under this policy.",
        );
        files.push((
            format!("{dir}/networkpolicy.yaml"),
            vec![np],
            format!("who may reach {name}, and what it may reach"),
        ));
        for (path, docs, purpose) in files {
            manifests.push(Manifest {
                path,
                docs,
                purpose,
                owner: Some(name.clone()),
            });
        }
        topology.push(Topology {
            name: name.clone(),
            workload: if slots {
                s("Deployments (blue, green)")
            } else {
                s(owner_kind)
            },
            host,
            entry,
            port: web.then_some(port),
            replicas,
            rollout: match progressive {
                Some(strategy) if rollout::error_check(spec, svc).is_some() => format!(
                    "{}; the new pods' error rate watched in Prometheus",
                    rollout::words(spec, strategy)
                ),
                Some(strategy) => rollout::words(spec, strategy),
                None if slots => rollout::SLOT_WORDS.into(),
                None if owns_volume => {
                    "one pod, replaced in place: requests wait while it restarts (its volume has one writer)".into()
                }
                None => "rolling: one extra pod at a time (25% surge), none taken down before its replacement is ready"
                    .into(),
            },
        });
    }

    if !exposed.is_empty() {
        if k.route == Route::Gateway {
            manifests.push(Manifest {
                path: s("k8s/gateway.yaml"),
                docs: vec![doc(&gateway(spec, &exposed))],
                purpose: format!("the Gateway ({} class) with HTTP and HTTPS listeners", k.ingress_class),
                owner: None,
            });
        }
        let solver = match k.route {
            Route::Ingress => crd::Http01 {
                ingress: Some(crd::IngressSolver {
                    ingress_class_name: k.ingress_class.clone(),
                }),
                gateway_http_route: None,
            },
            Route::Gateway => crd::Http01 {
                ingress: None,
                gateway_http_route: Some(crd::GatewaySolver {
                    parent_refs: exposed
                        .iter()
                        .map(|(n, _)| crd::ParentRef {
                            // No namespace: the challenge's route attaches to the Gateway in the
                            // certificate's own namespace, whichever environment that is.
                            name: gateway_name(spec),
                            namespace: None,
                            section_name: Some(if exposed.len() > 1 {
                                format!("http-{n}")
                            } else {
                                s("http")
                            }),
                            kind: Some(s("Gateway")),
                            group: None,
                            port: None,
                        })
                        .collect(),
                }),
            },
        };
        let issuer = crd::Resource {
            api_version: s("cert-manager.io/v1"),
            kind: s("ClusterIssuer"),
            metadata: ObjectMeta {
                name: Some(k.tls_issuer.clone()),
                ..Default::default()
            },
            spec: crd::IssuerSpec {
                acme: crd::Acme {
                    server: s("https://acme-v02.api.letsencrypt.org/directory"),
                    email: k.acme_email.clone(),
                    private_key_secret_ref: crd::SecretRef {
                        name: format!("{}-account-key", k.tls_issuer),
                    },
                    solvers: vec![crd::Solver { http01: solver }],
                },
            },
        };
        let mut i = doc(&issuer);
        note(
            &mut i,
            &["spec", "acme", "server"],
            "Let's Encrypt over ACME HTTP-01. Cluster-wide: skip this file if your cluster has an issuer\nof this name already.",
        );
        manifests.push(Manifest {
            path: s("k8s/cluster-issuer.yaml"),
            docs: vec![i],
            purpose: s("the cert-manager ClusterIssuer that gets the certificates from Let's Encrypt"),
            owner: None,
        });
    }
    let mut rendered = Vec::new();
    match k.packaging {
        crate::params::Packaging::Helm => {
            let (files, objects) =
                helm::package(spec, manifests, &topology, |n| namespace_doc(n, &k.namespace, k.mesh));
            artifacts = files;
            rendered = objects;
        }
        packaging => {
            artifacts = manifests.iter().map(Manifest::write).collect();
            if packaging == crate::params::Packaging::Kustomize {
                artifacts = kustomize::package(spec, artifacts, &topology, |n| namespace_doc(n, &k.namespace, k.mesh));
            }
        }
    }
    // Development databases beside the chart or the overlays, never inside them.
    for (path, docs, purpose) in backing::files(spec) {
        artifacts.push(
            Manifest {
                path,
                docs,
                purpose,
                owner: None,
            }
            .write(),
        );
    }
    if k.gitops != crate::params::GitOps::None {
        // Each environment's image pin: the file the pipeline rewrites with the tested digest
        // (with plain manifests, the Deployment's own image line).
        for svc in &spec.services {
            let image = image_for(spec, svc, remote);
            for env in gitops::environments(spec) {
                let path = gitops::pin_file(spec, svc, &env);
                let content = match k.packaging {
                    crate::params::Packaging::Kustomize => gitops::kustomize_pin(&env, &image),
                    crate::params::Packaging::Helm => gitops::helm_pin(
                        &env,
                        image.trim_end_matches(":set-by-pipeline"),
                        "",
                        &helm::values_key(spec, &name_of(&svc.name)),
                    ),
                    crate::params::Packaging::Manifests => continue,
                };
                artifacts.push(Artifact {
                    path,
                    content,
                    purpose: format!(
                        "the image {} runs in {env}, which the pipeline pins by digest",
                        name_of(&svc.name)
                    ),
                    step: "kubernetes".into(),
                });
            }
        }
        artifacts.extend(gitops::generate(spec, remote));
    }
    artifacts.push(Artifact {
        path: s("docs/kubernetes.md"),
        content: runbook(spec, &topology),
        purpose: "what the cluster needs, the secrets to create, how to apply, watch and roll back".into(),
        step: "kubernetes".into(),
    });
    let requirements = cluster_secrets(spec);
    Ok(Generated {
        artifacts,
        topology,
        requirements,
        rendered,
    })
}

/// Where a service's secrets live in an external store: `<namespace>/<deployment>`, so each
/// environment's namespace reads its own entries.
pub fn remote_key(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// The namespaces before production that Kustomize overlays and Helm releases add, with their
/// environments; none for plain manifests.
fn staged(spec: &DeploySpec) -> Vec<(String, String)> {
    if spec.kube.packaging != crate::params::Packaging::Manifests {
        kustomize::staged_namespaces(spec)
    } else {
        Vec::new()
    }
}

/// The keys of each service's Secret, where they go and how, for the app's checklist: the same
/// names the Deployments read and the runbook's `kubectl create secret` lines carry.
pub fn cluster_secrets(spec: &DeploySpec) -> Vec<crate::pipeline::Requirement> {
    let ns = &spec.kube.namespace;
    let staged = staged(spec);
    let place_ns = match staged.as_slice() {
        [] => format!("namespace {ns}"),
        more => {
            let others: Vec<&str> = more.iter().map(|(_, n)| n.as_str()).collect();
            let (last, rest) = others.split_last().unwrap_or((&"", &[]));
            let rest: String = rest.iter().map(|n| format!(", {n}")).collect();
            format!("namespaces {ns}{rest} and {last}")
        }
    };
    let mut out = Vec::new();
    for svc in &spec.services {
        let name = name_of(&svc.name);
        for e in svc.env.iter().filter(|e| e.secret) {
            out.push(match &spec.kube.secret_store {
                Some(store) => crate::pipeline::Requirement {
                    name: e.name.clone(),
                    secret: true,
                    place: format!(
                        "the store behind ClusterSecretStore {store}, key {}{}, property {}",
                        remote_key(ns, &name),
                        staged
                            .iter()
                            .map(|(env, n)| format!(" ({env}: {})", remote_key(n, &name)))
                            .collect::<String>(),
                        e.name
                    ),
                    why: format!(
                        "{} reads it from the Secret {name}-secrets, which the External Secrets Operator writes from the store",
                        svc.name
                    ),
                },
                None => crate::pipeline::Requirement {
                    name: e.name.clone(),
                    secret: true,
                    place: format!("Kubernetes Secret {name}-secrets in {place_ns}"),
                    why: format!(
                        "{} reads it; create it with kubectl create secret generic before the first apply (docs/kubernetes.md)",
                        svc.name
                    ),
                },
            });
        }
    }
    out
}

/// The runbook: prerequisites, secrets, backing services, apply, watch, roll back.
pub fn runbook(spec: &DeploySpec, topology: &[Topology]) -> String {
    let k = &spec.kube;
    let ns = &k.namespace;
    let mut out = String::from("# Kubernetes\n\nWritten by Slipway from the deployment spec. ");
    out.push_str(match k.packaging {
        crate::params::Packaging::Helm => "Each service is a Helm chart in `charts/<name>/` (its `values.yaml` holds every setting, `values-<environment>.yaml` what differs before production); the namespaces and the cluster issuer, which no release can own, are in `k8s/`.\n\n## What the cluster needs\n\n",
        crate::params::Packaging::Kustomize => "The objects are in `k8s/base/`, and each environment's differences in `k8s/overlays/<environment>/`.\n\n## What the cluster needs\n\n",
        crate::params::Packaging::Manifests => "Every object is in `k8s/`.\n\n## What the cluster needs\n\n",
    });
    if k.autoscale {
        out.push_str("- **metrics-server** (0.9 or newer): the autoscaler reads CPU from it.\n");
    }
    if topology.iter().any(|t| t.host.is_some()) {
        match k.route {
            Route::Ingress => out.push_str(&format!(
                "- An ingress controller whose IngressClass is `{}` (ingress-nginx was retired in March 2026; set `ingress_class` in slipway.toml for yours). The NetworkPolicy admits it from the `{}` namespace.\n",
                k.ingress_class,
                controller_namespace(&k.ingress_class, k.route)
            )),
            Route::Gateway => out.push_str(&format!(
                "- The Gateway API CRDs (v1.6) and a controller whose GatewayClass is `{}`. The NetworkPolicy admits it from the `{}` namespace.\n",
                k.ingress_class,
                controller_namespace(&k.ingress_class, k.route)
            )),
        }
        out.push_str(&format!(
            "- **cert-manager** (1.21 or newer){}: `k8s/cluster-issuer.yaml` creates the `{}` ClusterIssuer.\n",
            if k.route == Route::Gateway {
                " with `enableGatewayAPI: true`"
            } else {
                ""
            },
            k.tls_issuer
        ));
    }
    if k.vpa {
        out.push_str("- The Vertical Pod Autoscaler's recommender (its CRDs and `vpa-recommender`).\n");
    }
    if topology.iter().any(|t| t.workload == "Rollout") {
        out.push_str("- **Argo Rollouts** (1.9 or newer) and its `kubectl argo rollouts` plugin: the Rollouts own the pods of the Deployments, which are written with no replicas.\n");
        let canary = spec.strategy == crate::params::Strategy::Canary;
        let routed = topology
            .iter()
            .any(|t| t.workload == "Rollout" && !rollout::plugin_routes(spec, &t.name).is_empty());
        if canary && routed {
            out.push_str(&format!(
                "- Argo Rollouts' Gateway API traffic router plugin, listed as `{}` under `trafficRouterPlugins` in the `argo-rollouts-config` ConfigMap, with the controller allowed to update HTTPRoutes.\n",
                rollout::GATEWAY_PLUGIN
            ));
        }
        if canary && k.mesh == Mesh::Istio {
            out.push_str("- The controller allowed to update Istio VirtualServices (`networking.istio.io`), which its standard install grants.\n");
        }
        let watched: Vec<&str> = spec
            .services
            .iter()
            .filter(|svc| rollout::strategy_for(spec, svc).is_some() && rollout::error_check(spec, svc).is_some())
            .map(|svc| svc.name.as_str())
            .collect();
        if let (Some(p), false) = (&k.prometheus, watched.is_empty()) {
            out.push_str(&format!(
                "- **The Prometheus Operator** (kube-prometheus-stack, for one) with a Prometheus at {} that selects PodMonitors labelled `release: {}` in the `{ns}` namespace (kube-prometheus-stack's `podMonitorSelectorNilUsesHelmValues: true` asks for exactly this label; set `prometheus` and `prometheus_release` in slipway.toml for another). The rollouts of {} read the new pods' error rate there, and fail when Prometheus scrapes none of them.\n",
                p.url,
                p.release,
                watched.join(", ")
            ));
        }
    }
    match k.mesh {
        Mesh::Istio => out.push_str(&format!(
            "- **Istio** (1.22 or newer, which serves `networking.istio.io/v1`) in sidecar mode, installed with its CNI node agent (`istio-cni`): the namespace's restricted Pod Security refuses the privileged init container Istio uses without it. The `{ns}` namespace carries `istio-injection: enabled`; the NetworkPolicies let the proxies reach istiod in `istio-system` on 15012. One-shot check pods are labelled out of the mesh so they can finish.\n"
        )),
        Mesh::Linkerd => out.push_str(&format!(
            "- **Linkerd** (2.14 or newer, which reads Gateway API HTTPRoutes attached to a Service) with the `linkerd-cni` plugin: the namespace's restricted Pod Security refuses the privileged init container Linkerd uses without it. The `{ns}` namespace is annotated `linkerd.io/inject: enabled`; the NetworkPolicies let the proxies reach the control plane in `linkerd` on 8080, 8086 and 8090. One-shot check pods are annotated out of the mesh so they can finish.\n"
        )),
        Mesh::None => {}
    }
    let reads_secrets = spec.services.iter().any(|svc| svc.env.iter().any(|e| e.secret));
    if let (true, Some(store)) = (reads_secrets, &k.secret_store) {
        out.push_str(&format!(
            "- The **External Secrets Operator** (0.16 or newer, which serves `external-secrets.io/v1`) and a ClusterSecretStore named `{store}` that reaches your secret manager (Vault, AWS Secrets Manager, Google Secret Manager, Azure Key Vault, ...).\n"
        ));
    }
    match k.gitops {
        crate::params::GitOps::ArgoCd => out.push_str("- **Argo CD** (2.8 or newer) in the `argocd` namespace, allowed to manage this app's namespaces (the `default` project allows any).\n"),
        crate::params::GitOps::Flux => out.push_str("- **Flux** (2.3 or newer, which serves `helm.toolkit.fluxcd.io/v2`) in the `flux-system` namespace.\n"),
        crate::params::GitOps::None => {}
    }
    out.push_str("- A CNI that enforces NetworkPolicy (Calico, Cilium, or your cloud's).\n\n## Secrets\n\n");
    if let (true, Some(store)) = (reads_secrets, &k.secret_store) {
        out.push_str(&format!(
            "No value is in git. The operator writes each Secret from the store behind `{store}` and reads it again every hour. Put the values in the store first:\n\n| Store key | Properties | Secret it becomes |\n|---|---|---|\n"
        ));
        let staged = staged(spec);
        for svc in &spec.services {
            let names: Vec<&str> = svc.env.iter().filter(|e| e.secret).map(|e| e.name.as_str()).collect();
            if names.is_empty() {
                continue;
            }
            let name = name_of(&svc.name);
            let props = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            out.push_str(&format!(
                "| `{}` | {props} | `{name}-secrets` |\n",
                remote_key(ns, &name)
            ));
            for (env, n) in &staged {
                out.push_str(&format!(
                    "| `{}` | {props} | `{name}-secrets` in {env} |\n",
                    remote_key(n, &name)
                ));
            }
        }
        out.push_str(&format!(
            "\nAfter the first apply, `kubectl -n {ns} get externalsecret` shows each one `SecretSynced`; one that is not names the key it could not read.\n\n"
        ));
        return runbook_rest(spec, topology, out);
    }
    out.push_str("No value is in git. Create each Secret before the first apply:\n\n```sh\n");

    if k.packaging == crate::params::Packaging::Kustomize {
        for env in kustomize::environments(spec) {
            let env = if env == "production" {
                spec.production().to_string()
            } else {
                env
            };
            out.push_str(&format!(
                "kubectl apply -f {}/namespace.yaml\n",
                kustomize::overlay_for(spec, &env)
            ));
        }
    } else {
        out.push_str("kubectl apply -f k8s/namespace.yaml\n");
    }
    let mut any = false;
    for svc in &spec.services {
        let names: Vec<&str> = svc.env.iter().filter(|e| e.secret).map(|e| e.name.as_str()).collect();
        if names.is_empty() {
            continue;
        }
        any = true;
        let name = name_of(&svc.name);
        let mut namespaces = vec![ns.clone()];
        namespaces.extend(staged(spec).into_iter().map(|(_, n)| n));
        for n_s in namespaces {
            out.push_str(&format!("kubectl -n {n_s} create secret generic {name}-secrets"));
            for n in &names {
                out.push_str(&format!(" \\\n  --from-literal={n}=\"${n}\""));
            }
            out.push('\n');
        }
    }
    if !any {
        out.push_str("# none: the services read no secret\n");
    }
    out.push_str("```\n\n");
    runbook_rest(spec, topology, out)
}

/// The runbook after its Secrets section: backing services, apply, watch, roll back.
fn runbook_rest(spec: &DeploySpec, topology: &[Topology], mut out: String) -> String {
    let k = &spec.kube;
    let ns = &k.namespace;
    let backing: Vec<&str> = spec
        .services
        .iter()
        .flat_map(|s| s.backing_services.iter().map(String::as_str))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !backing.is_empty() {
        out.push_str(if backing::in_cluster(spec).is_empty() {
            "## Backing services\n\nThey run outside the cluster, as managed services, and the Secrets above hold their URLs:\n\n"
        } else {
            "## Backing services\n\nIn production they run outside the cluster, as managed services, and the Secrets above hold\ntheir URLs:\n\n"
        });
        for b in backing {
            let managed = match b {
                "postgres" => "a managed PostgreSQL: Amazon RDS or Aurora, Cloud SQL, Azure Database for PostgreSQL",
                "mysql" => "a managed MySQL: Amazon RDS, Cloud SQL, Azure Database for MySQL",
                "redis" => "a managed Redis or Valkey: ElastiCache, Memorystore, Azure Cache for Redis",
                "mongodb" => "MongoDB Atlas or Amazon DocumentDB",
                "rabbitmq" => "Amazon MQ or CloudAMQP",
                _ => "your provider's managed offering",
            };
            let port = backing_port(b)
                .map(|(p, _)| format!(" (port {p} is open in the NetworkPolicy)"))
                .unwrap_or_default();
            out.push_str(&format!("- **{b}**: {managed}{port}.\n"));
        }
        out.push_str(&backing::runbook(spec));
        out.push('\n');
    }
    out.push_str(
        "## What runs\n\n| Deployment | Reached at | Port | Replicas | Rollout |\n| --- | --- | --- | --- | --- |\n",
    );
    for t in topology {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            t.name,
            match (&t.host, &t.entry) {
                (Some(h), Some(e)) => format!("https://{h} ({e})"),
                _ => "inside the cluster".into(),
            },
            t.port.map_or("none".into(), |p| p.to_string()),
            t.replicas,
            t.rollout
        ));
    }
    if k.gitops != crate::params::GitOps::None {
        out.push_str(&gitops_words(spec, topology));
    }
    if k.packaging == crate::params::Packaging::Helm {
        out.push_str("\n## Install, watch, roll back\n\nThe pipeline runs these with the tested image's digest. By hand, for production:\n\n```sh\nkubectl apply -f k8s/\n");
        if let Some(u) = helm::umbrella(spec) {
            let digests: Vec<String> = topology
                .iter()
                .map(|t| {
                    format!(
                        "  --set-string {}image.digest=sha256:<digest>",
                        helm::values_key(spec, &t.name)
                    )
                })
                .collect();
            out.push_str(&format!(
                "helm upgrade --install {u} {} --namespace {ns} \\\n{} \\\n  --rollback-on-failure --timeout 10m\nhelm test {u} --namespace {ns}\n",
                helm::installed_chart(spec, &u),
                digests.join(" \\\n")
            ));
        } else {
            for t in topology {
                out.push_str(&format!(
                    "helm upgrade --install {} {} --namespace {ns} \\\n  --set-string image.digest=sha256:<digest> --rollback-on-failure --timeout 10m\nhelm test {} --namespace {ns}\n",
                    helm::release(spec, &t.name),
                    helm::installed_chart(spec, &t.name),
                    helm::release(spec, &t.name)
                ));
            }
        }
        for t in topology.iter().filter(|t| t.workload == "Rollout") {
            out.push_str(&format!(
                "kubectl argo rollouts -n {ns} get rollout {n} --watch   # {}\nkubectl argo rollouts -n {ns} abort {n}   # every request back to the stable version, then helm rollback\n",
                t.rollout,
                n = t.name
            ));
        }
        if let Some(u) = helm::umbrella(spec) {
            out.push_str(&format!("```\n\nOne release, `{u}`, holds every service: each service's chart is a subchart of `charts/{u}`, its\nvalues under its name. The pipeline of each service upgrades the release with its own image and\nkeeps the others' (`--reset-then-reuse-values`); a service whose pipeline has not run yet stays off\n(`<name>.enabled=false`) until it does. A failed upgrade or test rolls the whole release back, so\na service's deploy waits while another's runs.\n\nAnother environment adds its values file (`--values charts/{u}/values-staging.yaml`) and installs\ninto its own namespace."));
        } else {
            out.push_str("```\n\nAnother environment adds its values file (`--values charts/<name>/values-staging.yaml`) and installs\ninto its own namespace.");
        }
        out.push_str(" An upgrade whose objects do not become ready within ten minutes is rolled\nback to the previous release (`helm history` lists them, `helm rollback` returns to one). Pods are\nspread over zones and nodes; a node drain takes one pod at a time (the PodDisruptionBudget), and\nnever waits on a pod that is not ready.\n");
        return out;
    }
    out.push_str(&if k.packaging == crate::params::Packaging::Kustomize {
        "\n## Apply, watch, roll back\n\n```sh\nkubectl apply -k k8s/overlays/production\n".to_string()
    } else {
        format!(
            "\n## Apply, watch, roll back\n\n```sh\nkubectl apply -f k8s/{}\n",
            if spec.is_monorepo() { " -R" } else { "" }
        )
    });
    let progressive = topology.iter().filter(|t| t.workload == "Rollout").count();
    for t in topology {
        if t.workload.starts_with("Deployments (") {
            let [first, second] = rollout::SLOTS;
            let mut retarget = String::new();
            if k.autoscale {
                retarget.push_str(&format!(
                    "kubectl -n {ns} patch hpa {n} --type merge -p '{{\"spec\":{{\"scaleTargetRef\":{{\"name\":\"{n}-{second}\"}}}}}}'\n",
                    n = t.name
                ));
            }
            out.push_str(&format!(
                "# {n}: which slot serves ({first} here), so the new version goes to the other ({second})\nkubectl -n {ns} get service {n} -o jsonpath='{{.spec.selector.slot}}'\nkubectl -n {ns} set image deployment/{n}-{second} app=<image>@sha256:<digest>\nkubectl -n {ns} scale deployment/{n}-{second} --replicas=\"$(kubectl -n {ns} get deployment {n}-{first} -o jsonpath='{{.spec.replicas}}')\"\nkubectl -n {ns} rollout status deployment/{n}-{second} --timeout=10m\nkubectl -n {ns} delete job {n}-smoke --ignore-not-found && kubectl -n {ns} apply -f {dir}checks/smoke-job.yaml\nkubectl -n {ns} wait --for=condition=complete job/{n}-smoke --timeout=3m\n# the switch; until {n}-{first} is scaled down, switching back is the same patch with {first}\nkubectl -n {ns} patch service {n} --type merge -p '{{\"spec\":{{\"selector\":{{\"slot\":\"{second}\"}}}}}}'\n{retarget}kubectl -n {ns} scale deployment/{n}-{first} --replicas=0\n",
                n = t.name,
                dir = if spec.is_monorepo() { format!("k8s/{}/", t.name) } else { s("k8s/") },
            ));
        } else if t.workload == "Rollout" {
            out.push_str(&format!(
                "kubectl argo rollouts -n {ns} get rollout {n} --watch\nkubectl argo rollouts -n {ns} abort {n}   # every request back to the stable version\nkubectl argo rollouts -n {ns} undo {n}    # the version before, through the same steps\n",
                n = t.name
            ));
        } else {
            out.push_str(&format!(
                "kubectl -n {ns} rollout status {kind}/{} --timeout=10m || kubectl -n {ns} rollout undo {kind}/{}\n",
                t.name,
                t.name,
                kind = t.workload.to_ascii_lowercase()
            ));
        }
    }
    out.push_str("```\n\n");
    if progressive > 0 {
        out.push_str(&format!(
            "{} through Argo Rollouts: the AnalysisTemplate `<name>-smoke` asks the new pods for the health path\nbefore traffic moves on, and a failed check aborts the rollout by itself, back to the stable version. ",
            if spec.strategy == crate::params::Strategy::BlueGreen { "Blue-green" } else { "Canary" }
        ));
        if spec
            .services
            .iter()
            .any(|svc| rollout::strategy_for(spec, svc).is_some() && rollout::error_check(spec, svc).is_some())
        {
            out.push_str(&format!(
                "Where the code counts its requests, `<name>-errors` also reads the new pods' share of server errors from\nPrometheus every minute ({}); above {}% twice, or with no new pod scraped three times, it\naborts the same way. Watch it with `kubectl argo rollouts get rollout <name> -n {ns} --watch`. ",
                if spec.strategy == crate::params::Strategy::BlueGreen { "for five minutes once the new version serves, while the old pods wait to take the traffic back" } else { "from the first step with requests on the new pods to the last" },
                (rollout::MAX_ERROR_RATE.parse::<f64>().unwrap_or(0.01) * 100.0).round()
            ));
        }
    }
    let slotted = topology
        .iter()
        .filter(|t| t.workload.starts_with("Deployments ("))
        .count();
    if slotted > 0 {
        out.push_str("Blue-green without Argo Rollouts: two Deployments, `-blue` and `-green`, and the Service selects one\nby its `slot` label. The pipeline starts the new version in the idle slot, checks it through\n`<name>-preview` with the Job in `checks/`, and only then switches the Service and the autoscaler;\nit waits 30 s for proxies and scales the old slot to 0. Until then every request stays on the\nserving slot, and a failed check leaves it so. The pipeline never applies the serving slot's file,\nand writes the Services' selectors as the cluster has them before each apply: applying the folder\nby hand resets them to the first slot. ");
    }
    if progressive + slotted < topology.len() {
        out.push_str("A rollout that does not become ready within ten minutes is undone to the previous ReplicaSet. ");
    }
    out.push_str("Pods are\nspread over zones and nodes; a node drain takes one pod at a time (the PodDisruptionBudget), and\nnever waits on a pod that is not ready.\n");
    out
}

/// The runbook's GitOps section: what to apply once, what the pipeline does from then on, and
/// how to watch and roll back through git.
fn gitops_words(spec: &DeploySpec, topology: &[Topology]) -> String {
    let k = &spec.kube;
    let (tool, dir, watch) = match k.gitops {
        crate::params::GitOps::Flux => (
            "Flux",
            "gitops/flux/",
            "flux get kustomizations -A\nflux get helmreleases -A\nflux reconcile source git <name> -n flux-system   # sync now, not at the next interval",
        ),
        _ => (
            "Argo CD",
            "gitops/argocd/",
            "argocd app list\nargocd app get <application> --refresh   # what differs from git, and the health of each object",
        ),
    };
    let pins: Vec<String> = topology
        .iter()
        .filter_map(|t| spec.services.iter().find(|s| name_of(&s.name) == t.name))
        .flat_map(|svc| {
            gitops::environments(spec)
                .into_iter()
                .map(move |env| format!("`{}` ({env})", gitops::pin_file(spec, svc, &env)))
        })
        .collect();
    let sy = &k.sync;
    format!(
        "\n## GitOps with {tool}\n\nThe cluster pulls these files from the `{branch}` branch; nobody applies them by hand after the start:\n\n```sh\nkubectl apply -f {dir}\n```\n\nFrom then on the pipeline holds no cluster credential. Its deploy job writes the tested image's digest into {pins} and pushes that commit (marked `[skip ci]`, so it starts no pipeline) with the `GITOPS_TOKEN` secret; {tool} syncs it{auto}{prune}{heal}. Until the first deploy the pods wait on the placeholder tag `set-by-pipeline`.\n\n{private}\n\n```sh\n{watch}\n```\n\nTo roll back, revert the deploy's commit (`git revert <commit>`, named \"Deploy <service> to <environment>\") and push: {tool} syncs the previous digest.\n",
        branch = spec.branch,
        pins = pins.join(", "),
        auto = if sy.automated { " within minutes" } else { " when a person syncs (auto_sync = false)" },
        prune = if sy.prune { ", removes what git no longer has" } else { "" },
        heal = if sy.self_heal && k.gitops == crate::params::GitOps::ArgoCd {
            ", and reverts changes made in the cluster by hand"
        } else if k.gitops == crate::params::GitOps::Flux {
            ", and corrects drift at every interval"
        } else {
            ""
        },
        private = match k.gitops {
            crate::params::GitOps::Flux => "A private repository needs a read-only deploy key or token: `flux create secret git <name> --url=<repository>`, then `secretRef` on the GitRepository.",
            _ => "A private repository needs a read-only credential in Argo CD: `argocd repo add <repository> --username <user> --password <read-only token>`.",
        },
    )
}

/// The numeric user each service's generated image runs as, read from its Dockerfile value.
pub fn image_facts(profile: &slipway_scan::ProjectProfile) -> Vec<ImageFacts> {
    profile
        .services
        .iter()
        .map(|s| ImageFacts {
            service: s.name.clone(),
            user: crate::generate::image(s)
                .ok()
                .and_then(|p| p.image.user_of().and_then(numeric_user)),
        })
        .collect()
}

/// The images the pods run, with their users: the person's own Dockerfile decides when there
/// is one (it is kept or improved, never replaced), else the generated one's. A Dockerfile that
/// names no numeric user gets a warning, and the pods run as 10001.
pub fn image_facts_in(
    profile: &slipway_scan::ProjectProfile,
    root: &std::path::Path,
) -> (Vec<ImageFacts>, Vec<crate::Finding>) {
    let mut images = image_facts(profile);
    let mut warnings = Vec::new();
    for (facts, svc) in images.iter_mut().zip(&profile.services) {
        let own = crate::generate::service_file(svc, "Dockerfile");
        if let Ok(text) = std::fs::read_to_string(root.join(&own)) {
            facts.user = user_of_dockerfile(&text).or_else(|| {
                warnings.push(crate::Finding {
                    severity: crate::Severity::Warning,
                    rule: "kubernetes/image-user".into(),
                    path: own.clone(),
                    line: None,
                    message: "the image names no numeric user: the pods run as 10001; set USER 10001:10001 in the Dockerfile so image and pod agree".into(),
                });
                Some((10001, 10001))
            });
        }
    }
    (images, warnings)
}

/// The user the final stage of a Dockerfile runs as, as numbers: its last `USER` line, by
/// number or by the names official images give their users (`node`, `nonroot`, `nobody`).
/// `None` when it names another user, or none (root).
pub fn user_of_dockerfile(text: &str) -> Option<(u32, u32)> {
    let last = text
        .lines()
        .map(str::trim)
        .rfind(|l| l.len() > 5 && l.is_char_boundary(5) && l[..5].eq_ignore_ascii_case("USER "))?;
    let user = last[5..].trim();
    numeric_user(user)
        .or(match user.split(':').next().unwrap_or("") {
            "node" => Some((1000, 1000)),
            "nonroot" => Some((65532, 65532)),
            "nobody" => Some((65534, 65534)),
            _ => None,
        })
        .filter(|(u, _)| *u != 0)
}

/// The URL of the project's `origin` remote (or its first), for the image name.
pub fn remote_url(profile: &slipway_scan::ProjectProfile) -> Option<String> {
    let g = profile.git.as_ref()?;
    g.remotes
        .iter()
        .find(|r| r.name == "origin")
        .or(g.remotes.first())
        .map(|r| r.url.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_user_is_read_from_the_last_user_line() {
        let f = "FROM node:22 AS build\nUSER root\nFROM node:22-slim\nUSER node\nCMD [\"node\", \"x.js\"]\n";
        assert_eq!(user_of_dockerfile(f), Some((1000, 1000)));
        assert_eq!(user_of_dockerfile("FROM x\nuser 10001:10002\n"), Some((10001, 10002)));
        assert_eq!(
            user_of_dockerfile("FROM x\nUSER 0\n"),
            None,
            "root is no user to run a pod as"
        );
        assert_eq!(user_of_dockerfile("FROM x\nUSER app\n"), None);
        assert_eq!(user_of_dockerfile("FROM x\n"), None);
    }

    #[test]
    fn names_are_kubernetes_names() {
        assert_eq!(name_of("Billing_API"), "billing-api");
        assert_eq!(name_of("--"), "app");
        assert!(name_of(&"x".repeat(80)).len() <= 50);
    }
}
