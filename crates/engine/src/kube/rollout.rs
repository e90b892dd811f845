//! Canary and blue-green rollouts with Argo Rollouts (1.9, `argoproj.io/v1alpha1`).
//!
//! The Deployment stays the one description of the pod and is written with no replicas; a
//! `Rollout` runs its template through `workloadRef` and owns the pods, the autoscaler's target
//! and the rollback. A second Service reaches only the new version (Argo adds the pod-template
//! hash to both Services' selectors), and an `AnalysisTemplate` asks it for the health path from
//! inside the namespace before any user traffic moves on. Through the Gateway API the canary's
//! weights are shares of requests (the Gateway API traffic router plugin); through an Ingress
//! they are shares of pods, and the runbook says so.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::{PodTemplateSpec, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::{crd, doc, meta, note, s, selector_labels};
use crate::params::{Route, Strategy};
use crate::spec::{DeploySpec, ServiceSpec};
use crate::write::Yaml;

/// The Gateway API traffic router plugin's name in the controller's configuration.
pub const GATEWAY_PLUGIN: &str = "argoproj-labs/gatewayAPI";

/// The progressive strategy a service gets: canary or blue-green when the spec asks for one,
/// for a service that answers on a port and is written as plain manifests.
pub fn strategy_for(spec: &DeploySpec, svc: &ServiceSpec) -> Option<Strategy> {
    let plain = spec.kube.packaging == crate::params::Packaging::Manifests;
    match spec.strategy {
        Strategy::Canary | Strategy::BlueGreen if super::serves(svc) && plain => Some(spec.strategy),
        _ => None,
    }
}

/// The Service beside the stable one: `-canary` for a canary, `-preview` for blue-green.
pub fn second_service_name(name: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::BlueGreen => format!("{name}-preview"),
        _ => format!("{name}-canary"),
    }
}

/// The second Service: the stable one's copy under another name; Argo pins each to its pods.
pub fn second_service(stable: &Service, name: &str, strategy: Strategy) -> Service {
    let mut other = stable.clone();
    other.metadata.name = Some(second_service_name(name, strategy));
    other
}

/// The canary's steps: a tenth, checked, then half, each held for five minutes.
fn canary_steps(name: &str) -> Vec<crd::CanaryStep> {
    vec![
        crd::CanaryStep {
            set_weight: Some(10),
            ..Default::default()
        },
        crd::CanaryStep {
            analysis: Some(smoke(name, &second_service_name(name, Strategy::Canary))),
            ..Default::default()
        },
        crd::CanaryStep {
            pause: Some(crd::Pause { duration: s("5m") }),
            ..Default::default()
        },
        crd::CanaryStep {
            set_weight: Some(50),
            ..Default::default()
        },
        crd::CanaryStep {
            pause: Some(crd::Pause { duration: s("5m") }),
            ..Default::default()
        },
    ]
}

fn smoke(name: &str, service: &str) -> crd::Analysis {
    crd::Analysis {
        templates: vec![crd::TemplateRef {
            template_name: format!("{name}-smoke"),
        }],
        args: vec![crd::Arg {
            name: s("service"),
            value: Some(s(service)),
        }],
    }
}

/// The Rollout of `name`, with its notes.
pub fn rollout(spec: &DeploySpec, name: &str, strategy: Strategy) -> Yaml {
    let k = &spec.kube;
    let gateway = k.route == Route::Gateway;
    let strategy_spec = match strategy {
        Strategy::BlueGreen => crd::RolloutStrategy {
            canary: None,
            blue_green: Some(crd::BlueGreen {
                active_service: s(name),
                preview_service: second_service_name(name, strategy),
                auto_promotion_enabled: true,
                pre_promotion_analysis: smoke(name, &second_service_name(name, strategy)),
                scale_down_delay_seconds: 30,
            }),
        },
        _ => crd::RolloutStrategy {
            canary: Some(crd::Canary {
                canary_service: second_service_name(name, strategy),
                stable_service: s(name),
                max_surge: s("25%"),
                max_unavailable: 0,
                traffic_routing: gateway.then(|| crd::TrafficRouting {
                    plugins: BTreeMap::from([(
                        s(GATEWAY_PLUGIN),
                        crd::GatewayPlugin {
                            http_route: s(name),
                            namespace: k.namespace.clone(),
                        },
                    )]),
                }),
                steps: canary_steps(name),
            }),
            blue_green: None,
        },
    };
    let r = crd::Resource {
        api_version: s("argoproj.io/v1alpha1"),
        kind: s("Rollout"),
        metadata: meta(name, spec, "web"),
        spec: crd::RolloutSpec {
            replicas: (!k.autoscale).then_some(k.replicas as i32),
            revision_history_limit: 5,
            selector: LabelSelector {
                match_labels: Some(selector_labels(name)),
                ..Default::default()
            },
            workload_ref: crd::WorkloadRef {
                api_version: s("apps/v1"),
                kind: s("Deployment"),
                name: s(name),
                scale_down: s("never"),
            },
            strategy: strategy_spec,
        },
    };
    let mut d = doc(&r);
    note(
        &mut d,
        &["spec", "workloadRef"],
        "The pods are the Deployment's template (deployment.yaml, written with no replicas): change the\nimage or the pod there, and this Rollout rolls it out.",
    );
    let words = match strategy {
        Strategy::BlueGreen => format!(
            "Blue-green: the new version comes up behind {name}-preview; once {name}-smoke has asked it for\nthe health path, {name} switches to it, and the old pods stay 30 s for requests in flight."
        ),
        _ if gateway => format!(
            "Canary through the Gateway API plugin: 10% of requests, {name}-smoke asks the new pods for the\nhealth path, 5 min, 50%, 5 min, then all. A failed check returns every request to the stable pods."
        ),
        _ => format!(
            "Canary by pod count (an Ingress cannot split by weight): 10% of the pods, {name}-smoke asks\nthem for the health path, 5 min, 50%, 5 min, then all. A failed check scales the new pods away."
        ),
    };
    note(&mut d, &["spec", "strategy"], words);
    d
}

/// The check the rollout runs before moving traffic on: a Job that asks the Service named by
/// the `service` argument for the health path, three times 20 s apart; one failure aborts.
pub fn analysis_template(spec: &DeploySpec, name: &str, port: u16, path: &str) -> Yaml {
    let labels = BTreeMap::from([
        (s("app.kubernetes.io/component"), s("test")),
        (s("app.kubernetes.io/name"), format!("{name}-smoke")),
        (s("app.kubernetes.io/part-of"), spec.kube.namespace.clone()),
    ]);
    let t = crd::Resource {
        api_version: s("argoproj.io/v1alpha1"),
        kind: s("AnalysisTemplate"),
        metadata: meta(&format!("{name}-smoke"), spec, "web"),
        spec: crd::AnalysisTemplateSpec {
            args: vec![crd::Arg {
                name: s("service"),
                value: None,
            }],
            metrics: vec![crd::Metric {
                name: s("health"),
                count: 3,
                interval: s("20s"),
                failure_limit: 0,
                provider: crd::MetricProvider {
                    job: crd::JobMetric {
                        spec: JobSpec {
                            backoff_limit: Some(0),
                            active_deadline_seconds: Some(120),
                            ttl_seconds_after_finished: Some(600),
                            template: PodTemplateSpec {
                                metadata: Some(ObjectMeta {
                                    labels: Some(labels),
                                    ..Default::default()
                                }),
                                spec: Some(super::health_check_pod(format!(
                                    "http://{{{{args.service}}}}:{port}{path}"
                                ))),
                            },
                            ..Default::default()
                        },
                    },
                },
            }],
        },
    };
    let mut d = doc(&t);
    note(
        &mut d,
        &["spec", "metrics"],
        "No Prometheus needed: the check is an HTTP request from inside the namespace (the NetworkPolicy\nadmits it as part of the app). With metrics, add an error-rate query here.",
    );
    d
}

/// The rollout in words, for the picture and the runbook.
pub fn words(spec: &DeploySpec, strategy: Strategy) -> String {
    match strategy {
        Strategy::BlueGreen => {
            s("blue-green with Argo Rollouts: the new version behind a preview Service, checked, then switched to")
        }
        _ if spec.kube.route == Route::Gateway => {
            s("canary with Argo Rollouts: 10% of requests, checked, 5 min, 50%, 5 min, then all")
        }
        _ => s("canary with Argo Rollouts, by pod count: 10% of pods, checked, 5 min, 50%, 5 min, then all"),
    }
}
