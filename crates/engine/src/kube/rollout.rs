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
use crate::params::{Mesh, Route, Strategy};
use crate::spec::{DeploySpec, PrometheusSpec, RequestMetric, ServiceSpec};
use crate::write::Yaml;

/// The Gateway API traffic router plugin's name in the controller's configuration.
pub const GATEWAY_PLUGIN: &str = "argoproj-labs/gatewayAPI";

/// The progressive strategy a service gets: canary or blue-green with Argo Rollouts when the
/// spec asks for one, for a service that answers on a port, in every packaging (Kustomize's
/// base and a chart's templates are the plain manifests).
pub fn strategy_for(spec: &DeploySpec, svc: &ServiceSpec) -> Option<Strategy> {
    // Argo's workloadRef takes a Deployment: a service that owns a volume is a StatefulSet.
    let packaged = spec.kube.rollouts == crate::params::Rollouts::Argo && svc.data_path.is_none();
    match spec.strategy {
        Strategy::Canary | Strategy::BlueGreen if super::serves(svc) && packaged => Some(spec.strategy),
        _ => None,
    }
}

/// The two slots of a blue-green without Argo Rollouts; the first serves after the first deploy.
pub const SLOTS: [&str; 2] = ["blue", "green"];

/// The label that tells the slots' pods apart, and that each Service selects one slot by.
pub const SLOT_LABEL: &str = "slot";

/// The plain-Kubernetes blue-green in words, for the picture and the runbook.
pub const SLOT_WORDS: &str =
    "blue-green without Argo: the new version starts in the idle slot, is checked through the preview Service, then the Service switches to it";

/// True when `svc` gets the blue-green that needs nothing in the cluster beyond Kubernetes:
/// two Deployments, one per slot, and the pipeline switching the Service's selector.
pub fn plain_blue_green(spec: &DeploySpec, svc: &ServiceSpec) -> bool {
    spec.strategy == Strategy::BlueGreen
        && spec.kube.rollouts == crate::params::Rollouts::Kubectl
        && spec.kube.packaging == crate::params::Packaging::Manifests
        && spec.kube.gitops == crate::params::GitOps::None
        && super::serves(svc)
        && svc.data_path.is_none()
}

/// `dep` as the Deployment of one slot: its own name, the slot label on its selector and its
/// pods, and no replicas (the pipeline scales the slot it starts, the autoscaler the one that
/// serves).
pub fn slot_deployment(
    dep: &k8s_openapi::api::apps::v1::Deployment,
    name: &str,
    slot: &str,
) -> k8s_openapi::api::apps::v1::Deployment {
    let mut d = dep.clone();
    d.metadata.name = Some(format!("{name}-{slot}"));
    if let Some(ds) = d.spec.as_mut() {
        ds.replicas = None;
        ds.selector
            .match_labels
            .get_or_insert_with(BTreeMap::new)
            .insert(s(SLOT_LABEL), s(slot));
        if let Some(m) = ds.template.metadata.as_mut() {
            m.labels
                .get_or_insert_with(BTreeMap::new)
                .insert(s(SLOT_LABEL), s(slot));
        }
    }
    d
}

/// Why a slot's Deployment has no replicas.
pub fn slot_note(name: &str, deployed: &str, autoscaled: bool) -> String {
    let owner = if autoscaled {
        format!("the HorizontalPodAutoscaler {name} owns the serving slot's count")
    } else {
        s("the pipeline gives the new slot the serving slot's count")
    };
    format!(
        "No replicas field: {owner},\nand the slot that no longer serves is scaled to 0 after the switch. Applying this file never\nchanges {deployed}'s count."
    )
}

/// The serving Service (the stable one, on the first slot) and the preview Service (on the
/// second), from the stable Service.
pub fn slot_services(stable: &Service, name: &str) -> (Service, Service) {
    let on = |svc: &Service, slot: &str| {
        let mut out = svc.clone();
        if let Some(ss) = out.spec.as_mut() {
            ss.selector
                .get_or_insert_with(BTreeMap::new)
                .insert(s(SLOT_LABEL), s(slot));
        }
        out
    };
    (
        on(stable, SLOTS[0]),
        on(&second_service(stable, name, Strategy::BlueGreen), SLOTS[1]),
    )
}

/// The Job the pipeline runs against the idle slot before switching: the health path through
/// the preview Service, from a pod the NetworkPolicy admits as part of the app.
pub fn smoke_job(spec: &DeploySpec, name: &str, port: u16, path: &str) -> Yaml {
    let job = k8s_openapi::api::batch::v1::Job {
        metadata: meta(&format!("{name}-smoke"), spec, "test"),
        spec: Some(smoke_spec(
            spec,
            name,
            format!("http://{}:{port}{path}", second_service_name(name, Strategy::BlueGreen)),
        )),
        ..Default::default()
    };
    let mut d = doc(&job);
    note(
        &mut d,
        &["spec", "template"],
        "Not applied with the folder: the pipeline deletes and creates it for each deploy, and a\nfailure leaves the serving slot as it is.",
    );
    d
}

/// The one-shot Job that asks `url` for a success: the curl pod, labelled as part of the app
/// (the NetworkPolicy admits it) and kept out of the mesh (so it finishes), given two minutes.
fn smoke_spec(spec: &DeploySpec, name: &str, url: String) -> JobSpec {
    let (mesh_labels, mesh_annotations) = super::outside_mesh(spec.kube.mesh);
    let mut labels = BTreeMap::from([
        (s("app.kubernetes.io/component"), s("test")),
        (s("app.kubernetes.io/name"), format!("{name}-smoke")),
        (s("app.kubernetes.io/part-of"), spec.kube.namespace.clone()),
    ]);
    labels.extend(mesh_labels);
    let annotations: BTreeMap<String, String> = mesh_annotations.into_iter().collect();
    JobSpec {
        backoff_limit: Some(0),
        active_deadline_seconds: Some(120),
        ttl_seconds_after_finished: Some(600),
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(labels),
                annotations: (!annotations.is_empty()).then_some(annotations),
                ..Default::default()
            }),
            spec: Some(super::health_check_pod(url)),
        },
        ..Default::default()
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
            value_from: None,
        }],
    }
}

/// The share of the new pods' answers that may be server errors before a rollout goes back.
pub const MAX_ERROR_RATE: &str = "0.01";

/// The Prometheus and the request counter a rollout of `svc` checks the new pods' error rate
/// with: both must be known (the spec's `prometheus`, and a metrics library that counts
/// requests by itself).
pub fn error_check<'a>(spec: &'a DeploySpec, svc: &'a ServiceSpec) -> Option<(&'a PrometheusSpec, &'a RequestMetric)> {
    Some((spec.kube.prometheus.as_ref()?, svc.metrics.as_ref()?.requests.as_ref()?))
}

/// The error-rate check's arguments, as the Rollout fills them: its own namespace, and the
/// template hash of the version it rolls out (the new pods' names carry it).
fn error_args() -> Vec<crd::Arg> {
    vec![
        crd::Arg {
            name: s("namespace"),
            value: None,
            value_from: Some(crd::ArgFrom {
                pod_template_hash_value: None,
                field_ref: Some(crd::FieldRef {
                    field_path: s("metadata.namespace"),
                }),
            }),
        },
        crd::Arg {
            name: s("new-hash"),
            value: None,
            value_from: Some(crd::ArgFrom {
                pod_template_hash_value: Some(s("Latest")),
                field_ref: None,
            }),
        },
    ]
}

/// The PromQL of the error-rate check: the share of the new pods' answers that are server
/// errors over the last two minutes, 0 when they had no requests (so the query always returns
/// one number), and the count of new pods Prometheus scrapes.
pub fn error_queries(name: &str, metric: &RequestMetric) -> (String, String) {
    let pods = format!(r#"namespace="{{{{args.namespace}}}}", pod=~"{name}-{{{{args.new-hash}}}}-.*""#);
    let errors = format!(
        "(sum(rate({c}{{{pods}, {e}}}[2m])) or vector(0))\n  /\n((sum(rate({c}{{{pods}}}[2m])) > 0) or vector(1))",
        c = metric.counter,
        e = metric.errors
    );
    let scraped = format!("sum(up{{{pods}}}) or vector(0)");
    (errors, scraped)
}

/// The name of the error-rate check's template.
pub fn errors_template_name(name: &str) -> String {
    format!("{name}-errors")
}

/// The check that reads the new pods' error rate from Prometheus while they take requests:
/// beside a canary's steps until it ends, and for five minutes after a blue-green switch.
/// It fails when more than [`MAX_ERROR_RATE`] of their answers are server errors in two
/// measurements, or when Prometheus scrapes none of them (a check that sees nothing passes
/// nothing).
pub fn errors_template(
    spec: &DeploySpec,
    name: &str,
    strategy: Strategy,
    prometheus: &PrometheusSpec,
    metric: &RequestMetric,
) -> Yaml {
    let (errors, scraped) = error_queries(name, metric);
    // A canary's background check runs until the rollout ends; after a blue-green switch it
    // runs five times, while the old pods wait to take the traffic back.
    let count = (strategy == Strategy::BlueGreen).then_some(5);
    let measure = |metric: &str, query: String, condition: String, failure_limit: i32| crd::Metric {
        name: s(metric),
        count,
        interval: s("1m"),
        success_condition: Some(condition),
        failure_limit,
        provider: crd::MetricProvider {
            job: None,
            prometheus: Some(crd::PrometheusMetric {
                address: prometheus.url.clone(),
                query,
            }),
        },
    };
    let t = crd::Resource {
        api_version: s("argoproj.io/v1alpha1"),
        kind: s("AnalysisTemplate"),
        metadata: meta(&errors_template_name(name), spec, "web"),
        spec: crd::AnalysisTemplateSpec {
            args: vec![
                crd::Arg {
                    name: s("namespace"),
                    value: None,
                    value_from: None,
                },
                crd::Arg {
                    name: s("new-hash"),
                    value: None,
                    value_from: None,
                },
            ],
            metrics: vec![
                measure("scraped", scraped, s("result[0] >= 1"), 2),
                measure("errors", errors, format!("result[0] <= {MAX_ERROR_RATE}"), 1),
            ],
        },
    };
    let mut d = doc(&t);
    note(
        &mut d,
        &["spec", "metrics"],
        format!(
            "Every minute: scraped asks Prometheus whether it scrapes the new pods (podmonitor.yaml; three misses\nfail it), errors for the share of their answers that are server errors ({metric}). More than\n{pct}% twice fails the rollout and every request goes back to the stable version.",
            metric = metric.counter,
            pct = (MAX_ERROR_RATE.parse::<f64>().unwrap_or(0.01) * 100.0).round()
        ),
    );
    d
}

/// The PodMonitor that has the Prometheus Operator scrape `name`'s pods on their own port,
/// labelled for the Prometheus that selects it.
pub fn pod_monitor(spec: &DeploySpec, name: &str, path: &str, prometheus: &PrometheusSpec) -> Yaml {
    let mut metadata = meta(name, spec, "web");
    metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(s("release"), prometheus.release.clone());
    let m = crd::Resource {
        api_version: s("monitoring.coreos.com/v1"),
        kind: s("PodMonitor"),
        metadata,
        spec: crd::PodMonitorSpec {
            selector: crd::LabelSelectorSpec {
                match_labels: selector_labels(name),
            },
            pod_metrics_endpoints: vec![crd::PodMetricsEndpoint {
                port: s("http"),
                path: s(path),
                interval: s("30s"),
            }],
        },
    };
    let mut d = doc(&m);
    note(
        &mut d,
        &["metadata", "labels"],
        format!(
            "release: the label your Prometheus selects PodMonitors by ({}, set prometheus_release in\nslipway.toml); without it Prometheus ignores this object and the rollout's check sees nothing.",
            prometheus.release
        ),
    );
    note(
        &mut d,
        &["spec", "podMetricsEndpoints"],
        "Each pod rather than the Service: the stable and the new pods are scraped apart, so the\nrollout's check reads the new version's own error rate.",
    );
    d
}

/// The mesh route a canary's in-cluster requests are split on: Linkerd's HTTPRoute attached to
/// the Service (Gateway API's mesh profile); Istio's VirtualService takes the Service's name.
pub fn mesh_route_name(name: &str) -> String {
    format!("{name}-mesh")
}

/// The objects through which the mesh splits a canary's requests inside the cluster, each with
/// its file name and purpose: for Istio a VirtualService with the stable and canary Services as
/// weighted destinations and a DestinationRule that ejects failing pods; for Linkerd an
/// HTTPRoute on the Service with both as weighted backends. Argo Rollouts moves the weights.
pub fn mesh_objects(spec: &DeploySpec, name: &str, port: u16) -> Vec<(&'static str, Vec<Yaml>, String)> {
    let canary = second_service_name(name, Strategy::Canary);
    match spec.kube.mesh {
        Mesh::None => Vec::new(),
        Mesh::Istio => {
            let dest = |host: &str, weight: i32| crd::VsDestination {
                destination: crd::Destination {
                    host: s(host),
                    port: crd::PortSelector { number: port },
                },
                weight,
            };
            let vs = crd::Resource {
                api_version: s("networking.istio.io/v1"),
                kind: s("VirtualService"),
                metadata: meta(name, spec, "web"),
                spec: crd::VirtualServiceSpec {
                    hosts: vec![s(name)],
                    http: vec![crd::VsHttpRoute {
                        name: s("primary"),
                        route: vec![dest(name, 100), dest(&canary, 0)],
                    }],
                },
            };
            let mut vd = doc(&vs);
            note(
                &mut vd,
                &["spec", "http"],
                format!(
                    "Requests from pods in the mesh to {name}: Argo Rollouts moves these weights during a canary\n(100/0 at rest). Requests from the ingress follow them only if its controller is in the mesh."
                ),
            );
            let dr = crd::Resource {
                api_version: s("networking.istio.io/v1"),
                kind: s("DestinationRule"),
                metadata: meta(name, spec, "web"),
                spec: crd::DestinationRuleSpec {
                    host: s(name),
                    traffic_policy: crd::TrafficPolicy {
                        outlier_detection: crd::OutlierDetection {
                            consecutive_5xx_errors: 5,
                            interval: s("10s"),
                            base_ejection_time: s("30s"),
                            max_ejection_percent: 50,
                        },
                    },
                },
            };
            let mut dd = doc(&dr);
            note(
                &mut dd,
                &["spec", "trafficPolicy"],
                "A stable pod that answers 5xx five times in a row leaves the pool for 30 s; never more than\nhalf the pods at once. The canary's Service has no such rule: its errors stay visible to the\nchecks.",
            );
            vec![
                (
                    "virtualservice.yaml",
                    vec![vd],
                    format!("Istio's in-mesh split of {name}'s requests between the stable and the canary pods"),
                ),
                (
                    "destinationrule.yaml",
                    vec![dd],
                    format!("how the mesh's clients treat {name}: failing pods are ejected for a while"),
                ),
            ]
        }
        Mesh::Linkerd => {
            let route = crd::Resource {
                api_version: s("gateway.networking.k8s.io/v1"),
                kind: s("HTTPRoute"),
                metadata: meta(&mesh_route_name(name), spec, "web"),
                spec: crd::HttpRouteSpec {
                    parent_refs: vec![crd::ParentRef {
                        name: s(name),
                        namespace: None,
                        section_name: None,
                        kind: Some(s("Service")),
                        group: Some(String::new()),
                        port: Some(port),
                    }],
                    hostnames: Vec::new(),
                    rules: vec![crd::HttpRouteRule {
                        matches: vec![crd::HttpRouteMatch {
                            path: crd::PathMatch {
                                kind: s("PathPrefix"),
                                value: s("/"),
                            },
                        }],
                        filters: Vec::new(),
                        backend_refs: vec![
                            crd::BackendRef {
                                name: s(name),
                                port,
                                weight: Some(100),
                            },
                            crd::BackendRef {
                                name: canary.clone(),
                                port,
                                weight: Some(0),
                            },
                        ],
                    }],
                },
            };
            let mut rd = doc(&route);
            note(
                &mut rd,
                &["spec", "parentRefs"],
                format!(
                    "Attached to the Service, not a Gateway: Linkerd's proxies apply it to every request for {name}\ninside the mesh, and Argo Rollouts moves the weights during a canary (100/0 at rest)."
                ),
            );
            vec![(
                "httproute-mesh.yaml",
                vec![rd],
                format!("Linkerd's in-mesh split of {name}'s requests between the stable and the canary pods"),
            )]
        }
    }
}

/// The HTTPRoutes whose weights the Gateway API plugin moves in a canary of `name`: the
/// north-south route through a Gateway, Linkerd's route on the Service, both or none.
pub fn plugin_routes(spec: &DeploySpec, name: &str) -> Vec<String> {
    let mut routes = Vec::new();
    if spec.kube.route == Route::Gateway {
        routes.push(s(name));
    }
    if spec.kube.mesh == Mesh::Linkerd {
        routes.push(mesh_route_name(name));
    }
    routes
}

/// The routers a canary of `name` moves weights on: the north-south HTTPRoute through a
/// Gateway, the mesh's route, both, or none (then the weights are shares of pods).
fn traffic_routing(spec: &DeploySpec, name: &str) -> Option<crd::TrafficRouting> {
    let k = &spec.kube;
    let mut routes = plugin_routes(spec, name);
    let mut plugins = BTreeMap::new();
    match routes.len() {
        0 => {}
        1 => {
            plugins.insert(
                s(GATEWAY_PLUGIN),
                crd::GatewayPlugin {
                    http_route: routes.pop(),
                    http_routes: Vec::new(),
                    namespace: k.namespace.clone(),
                },
            );
        }
        _ => {
            plugins.insert(
                s(GATEWAY_PLUGIN),
                crd::GatewayPlugin {
                    http_route: None,
                    http_routes: routes.into_iter().map(|name| crd::NamedRoute { name }).collect(),
                    namespace: k.namespace.clone(),
                },
            );
        }
    }
    let istio = (k.mesh == Mesh::Istio).then(|| crd::IstioRouting {
        virtual_services: vec![crd::IstioVirtualServiceRef {
            name: s(name),
            routes: vec![s("primary")],
        }],
    });
    (!plugins.is_empty() || istio.is_some()).then_some(crd::TrafficRouting { plugins, istio })
}

/// Where a canary's weights are shares of requests, in words.
fn split_words(spec: &DeploySpec) -> Option<&'static str> {
    match (spec.kube.route, spec.kube.mesh) {
        (Route::Gateway, Mesh::Istio) => Some("through the Gateway API plugin and Istio's VirtualService"),
        (Route::Gateway, Mesh::Linkerd) => Some("through the Gateway API plugin, at the Gateway and in Linkerd's mesh"),
        (Route::Gateway, Mesh::None) => Some("through the Gateway API plugin"),
        (Route::Ingress, Mesh::Istio) => Some("inside the mesh through Istio's VirtualService"),
        (Route::Ingress, Mesh::Linkerd) => Some("inside the mesh through Linkerd's HTTPRoute"),
        (Route::Ingress, Mesh::None) => None,
    }
}

/// The Rollout of `name`, with its notes.
pub fn rollout(spec: &DeploySpec, svc: &ServiceSpec, name: &str, strategy: Strategy) -> Yaml {
    let k = &spec.kube;
    let errors = error_check(spec, svc).map(|_| crd::Analysis {
        templates: vec![crd::TemplateRef {
            template_name: errors_template_name(name),
        }],
        args: error_args(),
    });
    let strategy_spec = match strategy {
        Strategy::BlueGreen => crd::RolloutStrategy {
            canary: None,
            blue_green: Some(crd::BlueGreen {
                active_service: s(name),
                preview_service: second_service_name(name, strategy),
                auto_promotion_enabled: true,
                pre_promotion_analysis: smoke(name, &second_service_name(name, strategy)),
                post_promotion_analysis: errors.clone(),
                scale_down_delay_seconds: 30,
            }),
        },
        _ => crd::RolloutStrategy {
            canary: Some(crd::Canary {
                canary_service: second_service_name(name, strategy),
                stable_service: s(name),
                max_surge: s("25%"),
                max_unavailable: 0,
                traffic_routing: traffic_routing(spec, name),
                // From the first step with requests on the new pods to the end.
                analysis: errors.clone().map(|a| crd::BackgroundAnalysis {
                    templates: a.templates,
                    starting_step: 1,
                    args: a.args,
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
    let watched = if errors.is_some() {
        format!(
            "\nThroughout, {} reads the new pods' error rate from Prometheus; above {}% it aborts.",
            errors_template_name(name),
            (MAX_ERROR_RATE.parse::<f64>().unwrap_or(0.01) * 100.0).round()
        )
    } else {
        String::new()
    };
    let words = match strategy {
        Strategy::BlueGreen if errors.is_some() => format!(
            "Blue-green: the new version comes up behind {name}-preview; once {name}-smoke has asked it for\nthe health path, {name} switches to it. For five minutes {} then reads its error rate\nfrom Prometheus, and above {}% switches back to the old pods, kept up until then.",
            errors_template_name(name),
            (MAX_ERROR_RATE.parse::<f64>().unwrap_or(0.01) * 100.0).round()
        ),
        Strategy::BlueGreen => format!(
            "Blue-green: the new version comes up behind {name}-preview; once {name}-smoke has asked it for\nthe health path, {name} switches to it, and the old pods stay 30 s for requests in flight."
        ),
        _ if split_words(spec).is_some() => format!(
            "Canary {}:\n10% of requests, {name}-smoke asks the new pods for the health path, 5 min, 50%, 5 min,\nthen all. A failed check returns every request to the stable pods.{watched}",
            split_words(spec).unwrap_or_default()
        ),
        _ => format!(
            "Canary by pod count (an Ingress cannot split by weight): 10% of the pods, {name}-smoke asks\nthem for the health path, 5 min, 50%, 5 min, then all. A failed check scales the new pods away.{watched}"
        ),
    };
    note(&mut d, &["spec", "strategy"], words);
    d
}

/// The check the rollout runs before moving traffic on: a Job that asks the Service named by
/// the `service` argument for the health path, three times 20 s apart; one failure aborts.
pub fn analysis_template(spec: &DeploySpec, name: &str, port: u16, path: &str, errors: bool) -> Yaml {
    let t = crd::Resource {
        api_version: s("argoproj.io/v1alpha1"),
        kind: s("AnalysisTemplate"),
        metadata: meta(&format!("{name}-smoke"), spec, "web"),
        spec: crd::AnalysisTemplateSpec {
            args: vec![crd::Arg {
                name: s("service"),
                value: None,
                value_from: None,
            }],
            metrics: vec![crd::Metric {
                name: s("health"),
                count: Some(3),
                interval: s("20s"),
                success_condition: None,
                failure_limit: 0,
                provider: crd::MetricProvider {
                    job: Some(crd::JobMetric {
                        spec: smoke_spec(spec, name, format!("http://{{{{args.service}}}}:{port}{path}")),
                    }),
                    prometheus: None,
                },
            }],
        },
    };
    let mut d = doc(&t);
    note(
        &mut d,
        &["spec", "metrics"],
        if errors {
            format!("No Prometheus needed: the check is an HTTP request from inside the namespace (the NetworkPolicy\nadmits it as part of the app). The error rate is {}, below.", errors_template_name(name))
        } else {
            s("No Prometheus needed: the check is an HTTP request from inside the namespace (the NetworkPolicy\nadmits it as part of the app). Code that counts its requests with a metrics library gets an\nerror-rate check in Prometheus as well.")
        },
    );
    d
}

/// The rollout in words, for the picture and the runbook.
pub fn words(spec: &DeploySpec, strategy: Strategy) -> String {
    match strategy {
        Strategy::BlueGreen => {
            s("blue-green with Argo Rollouts: the new version behind a preview Service, checked, then switched to")
        }
        _ if spec.kube.mesh != Mesh::None => format!(
            "canary with Argo Rollouts and {}: 10% of requests, checked, 5 min, 50%, 5 min, then all",
            if spec.kube.mesh == Mesh::Istio {
                "Istio"
            } else {
                "Linkerd"
            }
        ),
        _ if spec.kube.route == Route::Gateway => {
            s("canary with Argo Rollouts: 10% of requests, checked, 5 min, 50%, 5 min, then all")
        }
        _ => s("canary with Argo Rollouts, by pod count: 10% of pods, checked, 5 min, 50%, 5 min, then all"),
    }
}
