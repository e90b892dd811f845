//! Databases and caches inside the cluster, for development clusters: one `StatefulSet` per
//! backing service the code uses (PostgreSQL, MySQL, MongoDB, Redis), each with its own volume
//! from a claim template, a headless Service of the name the app connects to, a NetworkPolicy
//! that admits only the app's pods, and its credentials from a Secret created outside git.
//!
//! They sit in `k8s/backing/`, below the folder `kubectl apply -f k8s/` reads, and no pipeline
//! applies them: production keeps the managed services the runbook names.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EmptyDirVolumeSource, EnvFromSource, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, SeccompProfile, Secret, SecretEnvSource, SecurityContext, Service, ServicePort,
    ServiceSpec as CoreServiceSpec, TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{doc, note, q, s, selector_labels};
use crate::knowledge::{service_image, ServiceImage};
use crate::spec::DeploySpec;
use crate::write::Yaml;

/// The user and group every backing pod runs as: above 10000 like the app's, so it matches no
/// user of the node; the images' entrypoints run as any user whose data volume they can write
/// (the pod's `fsGroup` makes it so).
const USER: i64 = 10001;

/// How one backing service runs as a non-root StatefulSet.
struct Stateful {
    /// The image to run: the official one, in the variant that runs as any user.
    image: fn(&ServiceImage) -> String,
    /// The Secret keys the image reads, and the value each gets in the runbook's line.
    credentials: &'static [(&'static str, &'static str)],
    /// Paths it writes outside its data volume, as emptyDir volumes under a read-only root.
    scratch: &'static [(&'static str, &'static str)],
    /// The variable the app reads, and its value with `<password>` to fill in.
    url: (&'static str, &'static str),
}

fn stateful(id: &str) -> Option<Stateful> {
    Some(match id {
        "postgres" => Stateful {
            // The Debian variant: its entrypoint fakes a passwd entry for an arbitrary user
            // (nss_wrapper), which initdb needs; the Alpine one has no such shim.
            image: |i| i.image.trim_end_matches("-alpine").to_string(),
            credentials: &[
                ("POSTGRES_USER", "app"),
                ("POSTGRES_DB", "app"),
                ("POSTGRES_PASSWORD", "$(openssl rand -hex 24)"),
            ],
            scratch: &[("run", "/var/run/postgresql"), ("tmp", "/tmp")],
            url: ("DATABASE_URL", "postgresql://app:<password>@postgres:5432/app"),
        },
        "mysql" => Stateful {
            image: |i| i.image.to_string(),
            credentials: &[
                ("MYSQL_USER", "app"),
                ("MYSQL_DATABASE", "app"),
                ("MYSQL_PASSWORD", "$(openssl rand -hex 24)"),
                ("MYSQL_ROOT_PASSWORD", "$(openssl rand -hex 24)"),
            ],
            scratch: &[("run", "/var/run/mysqld"), ("tmp", "/tmp")],
            url: ("DATABASE_URL", "mysql://app:<password>@mysql:3306/app"),
        },
        "mongodb" => Stateful {
            image: |i| i.image.to_string(),
            credentials: &[
                ("MONGO_INITDB_ROOT_USERNAME", "app"),
                ("MONGO_INITDB_ROOT_PASSWORD", "$(openssl rand -hex 24)"),
            ],
            scratch: &[("tmp", "/tmp")],
            url: (
                "MONGODB_URI",
                "mongodb://app:<password>@mongodb:27017/app?authSource=admin",
            ),
        },
        "redis" => Stateful {
            image: |i| i.image.to_string(),
            credentials: &[],
            scratch: &[("tmp", "/tmp")],
            url: ("REDIS_URL", "redis://redis:6379"),
        },
        _ => return None,
    })
}

/// The backing services of the spec that run in the cluster, in name order.
pub fn in_cluster(spec: &DeploySpec) -> Vec<&'static ServiceImage> {
    if spec.kube.backing != crate::params::Backing::InCluster {
        return Vec::new();
    }
    let mut out: Vec<&'static ServiceImage> = spec
        .services
        .iter()
        .flat_map(|s| s.backing_services.iter())
        .filter(|b| stateful(b).is_some())
        .filter_map(|b| service_image(b))
        .collect();
    out.sort_by_key(|i| i.id);
    out.dedup_by_key(|i| i.id);
    out
}

/// The namespace they go in: the first environment before production when there is one (a
/// development cluster's), else the spec's.
pub fn namespace(spec: &DeploySpec) -> String {
    super::staged(spec)
        .first()
        .map(|(_, ns)| ns.clone())
        .unwrap_or_else(|| spec.kube.namespace.clone())
}

fn meta(name: &str, spec: &DeploySpec, ns: &str) -> ObjectMeta {
    let mut labels = selector_labels(name);
    labels.insert(s("app.kubernetes.io/component"), s("database"));
    labels.insert(s("app.kubernetes.io/part-of"), spec.kube.namespace.clone());
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(ns.to_string()),
        labels: Some(labels),
        ..Default::default()
    }
}

/// The files for each backing service in the cluster: its objects, and its Secret's skeleton.
pub fn files(spec: &DeploySpec) -> Vec<(String, Vec<Yaml>, String)> {
    let ns = namespace(spec);
    let mut out = Vec::new();
    for image in in_cluster(spec) {
        let Some(st) = stateful(image.id) else { continue };
        let id = image.id;
        let port = i32::from(image.port);
        let svc = Service {
            metadata: meta(id, spec, &ns),
            spec: Some(CoreServiceSpec {
                cluster_ip: Some(s("None")),
                selector: Some(selector_labels(id)),
                ports: Some(vec![ServicePort {
                    name: Some(s("db")),
                    port,
                    target_port: Some(IntOrString::String(s("db"))),
                    protocol: Some(s("TCP")),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut sd = doc(&svc);
        note(
            &mut sd,
            &["spec", "clusterIP"],
            format!("Headless: the StatefulSet's own address; the app reaches it as {id}:{port}."),
        );
        let mut mounts = vec![VolumeMount {
            name: s("data"),
            mount_path: s(image.data_path),
            ..Default::default()
        }];
        let mut volumes = Vec::new();
        for (name, path) in st.scratch {
            mounts.push(VolumeMount {
                name: s(name),
                mount_path: s(path),
                ..Default::default()
            });
            volumes.push(Volume {
                name: s(name),
                empty_dir: Some(EmptyDirVolumeSource {
                    size_limit: Some(q("256Mi")),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        let tcp = |period: i32, failures: i32| Probe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::String(s("db")),
                ..Default::default()
            }),
            period_seconds: Some(period),
            timeout_seconds: Some(3),
            failure_threshold: Some(failures),
            ..Default::default()
        };
        let container = Container {
            name: s(id),
            image: Some((st.image)(image)),
            image_pull_policy: Some(s("Always")),
            ports: Some(vec![ContainerPort {
                name: Some(s("db")),
                container_port: port,
                protocol: Some(s("TCP")),
                ..Default::default()
            }]),
            env_from: (!st.credentials.is_empty()).then(|| {
                vec![EnvFromSource {
                    secret_ref: Some(SecretEnvSource {
                        name: format!("{id}-credentials"),
                        optional: None,
                    }),
                    ..Default::default()
                }]
            }),
            resources: Some(k8s_openapi::api::core::v1::ResourceRequirements {
                requests: Some(BTreeMap::from([(s("cpu"), q("100m")), (s("memory"), q("256Mi"))])),
                limits: Some(BTreeMap::from([(s("cpu"), q("1")), (s("memory"), q("1Gi"))])),
                ..Default::default()
            }),
            // Up to five minutes for a first start (initialising the data directory).
            startup_probe: Some(tcp(5, 60)),
            readiness_probe: Some(tcp(10, 3)),
            liveness_probe: Some(tcp(20, 6)),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                privileged: Some(false),
                read_only_root_filesystem: Some(true),
                run_as_non_root: Some(true),
                run_as_user: Some(USER),
                run_as_group: Some(USER),
                capabilities: Some(Capabilities {
                    drop: Some(vec![s("ALL")]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            volume_mounts: Some(mounts),
            ..Default::default()
        };
        let set = StatefulSet {
            metadata: meta(id, spec, &ns),
            spec: Some(StatefulSetSpec {
                service_name: Some(s(id)),
                replicas: Some(1),
                selector: LabelSelector {
                    match_labels: Some(selector_labels(id)),
                    ..Default::default()
                },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: meta(id, spec, &ns).labels,
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        automount_service_account_token: Some(false),
                        enable_service_links: Some(false),
                        termination_grace_period_seconds: Some(60),
                        security_context: Some(PodSecurityContext {
                            run_as_non_root: Some(true),
                            run_as_user: Some(USER),
                            run_as_group: Some(USER),
                            fs_group: Some(USER),
                            seccomp_profile: Some(SeccompProfile {
                                type_: s("RuntimeDefault"),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }),
                        containers: vec![container],
                        volumes: Some(volumes),
                        ..Default::default()
                    }),
                },
                volume_claim_templates: Some(vec![super::data_claim()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut dd = doc(&set);
        note(
            &mut dd,
            &["spec", "replicas"],
            "One: a development copy with its own volume, not a replicated database. Production uses the\nmanaged service docs/kubernetes.md names.",
        );
        note(
            &mut dd,
            &["spec", "volumeClaimTemplates"],
            "The data outlives the pod: deleting the StatefulSet keeps the claim data-<name>-0 and its volume.",
        );
        let np = NetworkPolicy {
            metadata: meta(id, spec, &ns),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(selector_labels(id)),
                    ..Default::default()
                }),
                policy_types: Some(vec![s("Ingress"), s("Egress")]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(vec![NetworkPolicyPeer {
                        pod_selector: Some(LabelSelector {
                            match_labels: Some(BTreeMap::from([(
                                s("app.kubernetes.io/part-of"),
                                spec.kube.namespace.clone(),
                            )])),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }]),
                    ports: Some(vec![NetworkPolicyPort {
                        port: Some(IntOrString::String(s("db"))),
                        protocol: Some(s("TCP")),
                        ..Default::default()
                    }]),
                }]),
                egress: Some(vec![]),
            }),
        };
        let mut nd = doc(&np);
        note(
            &mut nd,
            &["spec", "egress"],
            "None: a database answers; it never calls out.",
        );
        out.push((
            format!("k8s/backing/{id}.yaml"),
            vec![sd, dd, nd],
            format!(
                "{id} in the cluster for development: a StatefulSet with its own volume, reachable only by the app"
            ),
        ));
        if !st.credentials.is_empty() {
            let secret = Secret {
                metadata: meta(&format!("{id}-credentials"), spec, &ns),
                type_: Some(s("Opaque")),
                string_data: Some(st.credentials.iter().map(|(k, _)| (s(k), String::new())).collect()),
                ..Default::default()
            };
            let mut d = doc(&secret);
            note(
                &mut d,
                &["stringData"],
                "A skeleton: never commit values. The kubectl line in docs/kubernetes.md creates it.",
            );
            out.push((
                format!("k8s/backing/{id}-credentials.yaml.example"),
                vec![d],
                format!("the names of {id}'s credentials, without values"),
            ));
        }
    }
    out
}

/// The runbook's section: what runs, how to create the credentials and the app's URL, and how
/// to apply them.
pub fn runbook(spec: &DeploySpec) -> String {
    let images = in_cluster(spec);
    if images.is_empty() {
        return String::new();
    }
    let ns = namespace(spec);
    let mut out = format!(
        "\n## Backing services in the cluster (development)\n\nStatefulSets in `k8s/backing/`, one replica each with a 5 Gi volume, in the {ns} namespace.\nNo pipeline applies them, and production should not run them: use the managed services above.\n\n```sh\n"
    );
    for image in &images {
        let Some(st) = stateful(image.id) else { continue };
        if !st.credentials.is_empty() {
            out.push_str(&format!(
                "kubectl -n {ns} create secret generic {}-credentials",
                image.id
            ));
            for (k, v) in st.credentials {
                out.push_str(&format!(" \\\n  --from-literal={k}=\"{v}\""));
            }
            out.push('\n');
        }
    }
    out.push_str(&format!("kubectl -n {ns} apply -f k8s/backing/\n"));
    for image in &images {
        out.push_str(&format!(
            "kubectl -n {ns} rollout status statefulset/{} --timeout=5m\n",
            image.id
        ));
    }
    out.push_str("```\n\nThe app's Secret then points at them, in the variable its code reads for each:\n\n");
    for image in &images {
        if let Some(st) = stateful(image.id) {
            out.push_str(&format!(
                "- {}: `{}` (`{}` in most stacks)\n",
                image.id, st.url.1, st.url.0
            ));
        }
    }
    out.push_str(
        "\nThe password in a URL is the one in the credentials Secret (`kubectl get secret ... -o jsonpath`).\n",
    );
    out
}
