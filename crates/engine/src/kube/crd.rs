//! The custom resources the Kubernetes family writes, as small typed structs with only the
//! fields it emits. Their shapes follow the CRDs' own schemas (cert-manager v1.21, Gateway API
//! v1.6, the Vertical Pod Autoscaler v1), which the tests validate them against.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// A custom resource: `apiVersion`, `kind`, `metadata`, `spec`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource<S> {
    /// `group/version`.
    pub api_version: String,
    /// The kind.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// What the kind's controller reads.
    pub spec: S,
}

/// A cert-manager `ClusterIssuer`'s spec, for ACME.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerSpec {
    /// The ACME account and how challenges are solved.
    pub acme: Acme,
}

/// The ACME settings of an issuer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Acme {
    /// The directory URL of the ACME server.
    pub server: String,
    /// The account's e-mail, for expiry notices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The Secret that holds the account's private key.
    pub private_key_secret_ref: SecretRef,
    /// How challenges are answered.
    pub solvers: Vec<Solver>,
}

/// A Secret by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretRef {
    /// The Secret's name.
    pub name: String,
}

/// One ACME challenge solver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solver {
    /// HTTP-01: a temporary route answers the challenge.
    pub http01: Http01,
}

/// An HTTP-01 solver: through an Ingress class or a Gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http01 {
    /// Through an Ingress of this class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<IngressSolver>,
    /// Through an HTTPRoute on these Gateways.
    #[serde(rename = "gatewayHTTPRoute", skip_serializing_if = "Option::is_none")]
    pub gateway_http_route: Option<GatewaySolver>,
}

/// The Ingress class that serves the challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressSolver {
    /// `spec.ingressClassName` of the solver's Ingress (not the retired `class`).
    pub ingress_class_name: String,
}

/// The Gateways whose HTTP listener serves the challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySolver {
    /// The Gateway listeners.
    pub parent_refs: Vec<ParentRef>,
}

/// A Gateway (and listener) a route attaches to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// The Gateway's name.
    pub name: String,
    /// Its namespace, when another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The listener's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// `Gateway`, or `Service` for a mesh route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `""` (the core group) for a Service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The Service port a mesh route applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// A Gateway API `Gateway`'s spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    /// The controller's GatewayClass.
    pub gateway_class_name: String,
    /// Its listeners.
    pub listeners: Vec<Listener>,
}

/// One listener of a Gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    /// `http` or `https`.
    pub name: String,
    /// The host name it answers for.
    pub hostname: String,
    /// 80 or 443.
    pub port: u16,
    /// `HTTP` or `HTTPS`.
    pub protocol: String,
    /// The certificate, for HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
    /// Routes from which namespaces may attach.
    pub allowed_routes: AllowedRoutes,
}

/// How an HTTPS listener terminates TLS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    /// `Terminate`.
    pub mode: String,
    /// The Secret cert-manager writes the certificate to.
    pub certificate_refs: Vec<CertificateRef>,
}

/// A certificate Secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateRef {
    /// `Secret`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// Which routes may attach to a listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowedRoutes {
    /// From which namespaces.
    pub namespaces: RouteNamespaces,
}

/// `Same`, `All` or `Selector`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteNamespaces {
    /// `Same`: only routes in the Gateway's namespace.
    pub from: String,
}

/// A Gateway API `HTTPRoute`'s spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// The listeners it attaches to.
    pub parent_refs: Vec<ParentRef>,
    /// The host names it serves (none on a mesh route: the Service is the address).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub hostnames: Vec<String>,
    /// What it does with requests.
    pub rules: Vec<HttpRouteRule>,
}

/// One rule of an HTTPRoute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// Which requests.
    pub matches: Vec<HttpRouteMatch>,
    /// Filters (a redirect to HTTPS).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub filters: Vec<HttpRouteFilter>,
    /// Where they go, with weights.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub backend_refs: Vec<BackendRef>,
}

/// A path match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HttpRouteMatch {
    /// The path.
    pub path: PathMatch,
}

/// `PathPrefix` and the prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathMatch {
    /// `PathPrefix`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `/`.
    pub value: String,
}

/// A route filter: here only a redirect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteFilter {
    /// `RequestRedirect`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The redirect.
    pub request_redirect: RequestRedirect,
}

/// Where a redirect sends the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRedirect {
    /// `https`.
    pub scheme: String,
    /// 301.
    pub status_code: u16,
}

/// A Service a route sends requests to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendRef {
    /// The Service.
    pub name: String,
    /// Its port.
    pub port: u16,
    /// The share of requests, for splits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

/// A `VerticalPodAutoscaler`'s spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpaSpec {
    /// The workload it watches.
    pub target_ref: TargetRef,
    /// `Off`: recommendations only.
    pub update_policy: UpdatePolicy,
    /// Bounds per container.
    pub resource_policy: ResourcePolicy,
}

/// A workload by kind and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    /// `apps/v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// When the VPA acts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePolicy {
    /// `Off`, `Initial`, `Recreate` or `InPlaceOrRecreate` (`Auto` is deprecated).
    pub update_mode: String,
}

/// Per-container bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourcePolicy {
    /// One per container.
    pub container_policies: Vec<ContainerPolicy>,
}

/// What the VPA may recommend for one container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPolicy {
    /// The container.
    pub container_name: String,
    /// `cpu`, `memory`.
    pub controlled_resources: Vec<String>,
    /// The floor.
    pub min_allowed: std::collections::BTreeMap<String, String>,
    /// The ceiling.
    pub max_allowed: std::collections::BTreeMap<String, String>,
}

/// An External Secrets `ExternalSecret`'s spec (`external-secrets.io/v1`): which store, how
/// often, the Secret it keeps in sync, and where each key comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    /// How often the operator reads the store again, as a duration (`1h`).
    pub refresh_interval: String,
    /// The store the values come from.
    pub secret_store_ref: StoreRef,
    /// The Secret the operator writes and owns.
    pub target: SecretTarget,
    /// One entry per key of the Secret.
    pub data: Vec<SecretData>,
}

/// A `SecretStore` or `ClusterSecretStore` by kind and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreRef {
    /// `ClusterSecretStore` or `SecretStore`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// The Secret an `ExternalSecret` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretTarget {
    /// The Secret's name, the one the pods read.
    pub name: String,
    /// `Owner`: the Secret goes when the `ExternalSecret` goes.
    pub creation_policy: String,
}

/// One key of the Secret and where it is read in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretData {
    /// The key in the Secret.
    pub secret_key: String,
    /// The entry in the store.
    pub remote_ref: RemoteRef,
}

/// An entry of the external store: its key and, for stores of JSON documents, the property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteRef {
    /// The store's key (a path in Vault, a secret's name in a cloud's secret manager).
    pub key: String,
    /// The property within that entry.
    pub property: String,
}

/// An Argo Rollouts `Rollout`'s spec (argoproj.io/v1alpha1, Argo Rollouts 1.9): the pods come
/// from a Deployment's template through `workloadRef`, so the Deployment stays the one readable
/// description of the pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutSpec {
    /// Pods, when no autoscaler owns the count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Old ReplicaSets kept for `kubectl argo rollouts undo`.
    pub revision_history_limit: i32,
    /// The pods it owns: the Deployment template's labels.
    pub selector: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    /// The Deployment whose pod template it runs.
    pub workload_ref: WorkloadRef,
    /// Canary or blue-green.
    pub strategy: RolloutStrategy,
}

/// The workload a Rollout takes its pod template from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadRef {
    /// `apps/v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// `never`: the Deployment is written with no replicas, so there is nothing to scale down.
    pub scale_down: String,
}

/// One of the two progressive strategies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStrategy {
    /// Weights and pauses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<Canary>,
    /// A preview beside the active version, promoted after checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blue_green: Option<BlueGreen>,
}

/// A canary: the steps, the two Services and, with the Gateway API, the route it reweights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Canary {
    /// The Service that selects only the new pods.
    pub canary_service: String,
    /// The Service that selects only the stable pods.
    pub stable_service: String,
    /// Extra pods during the rollout.
    pub max_surge: String,
    /// Never fewer ready pods than asked for.
    pub max_unavailable: i32,
    /// Through a router the weights are shares of requests; without one, shares of pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_routing: Option<TrafficRouting>,
    /// A check that runs beside the steps from `starting_step` to the end; a failure aborts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<BackgroundAnalysis>,
    /// In order: weights, checks and pauses.
    pub steps: Vec<CanaryStep>,
}

/// A canary's background analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundAnalysis {
    /// The templates.
    pub templates: Vec<TemplateRef>,
    /// The step (counted from 0) at which it starts.
    pub starting_step: i32,
    /// Values for their arguments.
    pub args: Vec<Arg>,
}

/// The routers that split requests by weight: a Gateway's and a mesh's at once when both
/// carry traffic (north-south through the Gateway, east-west through the mesh).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrafficRouting {
    /// By plugin name: the Gateway API plugin's settings.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub plugins: std::collections::BTreeMap<String, GatewayPlugin>,
    /// Istio: the VirtualServices whose route weights it sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub istio: Option<IstioRouting>,
}

/// The Gateway API traffic router plugin's settings: one route, or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayPlugin {
    /// The HTTPRoute whose backend weights it sets, when there is one.
    #[serde(rename = "httpRoute", skip_serializing_if = "Option::is_none")]
    pub http_route: Option<String>,
    /// The HTTPRoutes whose backend weights it sets, when there are several.
    #[serde(rename = "httpRoutes", skip_serializing_if = "Vec::is_empty", default)]
    pub http_routes: Vec<NamedRoute>,
    /// Their namespace.
    pub namespace: String,
}

/// A route by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRoute {
    /// The HTTPRoute's name.
    pub name: String,
}

/// Argo Rollouts' Istio router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IstioRouting {
    /// The VirtualServices and the routes in each whose weights move.
    pub virtual_services: Vec<IstioVirtualServiceRef>,
}

/// A VirtualService and its routes, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IstioVirtualServiceRef {
    /// The VirtualService.
    pub name: String,
    /// Its HTTP routes that split.
    pub routes: Vec<String>,
}

/// An Istio `VirtualService`'s spec (`networking.istio.io/v1`): in-mesh routing by weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualServiceSpec {
    /// The host names it routes: the Service's short name, inside the namespace.
    pub hosts: Vec<String>,
    /// HTTP routes, first match wins.
    pub http: Vec<VsHttpRoute>,
}

/// One named HTTP route of a VirtualService.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VsHttpRoute {
    /// Its name, which the Rollout names.
    pub name: String,
    /// The weighted destinations; the weights sum to 100.
    pub route: Vec<VsDestination>,
}

/// A weighted destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VsDestination {
    /// The Service.
    pub destination: Destination,
    /// Its share of requests, in percent.
    pub weight: i32,
}

/// A Service and port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    /// The Service's short name.
    pub host: String,
    /// The Service port.
    pub port: PortSelector,
}

/// A port by number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortSelector {
    /// The Service port.
    pub number: u16,
}

/// An Istio `DestinationRule`'s spec: what the client side of the mesh does for a host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationRuleSpec {
    /// The Service's short name.
    pub host: String,
    /// Connection handling and ejection of failing pods.
    pub traffic_policy: TrafficPolicy,
}

/// A DestinationRule's traffic policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficPolicy {
    /// Pods that keep failing leave the pool for a while.
    pub outlier_detection: OutlierDetection,
}

/// Istio's outlier detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutlierDetection {
    /// Consecutive 5xx answers before a pod is ejected.
    #[serde(rename = "consecutive5xxErrors")]
    pub consecutive_5xx_errors: u32,
    /// How often pods are judged.
    pub interval: String,
    /// How long the first ejection lasts.
    pub base_ejection_time: String,
    /// At most this share of the pods is ever ejected.
    pub max_ejection_percent: u32,
}

/// One canary step; exactly one field is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStep {
    /// The new version's share, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_weight: Option<i32>,
    /// A wait before the next step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause: Option<Pause>,
    /// A check that must pass; a failure aborts to the stable version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Analysis>,
}

/// A pause of a set length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// `5m`.
    pub duration: String,
}

/// Analysis templates to run, with their arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The templates.
    pub templates: Vec<TemplateRef>,
    /// Values for their arguments.
    pub args: Vec<Arg>,
}

/// An AnalysisTemplate by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateRef {
    /// Its name.
    pub template_name: String,
}

/// An argument: declared by a template (no value), or given by a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Arg {
    /// Its name.
    pub name: String,
    /// Its value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where the Rollout takes its value from, when it is not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ArgFrom>,
}

/// An argument's value read from the Rollout: the new pods' template hash, or one of its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgFrom {
    /// `Latest`: the hash of the version being rolled out (its pods' names carry it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_template_hash_value: Option<String>,
    /// A field of the Rollout, such as `metadata.namespace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
}

/// A field of the object, by path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRef {
    /// `metadata.namespace`.
    pub field_path: String,
}

/// Blue-green: the preview Service gets the new pods, the active one moves after the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlueGreen {
    /// The Service the traffic goes through.
    pub active_service: String,
    /// The Service that reaches the new version before promotion.
    pub preview_service: String,
    /// Promote without a person once the checks pass.
    pub auto_promotion_enabled: bool,
    /// The checks on the preview before it is promoted.
    pub pre_promotion_analysis: Analysis,
    /// The checks on the new version once it serves; a failure switches back while the old
    /// pods are still up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_promotion_analysis: Option<Analysis>,
    /// How long the old version stays up after the switch, for requests in flight.
    pub scale_down_delay_seconds: i32,
}

/// An Argo Rollouts `AnalysisTemplate`'s spec: a check a rollout step runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisTemplateSpec {
    /// The arguments a step passes in.
    pub args: Vec<Arg>,
    /// What is measured.
    pub metrics: Vec<Metric>,
}

/// One measurement of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// Its name.
    pub name: String,
    /// How many times it is measured; none in a canary's background analysis, which measures
    /// until the rollout ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i32>,
    /// Between measurements.
    pub interval: String,
    /// For a query: the condition a measurement's `result` must meet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_condition: Option<String>,
    /// Failed measurements tolerated before the analysis fails.
    pub failure_limit: i32,
    /// How it is measured.
    pub provider: MetricProvider,
}

/// How a metric is measured: by a Job (it passes when the Job succeeds) or by a Prometheus
/// query; exactly one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricProvider {
    /// The Job to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobMetric>,
    /// The query to ask Prometheus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusMetric>,
}

/// A Prometheus query: the controller asks `address` and judges the first value it returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrometheusMetric {
    /// Prometheus's address inside the cluster.
    pub address: String,
    /// PromQL.
    pub query: String,
}

/// A Prometheus Operator `PodMonitor`'s spec (`monitoring.coreos.com/v1`): which pods
/// Prometheus scrapes, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMonitorSpec {
    /// The pods, by label.
    pub selector: LabelSelectorSpec,
    /// Their metrics endpoints.
    pub pod_metrics_endpoints: Vec<PodMetricsEndpoint>,
}

/// Labels to match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorSpec {
    /// Every label must match.
    pub match_labels: std::collections::BTreeMap<String, String>,
}

/// One endpoint Prometheus scrapes on each pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodMetricsEndpoint {
    /// The container port's name.
    pub port: String,
    /// The HTTP path.
    pub path: String,
    /// How often.
    pub interval: String,
}

/// The Job an analysis runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobMetric {
    /// A plain `batch/v1` Job spec.
    pub spec: k8s_openapi::api::batch::v1::JobSpec,
}
