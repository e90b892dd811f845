//! Kustomize packaging: the same objects as the plain manifests, moved into `k8s/base/`, and
//! one overlay per environment in `k8s/overlays/<env>/` with what differs there (namespace,
//! replicas or autoscaler bounds, resources, host). Overlays use `patches` with JSON 6902
//! operations (`patchesStrategicMerge` and `commonLabels` are deprecated since kustomize 5).

use serde::Serialize;

use super::{doc, gateway_name, name_of, Topology};
use crate::generate::Artifact;
use crate::params::Route;
use crate::spec::DeploySpec;
use crate::write::{yaml, Yaml};

/// A `kustomization.yaml`, with the fields Slipway writes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization {
    api_version: &'static str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    patches: Vec<Entry>,
}

/// A patch inline, or in a file beside the kustomization.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
enum Entry {
    Inline(Patch),
    File(FilePatch),
}

#[derive(Debug, Clone, Serialize)]
struct Patch {
    target: PatchTarget,
    patch: String,
}

#[derive(Debug, Clone, Serialize)]
struct FilePatch {
    path: String,
    target: PatchTarget,
}

#[derive(Debug, Clone, Serialize)]
struct PatchTarget {
    kind: String,
    name: String,
}

#[derive(Debug, Clone, Serialize)]
struct Op {
    op: &'static str,
    path: String,
    value: serde_json::Value,
}

fn ops(list: &[Op]) -> String {
    yaml::to_string(&doc(&list.to_vec()), "")
}

/// The namespace an environment's objects go in: the spec's for production, `<ns>-<env>` for
/// the others, so both can share a cluster.
pub fn namespace_for(spec: &DeploySpec, env: &str) -> String {
    if env == spec.production() || env == "production" {
        spec.kube.namespace.clone()
    } else {
        let n = format!("{}-{}", spec.kube.namespace, name_of(env));
        n.chars().take(63).collect::<String>().trim_end_matches('-').to_string()
    }
}

/// The environments that get an overlay: staging and production, and any other the spec
/// names, in promotion order.
pub fn environments(spec: &DeploySpec) -> Vec<String> {
    let mut envs: Vec<String> = vec!["staging".into()];
    for e in &spec.environments {
        if !envs.contains(&e.name) && e.name != spec.production() {
            envs.push(e.name.clone());
        }
    }
    envs.push("production".into());
    envs.dedup();
    envs
}

/// The environments before production, each with its namespace: the overlays whose objects
/// must not share production's names in external stores either.
pub fn staged_namespaces(spec: &DeploySpec) -> Vec<(String, String)> {
    environments(spec)
        .into_iter()
        .map(|e| {
            let ns = namespace_for(spec, &e);
            (e, ns)
        })
        .filter(|(_, ns)| *ns != spec.kube.namespace)
        .collect()
}

/// The object whose pod template a patch edits: the Deployment (also when a Rollout runs its
/// template), or the StatefulSet.
fn pod_owner(workload: &str) -> &str {
    if workload == "StatefulSet" {
        "StatefulSet"
    } else {
        "Deployment"
    }
}

/// The overlay folder a deploy to `env` applies.
pub fn overlay_for(spec: &DeploySpec, env: &str) -> String {
    if env == spec.production() {
        "k8s/overlays/production".into()
    } else {
        format!("k8s/overlays/{}", name_of(env))
    }
}

/// Rewrites the plain manifests into a base and overlays. `artifacts` are the plain family's
/// files; the namespace moves into each overlay, the cluster issuer stays beside them (it is
/// cluster-wide, applied once), the rest goes into the base.
pub fn package(
    spec: &DeploySpec,
    artifacts: Vec<Artifact>,
    topology: &[Topology],
    namespace_doc: impl Fn(&str) -> Yaml,
) -> Vec<Artifact> {
    let mut out = Vec::new();
    let mut resources = Vec::new();
    for mut a in artifacts {
        if a.path == "k8s/namespace.yaml" || !a.path.starts_with("k8s/") || a.path == "k8s/cluster-issuer.yaml" {
            if a.path != "k8s/namespace.yaml" {
                out.push(a);
            }
            continue;
        }
        let rest = a.path.trim_start_matches("k8s/").to_string();
        a.path = format!("k8s/base/{rest}");
        a.content = a.content.replace(
            "Apply with: kubectl apply -f k8s/",
            "Apply an overlay with: kubectl apply -k k8s/overlays/<environment>",
        );
        if rest.ends_with(".yaml") {
            resources.push(rest);
        }
        out.push(a);
    }
    resources.sort();
    let base = Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        namespace: None,
        resources,
        patches: Vec::new(),
    };
    out.push(Artifact {
        path: "k8s/base/kustomization.yaml".into(),
        content: yaml::to_string(
            &doc(&base),
            "Written by Slipway: the objects every environment shares. Overlays in k8s/overlays/ say what\ndiffers.",
        ),
        purpose: "the Kustomize base: every object, shared by the environments".into(),
        step: "kubernetes".into(),
    });
    let k = &spec.kube;
    for env in environments(spec) {
        let production = env == "production" || env == spec.production();
        let ns = namespace_for(spec, &env);
        let dir = overlay_for(spec, if production { spec.production() } else { &env });
        let mut patches = Vec::new();
        if !production {
            for t in topology {
                // A StatefulSet keeps its one pod and has no autoscaler.
                let single = t.workload == "StatefulSet";
                if single {
                } else if k.autoscale {
                    patches.push(Patch {
                        target: PatchTarget {
                            kind: "HorizontalPodAutoscaler".into(),
                            name: t.name.clone(),
                        },
                        patch: ops(&[
                            Op {
                                op: "replace",
                                path: "/spec/minReplicas".into(),
                                value: 1.into(),
                            },
                            Op {
                                op: "replace",
                                path: "/spec/maxReplicas".into(),
                                value: 2.into(),
                            },
                        ]),
                    });
                } else {
                    // The workload that owns the pods: the Deployment, or the Rollout that runs
                    // its template (the Deployment then keeps 0).
                    patches.push(Patch {
                        target: PatchTarget {
                            kind: t.workload.clone(),
                            name: t.name.clone(),
                        },
                        patch: ops(&[Op {
                            op: "replace",
                            path: "/spec/replicas".into(),
                            value: 1.into(),
                        }]),
                    });
                }
                let routed = !super::rollout::plugin_routes(spec, &t.name).is_empty();
                if t.workload == "Rollout" && spec.strategy == crate::params::Strategy::Canary && routed {
                    // The traffic plugin finds its HTTPRoutes by namespace, which the overlay's
                    // namespace transformer does not rewrite inside the plugin's settings.
                    patches.push(Patch {
                        target: PatchTarget {
                            kind: "Rollout".into(),
                            name: t.name.clone(),
                        },
                        patch: ops(&[Op {
                            op: "replace",
                            path: format!(
                                "/spec/strategy/canary/trafficRouting/plugins/{}/namespace",
                                super::rollout::GATEWAY_PLUGIN.replace('~', "~0").replace('/', "~1")
                            ),
                            value: ns.clone().into(),
                        }]),
                    });
                }
                patches.push(Patch {
                    target: PatchTarget {
                        kind: pod_owner(&t.workload).into(),
                        name: t.name.clone(),
                    },
                    patch: ops(&[
                        Op {
                            op: "replace",
                            path: "/spec/template/spec/containers/0/resources/requests/cpu".into(),
                            value: half_cpu(&k.resources.cpu_request).into(),
                        },
                        Op {
                            op: "replace",
                            path: "/spec/template/spec/containers/0/resources/requests/memory".into(),
                            value: half_memory(&k.resources.memory_request).into(),
                        },
                    ]),
                });
                if let Some(host) = &t.host {
                    let staged = format!("{}.{host}", name_of(&env));
                    let (kind, paths): (&str, Vec<String>) = match k.route {
                        Route::Ingress => (
                            "Ingress",
                            vec!["/spec/rules/0/host".into(), "/spec/tls/0/hosts/0".into()],
                        ),
                        Route::Gateway => ("HTTPRoute", vec!["/spec/hostnames/0".into()]),
                    };
                    patches.push(Patch {
                        target: PatchTarget {
                            kind: kind.into(),
                            name: t.name.clone(),
                        },
                        patch: ops(&paths
                            .into_iter()
                            .map(|p| Op {
                                op: "replace",
                                path: p,
                                value: staged.clone().into(),
                            })
                            .collect::<Vec<_>>()),
                    });
                    if k.route == Route::Gateway {
                        patches.push(Patch {
                            target: PatchTarget {
                                kind: "HTTPRoute".into(),
                                name: format!("{}-redirect", t.name),
                            },
                            patch: ops(&[Op {
                                op: "replace",
                                path: "/spec/hostnames/0".into(),
                                value: staged.clone().into(),
                            }]),
                        });
                    }
                }
            }
        }
        if !production && k.secret_store.is_some() {
            // Each environment reads its own entries of the store, never production's.
            for svc in &spec.services {
                let keys = svc.env.iter().filter(|e| e.secret).count();
                if keys == 0 {
                    continue;
                }
                let name = name_of(&svc.name);
                patches.push(Patch {
                    target: PatchTarget {
                        kind: "ExternalSecret".into(),
                        name: format!("{name}-secrets"),
                    },
                    patch: ops(&(0..keys)
                        .map(|i| Op {
                            op: "replace",
                            path: format!("/spec/data/{i}/remoteRef/key"),
                            value: super::remote_key(&ns, &name).into(),
                        })
                        .collect::<Vec<_>>()),
                });
            }
        }
        if !production && k.route == Route::Gateway {
            // The environment's own Gateway (the base's, in its namespace) listens on its hosts.
            let exposed: Vec<&Topology> = topology.iter().filter(|t| t.host.is_some()).collect();
            let listeners: Vec<Op> = exposed
                .iter()
                .enumerate()
                .flat_map(|(i, t)| {
                    let staged = format!("{}.{}", name_of(&env), t.host.as_deref().unwrap_or_default());
                    [2 * i, 2 * i + 1].map(|n| Op {
                        op: "replace",
                        path: format!("/spec/listeners/{n}/hostname"),
                        value: staged.clone().into(),
                    })
                })
                .collect();
            if !listeners.is_empty() {
                patches.push(Patch {
                    target: PatchTarget {
                        kind: "Gateway".into(),
                        name: gateway_name(spec),
                    },
                    patch: ops(&listeners),
                });
            }
        }
        let resources = vec!["namespace.yaml".to_string(), "../../base".to_string()];
        let mut patches: Vec<Entry> = patches.into_iter().map(Entry::Inline).collect();
        let deployed = super::gitops::environments(spec)
            .iter()
            .any(|e| overlay_for(spec, e) == dir);
        if k.gitops != crate::params::GitOps::None && deployed {
            // With GitOps each environment the pipeline deploys to pins its own image, in a
            // file the pipeline rewrites (super::gitops::pin_file).
            for t in topology {
                patches.push(Entry::File(FilePatch {
                    path: format!("image-{}.yaml", t.name),
                    target: PatchTarget {
                        kind: pod_owner(&t.workload).into(),
                        name: t.name.clone(),
                    },
                }));
            }
        }
        let kz = Kustomization {
            api_version: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            namespace: Some(ns.clone()),
            resources,
            patches,
        };
        out.push(Artifact {
            path: format!("{dir}/kustomization.yaml"),
            content: yaml::to_string(
                &doc(&kz),
                &if production {
                    format!("Written by Slipway: production, in the {ns} namespace, as the base says.")
                } else {
                    format!(
                        "Written by Slipway: {env}, in the {ns} namespace: fewer replicas, half the requests{}.",
                        if topology.iter().any(|t| t.host.is_some()) {
                            format!(", on {}.<host>", name_of(&env))
                        } else {
                            String::new()
                        }
                    )
                },
            ),
            purpose: format!("the {env} overlay"),
            step: "kubernetes".into(),
        });
        out.push(Artifact {
            path: format!("{dir}/namespace.yaml"),
            content: yaml::to_string(&namespace_doc(&ns), "Written by Slipway."),
            purpose: format!("the {ns} namespace, with the restricted Pod Security level enforced"),
            step: "kubernetes".into(),
        });
    }
    out
}

pub(crate) fn half_cpu(q: &str) -> String {
    match crate::spec::millicores(q) {
        Some(m) => format!("{}m", (m / 2).max(10)),
        None => q.to_string(),
    }
}

pub(crate) fn half_memory(q: &str) -> String {
    match crate::spec::bytes(q) {
        Some(b) => format!("{}Mi", (b / 2 / (1 << 20)).max(32)),
        None => q.to_string(),
    }
}
