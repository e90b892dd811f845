// Generated from the Rust types by crates/api/tests/bindings.rs: do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test -p slipway-api --test bindings

export type ProjectProfile = { 
/**
 * The project folder as given, absolute.
 */
root: string, 
/**
 * Every service found, each with its own path.
 */
services: Array<ServiceProfile>, 
/**
 * Deployment and CI files that already exist.
 */
infrastructure: Array<InfraFile>, 
/**
 * Repository facts, or `None` when the folder is not in a git repository.
 */
git: GitFacts | null, 
/**
 * Packages that were looked at and are not deployable services (libraries, workspace
 * roots), with the reason; `slipway.toml` can turn one into a service.
 */
skipped: Array<Skipped>, 
/**
 * Problems met along the way; the scan went on past each of them.
 */
warnings: Array<ScanWarning>, 
/**
 * The `[deploy]` table of `slipway.toml`, as written (values of the wrong type are left
 * out with a warning naming the line).
 */
deploy?: DeploySettings, 
/**
 * The ingress class the project's own Kubernetes manifests route through, so generated
 * Ingresses join the controller the cluster already runs.
 */
ingressClass?: FoundValue | null, };
export type ServiceProfile = { 
/**
 * A short name, from the manifest or the folder.
 */
name: string, 
/**
 * The service's folder relative to the project root, `"."` for the root itself.
 */
path: string, 
/**
 * How it runs: `web` (a server on a port), `static` (files a web server serves) or
 * `worker` (a process that listens on no port).
 */
kind: string, 
/**
 * Lowercase language id: `node`, `python`, `go`, ...
 */
language: string | null, 
/**
 * Lowercase framework id: `nextjs`, `fastapi`, ...
 */
framework: string | null, 
/**
 * Package manager id: `npm`, `yarn`, `pnpm`, `bun`, ...
 */
packageManager: string | null, 
/**
 * The lockfile that pins the dependencies, relative to the service folder.
 */
lockfile: string | null, 
/**
 * The runtime version the project asks for, as written (`20`, `20.11.1`), or resolved from
 * a range to the newest long-term-support release inside it.
 */
runtimeVersion: string | null, 
/**
 * The port the service listens on in production.
 */
port: number | null, 
/**
 * Command that installs dependencies reproducibly.
 */
installCommand: string | null, 
/**
 * Command that builds the production output.
 */
buildCommand: string | null, 
/**
 * Command that starts the service in production.
 */
startCommand: string | null, 
/**
 * Databases, caches and brokers the service needs: `postgres`, `redis`, ...
 */
backingServices: Array<string>, 
/**
 * Names of the environment variables the service reads (never their values).
 */
envVars: Array<string>, 
/**
 * The HTTP path of a health endpoint the code defines, such as `/healthz`.
 */
healthPath: string | null, 
/**
 * The HTTP path of a readiness endpoint ("can take traffic now"), such as `/ready`, when
 * the code defines one.
 */
readinessPath?: string | null, 
/**
 * The folder inside the container where the service keeps data that must survive a
 * restart (set in `slipway.toml` as `data_path`): on Kubernetes it runs as a StatefulSet
 * with its own volume there.
 */
dataPath?: string | null, 
/**
 * The HTTP path where the service serves its Prometheus metrics, such as `/metrics`, when
 * its code uses a metrics library (or `slipway.toml` sets `metrics_path`).
 */
metricsPath?: string | null, 
/**
 * The metrics library the code uses (`prometheus-fastapi-instrumentator`, `prom-client`,
 * `micrometer`, ...): it decides the names of the request metrics.
 */
metricsLibrary?: string | null, 
/**
 * Health or readiness paths whose handler reaches a database, cache or another service:
 * never a liveness probe, or a dependency's hiccup restarts every pod.
 */
deepHealthPaths?: Array<string>, 
/**
 * What the build produces for the runtime: a folder of static files (`dist`), a binary
 * or a jar, relative to the service folder.
 */
artifact: string | null, 
/**
 * Command that installs the dependencies a pipeline's lint and test steps need (the
 * development tools included), run in the service folder.
 */
ciInstallCommand: string | null, 
/**
 * The linters and format checks the project configures, each a command run in the
 * service folder, in the order a pipeline runs them.
 */
lintCommands: Array<string>, 
/**
 * The project's own test command, with coverage where the stack's usual tool is there.
 */
testCommand: string | null, 
/**
 * The coverage report the test command writes, relative to the service folder.
 */
coverageReport: string | null, 
/**
 * The monorepo this service is part of, when it is part of one.
 */
workspace: WorkspaceFacts | null, 
/**
 * Fields set by the user in `slipway.toml` rather than detected.
 */
corrected: Array<string>, 
/**
 * Why each of the above was concluded.
 */
evidence: Array<Evidence>, 
/**
 * Facts specific to Next.js, present when the framework is Next.js.
 */
nextjs?: NextjsFacts | null, };
export type NextjsFacts = { 
/**
 * `output: "standalone"` is set in the Next.js config.
 */
standalone: boolean, 
/**
 * The Next.js config file, when there is one.
 */
configFile: string | null, 
/**
 * The project has a `public/` folder to ship.
 */
hasPublicDir: boolean, };
export type Evidence = { 
/**
 * File relative to the project root.
 */
file: string, 
/**
 * 1-based line, when the reason sits on one line.
 */
line: number | null, 
/**
 * What was concluded from it, in words.
 */
reason: string, };
export type InfraFile = { 
/**
 * Kind id: `dockerfile`, `compose`, `github-actions`, ...
 */
kind: string, 
/**
 * Path relative to the project root.
 */
path: string, };
export type FoundValue = { 
/**
 * The value as written, without quotes.
 */
value: string, 
/**
 * File relative to the project root.
 */
file: string, 
/**
 * 1-based line.
 */
line: number, };
export type ScanWarning = { 
/**
 * The file or folder concerned, relative to the project root.
 */
path: string, 
/**
 * What went wrong.
 */
message: string, };
export type Skipped = { 
/**
 * The folder, relative to the project root.
 */
path: string, 
/**
 * Why it is not treated as a service.
 */
reason: string, };
export type WorkspaceFacts = { 
/**
 * The workspace root folder, relative to the project root (`"."` for the root).
 */
root: string, 
/**
 * What ties it together: `npm`, `yarn`, `pnpm`, `bun`, `turborepo`, `nx`, `go`, `cargo`,
 * `maven`, `gradle`, `sbt`, `dotnet`.
 */
tool: string, 
/**
 * The shared lockfile, relative to the project root.
 */
lockfile: string | null, };
export type GitFacts = { 
/**
 * The current branch, `None` on a detached HEAD.
 */
branch: string | null, 
/**
 * Configured remotes; credentials in URLs are redacted.
 */
remotes: Array<GitRemote>, 
/**
 * The last commits on HEAD, newest first (at most 10).
 */
recentCommits: Array<GitCommitSummary>, 
/**
 * Number of paths with uncommitted changes (untracked included).
 */
uncommittedChanges: number, };
export type GitRemote = { 
/**
 * Remote name, such as `origin`.
 */
name: string, 
/**
 * Fetch URL with any password removed.
 */
url: string, 
/**
 * `github`, `gitlab`, `bitbucket`, `azure`, `codeberg`, `local` or `other`.
 */
host: string, };
export type GitCommitSummary = { 
/**
 * Abbreviated commit id.
 */
id: string, 
/**
 * First line of the message.
 */
summary: string, 
/**
 * Author name.
 */
author: string, };
export type DeploySettings = { 
/**
 * `ci`: github, gitlab, jenkins or circleci.
 */
ci: string | null, 
/**
 * `registry`: ghcr, gitlab, dockerhub, ecr, gar or acr.
 */
registry: string | null, 
/**
 * `image`: the image name to push, without a tag (`ghcr.io/acme/api`).
 */
image: string | null, 
/**
 * `targets`: where to deploy (railway, fly, render, heroku, vercel, netlify).
 */
targets: Array<string>, 
/**
 * `branch`: the branch deploys run from.
 */
branch: string | null, 
/**
 * `strategy`: rolling, blue-green or canary.
 */
strategy: string | null, 
/**
 * `environments`: staging, production.
 */
environments: Array<string>, 
/**
 * `approval`: a manual approval before production.
 */
approval: boolean | null, 
/**
 * `min_replicas`.
 */
minReplicas: number | null, 
/**
 * `max_replicas`.
 */
maxReplicas: number | null, 
/**
 * `cpu_percent`: the CPU utilisation to scale at.
 */
cpuPercent: number | null, 
/**
 * `host`: the public host name.
 */
host: string | null, 
/**
 * `replicas`: the replica count when nothing autoscales.
 */
replicas: number | null, 
/**
 * `autoscale`: a HorizontalPodAutoscaler between min and max replicas.
 */
autoscale: boolean | null, 
/**
 * `ha`: spread over nodes and zones, never fewer than two replicas.
 */
ha: boolean | null, 
/**
 * `vpa`: a VerticalPodAutoscaler in recommendation mode.
 */
vpa: boolean | null, 
/**
 * The Kubernetes text settings, by field: `namespace`, `packaging`, `route`,
 * `ingress_class`, `tls_issuer`, `acme_email`, `cpu_request`, `memory_request`,
 * `cpu_limit`, `memory_limit`.
 */
kube: { [key in string]: string }, 
/**
 * The line of each field set, for citing it.
 */
lines: { [key in string]: number }, };
export type DeploySpec = { 
/**
 * The CI system the pipeline is written for.
 */
ci: CiSystem, 
/**
 * The registry images are pushed to.
 */
registry: Registry, 
/**
 * An image name set by the person, replacing the registry's default naming.
 */
image: string | null, 
/**
 * Where the services are deployed; empty for build and push only.
 */
targets: Array<Target>, 
/**
 * Environments, in promotion order; the last is production.
 */
environments: Array<EnvironmentSpec>, 
/**
 * The branch deploys run from.
 */
branch: string, 
/**
 * How a new version replaces the old.
 */
strategy: Strategy, 
/**
 * Replicas and CPU.
 */
scaling: Scaling, 
/**
 * The public host name, when one is set.
 */
host: string | null, 
/**
 * The Kubernetes settings.
 */
kube: KubeSpec, 
/**
 * The cloud the services run on and how its infrastructure is written, when a cloud is a
 * target (AWS: ECS on Fargate, in Terraform).
 */
cloud: CloudSpec | null, 
/**
 * The services, in the profile's order.
 */
services: Array<ServiceSpec>, 
/**
 * Where each project-level field came from.
 */
fields: Array<SpecField>, 
/**
 * What could not be honoured, in words (a strategy a platform does not offer, a value
 * in `slipway.toml` that is not valid).
 */
notes: Array<string>, 
/**
 * Values that make no deployment (a host that is not a DNS name, fewer replicas at
 * most than at least, a CPU target outside 1 to 100): the run refuses them, in these
 * words, before anything is generated.
 */
errors: Array<string>, };
export type SpecField = { 
/**
 * The field, as `slipway.toml`'s `[deploy]` table names it (`ci`, `targets`, ...).
 */
field: string, 
/**
 * The value in words.
 */
value: string, 
/**
 * `slipway.toml`, `task`, `project` or `default`.
 */
source: string, 
/**
 * Why, in words: the line, the words of the task, the file.
 */
why: string, };
export type ServiceSpec = { 
/**
 * The service's name, as the platforms and the pipeline call it.
 */
name: string, 
/**
 * Its folder, relative to the project root (`.` for the root).
 */
path: string, 
/**
 * `web`, `static` or `worker`.
 */
kind: string, 
/**
 * Its language id.
 */
language: string | null, 
/**
 * Its framework id.
 */
framework: string | null, 
/**
 * The image name without registry host or tag: `<repository>` or `<repository>/<name>`.
 */
imageName: string, 
/**
 * The Dockerfile the pipeline builds, relative to the root.
 */
dockerfile: string, 
/**
 * The build context, relative to the root.
 */
context: string, 
/**
 * The port it listens on.
 */
port: number | null, 
/**
 * The health path the platform and the smoke test call.
 */
healthPath: string | null, 
/**
 * Where it keeps data that must survive a restart: it then owns a volume.
 */
dataPath: string | null, 
/**
 * Where it serves Prometheus metrics, when its code exports them.
 */
metrics: MetricsSpec | null, 
/**
 * The readiness path, when the code defines one apart from health.
 */
readinessPath: string | null, 
/**
 * Health or readiness paths whose handler reaches a dependency: never liveness probes.
 */
deepHealthPaths: Array<string>, 
/**
 * The variables it reads.
 */
env: Array<EnvSpec>, 
/**
 * Databases, caches and brokers it needs.
 */
backingServices: Array<string>, 
/**
 * Runtime version the project asks for.
 */
runtimeVersion: string | null, 
/**
 * Package manager id.
 */
packageManager: string | null, 
/**
 * Lockfile, relative to the service folder.
 */
lockfile: string | null, 
/**
 * Installs the production dependencies (what the Dockerfile runs).
 */
install: string | null, 
/**
 * Installs what lint and test need.
 */
ciInstall: string | null, 
/**
 * Lint and format checks, in order.
 */
lint: Array<string>, 
/**
 * The test command.
 */
test: string | null, 
/**
 * The coverage report the test command writes, relative to the service folder.
 */
coverageReport: string | null, 
/**
 * Build command, for frontends a platform builds itself.
 */
build: string | null, 
/**
 * The static output folder, for static sites.
 */
output: string | null, 
/**
 * The migration command to run before the new version takes traffic.
 */
migrate: string | null, 
/**
 * Folders whose changes concern this service (its own, and shared lockfiles).
 */
paths: Array<string>, };
export type EnvSpec = { 
/**
 * The variable's name.
 */
name: string, 
/**
 * True when the value is a credential (a password, a token, a URL with one in it).
 */
secret: boolean, 
/**
 * The backing service it points at, when it does (`postgres` for `DATABASE_URL`).
 */
backing: string | null, };
export type MetricsSpec = { 
/**
 * The HTTP path, on the service's own port.
 */
path: string, 
/**
 * The library that exports them, as the scan names it; none when `slipway.toml` names the
 * path of metrics the code exports by itself.
 */
library: string | null, 
/**
 * The counter of HTTP requests the library exports, when it counts them by itself.
 */
requests: RequestMetric | null, };
export type RequestMetric = { 
/**
 * The counter's name: `http_requests_total`.
 */
counter: string, 
/**
 * The label matcher of the answers with a server error: `status=~"5.."`.
 */
errors: string, };
export type PrometheusSpec = { 
/**
 * Its address inside the cluster.
 */
url: string, 
/**
 * The `release` label its PodMonitor selector asks for.
 */
release: string, };
export type EnvironmentSpec = { 
/**
 * `staging` or `production`, or the name set.
 */
name: string, 
/**
 * True when a person approves before the deploy runs.
 */
approval: boolean, };
export type Scaling = { 
/**
 * Fewest replicas.
 */
minReplicas: number, 
/**
 * Most replicas.
 */
maxReplicas: number, 
/**
 * CPU utilisation to scale at, in percent.
 */
cpuPercent: number, };
export type KubeSpec = { 
/**
 * Plain manifests, a Helm chart or Kustomize overlays.
 */
packaging: Packaging, 
/**
 * The namespace every object goes in.
 */
namespace: string, 
/**
 * Replicas when nothing autoscales.
 */
replicas: number, 
/**
 * A HorizontalPodAutoscaler owns the replica count, between the scaling bounds.
 */
autoscale: boolean, 
/**
 * Spread over nodes and zones, never fewer than two replicas.
 */
ha: boolean, 
/**
 * A VerticalPodAutoscaler in recommendation mode.
 */
vpa: boolean, 
/**
 * Per container.
 */
resources: Resources, 
/**
 * Ingress or Gateway API.
 */
route: Route, 
/**
 * The ingress controller's class.
 */
ingressClass: string, 
/**
 * The cert-manager ClusterIssuer that signs the host's certificate.
 */
tlsIssuer: string, 
/**
 * The ACME account's e-mail, when set.
 */
acmeEmail: string | null, 
/**
 * The External Secrets `ClusterSecretStore` the Secrets are synced from; none when the
 * person creates them by hand.
 */
secretStore: string | null, 
/**
 * The service mesh the pods join; with a canary it splits requests inside the cluster.
 */
mesh: Mesh, 
/**
 * Who applies the files: the pipeline, or Argo CD or Flux from git.
 */
gitops: GitOps, 
/**
 * How the GitOps controller syncs.
 */
sync: SyncSpec, 
/**
 * What carries out a blue-green or canary: Argo Rollouts, or the pipeline with kubectl.
 */
rollouts: Rollouts, 
/**
 * Where the databases and caches run: managed outside, or StatefulSets for a dev cluster.
 */
backing: Backing, 
/**
 * A chart per service, or one umbrella chart for a monorepo's services.
 */
charts: Charts, 
/**
 * The Prometheus whose error rates a canary or blue-green checks, when a service exports
 * request metrics; none when nothing reads them.
 */
prometheus: PrometheusSpec | null, };
export type CloudSpec = { 
/**
 * `aws`, `gcp` or `azure`.
 */
provider: string, 
/**
 * The language the infrastructure is written in: `terraform` or `pulumi`.
 */
iac: string, 
/**
 * The language of a Pulumi program: `typescript` or `python`.
 */
language: string, 
/**
 * The region everything is created in.
 */
region: string, 
/**
 * CPU units of each task (1024 = one vCPU).
 */
taskCpu: number, 
/**
 * Memory of each task, MiB.
 */
taskMemory: number, 
/**
 * The database's instance class.
 */
dbClass: string, 
/**
 * The database's storage, GiB (it grows by itself up to five times this).
 */
dbStorageGb: number, 
/**
 * Days of automated backups, which is also how far back point-in-time recovery reaches.
 */
backupDays: number, 
/**
 * A standby database and cache in a second zone that takes over by itself.
 */
multiAz: boolean, 
/**
 * The network's address range.
 */
vpcCidr: string, 
/**
 * How much data may be lost at most, in minutes: the recovery point objective.
 */
rpoMinutes: number, 
/**
 * How long a recovery may take at most, in minutes: the recovery time objective.
 */
rtoMinutes: number, 
/**
 * A second region the database's backups are copied to, when asked.
 */
backupRegion: string | null, 
/**
 * Days the logs are kept.
 */
logDays: number, 
/**
 * The server the infrastructure creates when the services run on a virtual machine
 * that Ansible configures ("a VM on AWS"); none when they run on the cloud's containers.
 */
server: ServerSpec | null, 
/**
 * The Kubernetes cluster the infrastructure creates when the services run on the cloud's
 * managed Kubernetes ("EKS", "GKE", "AKS"); none otherwise.
 */
cluster: ClusterSpec | null, };
export type ServerSpec = { 
/**
 * The machine's size: `t3.small`, `e2-small`, `Standard_B2s`.
 */
size: string, 
/**
 * The disk, GiB: the system, Docker's images and the databases' volumes.
 */
diskGb: number, };
export type ClusterSpec = { 
/**
 * The Kubernetes minor version EKS runs (`1.35`); GKE and AKS follow a release channel.
 */
version: string, 
/**
 * The nodes' size on AKS (`Standard_D2ds_v5`); EKS Auto Mode and Autopilot size their own.
 */
nodeSize: string | null, 
/**
 * The most nodes AKS's autoscaler adds; it keeps one per zone at least.
 */
maxNodes: number, };
export type CloudView = { 
/**
 * DNS, load balancer, each service, each data store, in the order traffic reaches them.
 */
picture: Array<CloudNode>, 
/**
 * The monthly estimate of what the plan creates.
 */
cost: Estimate, };
export type CloudNode = { 
/**
 * What it is: `DNS`, `Load balancer`, `ECS service`, `PostgreSQL (RDS)`.
 */
kind: string, 
/**
 * Its name or address.
 */
name: string, 
/**
 * One line on how it is set up.
 */
detail: string, };
export type Estimate = { 
/**
 * Line by line.
 */
lines: Array<CostLine>, 
/**
 * What the table cannot price (an instance class it has not), in words.
 */
unpriced: Array<string>, };
export type CostLine = { 
/**
 * What is billed.
 */
item: string, 
/**
 * How it is counted.
 */
basis: string, 
/**
 * US dollars a month.
 */
monthly: number, };
export type Resources = { 
/**
 * CPU the scheduler reserves.
 */
cpuRequest: string, 
/**
 * Memory the scheduler reserves.
 */
memoryRequest: string, 
/**
 * CPU the container may use at most.
 */
cpuLimit: string, 
/**
 * Memory the container may use at most.
 */
memoryLimit: string, };
export type Packaging = "manifests" | "helm" | "kustomize";
export type Route = "ingress" | "gateway";
export type Mesh = "none" | "istio" | "linkerd";
export type Rollouts = "argo" | "kubectl";
export type Backing = "external" | "in-cluster";
export type Charts = "per-service" | "umbrella";
export type GitOps = "none" | "argo-cd" | "flux";
export type SyncSpec = { 
/**
 * Every commit is applied without a person starting the sync.
 */
automated: boolean, 
/**
 * Objects removed from git are removed from the cluster.
 */
prune: boolean, 
/**
 * Changes made in the cluster by hand are reverted.
 */
selfHeal: boolean, };
export type Topology = { 
/**
 * The Deployment's name.
 */
name: string, 
/**
 * What owns the pods: `Deployment`, or `Rollout` when Argo Rollouts runs the Deployment's
 * template.
 */
workload: string, 
/**
 * The host outside traffic comes in on, when exposed.
 */
host: string | null, 
/**
 * `Ingress (traefik)` or `HTTPRoute on Gateway web`.
 */
entry: string | null, 
/**
 * The Service's port, when it has one.
 */
port: number | null, 
/**
 * Fixed replicas, or the autoscaler's bounds.
 */
replicas: string, 
/**
 * The rollout in words.
 */
rollout: string, };
export type CiSystem = "github" | "gitlab" | "jenkins" | "circleci";
export type Registry = "ghcr" | "gitlab" | "dockerhub" | "ecr" | "gar" | "acr";
export type Target = "railway" | "fly" | "render" | "heroku" | "vercel" | "netlify" | "kubernetes" | "cloud-run" | "ecs" | "azure-container-apps" | "vm";
export type Strategy = "rolling" | "blue-green" | "canary";
export type Pipeline = { 
/**
 * The branch deploys run from.
 */
branch: string, 
/**
 * The jobs, in the order they run.
 */
jobs: Array<Job>, 
/**
 * True when a changes job routes each service's jobs by its paths.
 */
routed: boolean, 
/**
 * What the chosen CI system or target cannot do that the spec asks, in words.
 */
notes: Array<string>, 
/**
 * How the chosen CI system does each part, and where it does less than the others.
 */
parity: Array<Parity>, };
export type Job = { 
/**
 * Id, unique in the pipeline (`lint-api`, `deploy-api-railway`).
 */
id: string, 
/**
 * Name shown in the CI system.
 */
name: string, 
/**
 * What it does.
 */
kind: JobKind, 
/**
 * The service, by name; none for pipeline-wide jobs.
 */
service: string | null, 
/**
 * Jobs that must pass first.
 */
needs: Array<string>, 
/**
 * The toolchain, for lint and test jobs.
 */
toolchain: Toolchain | null, 
/**
 * Containers it talks to.
 */
sidecars: Array<Sidecar>, 
/**
 * Shell commands, run in `workdir`, in order.
 */
commands: Array<string>, 
/**
 * The folder the commands run in, relative to the root.
 */
workdir: string, 
/**
 * The deploy target, for deploy jobs.
 */
target: Target | null, 
/**
 * The environment a deploy job runs in.
 */
environment: string | null, 
/**
 * True when a person approves the job before it runs.
 */
manual: boolean, 
/**
 * Minutes before the CI system stops it.
 */
timeoutMinutes: number, 
/**
 * Secrets the job reads from the CI system's store, by name.
 */
secrets: Array<string>, 
/**
 * Non-secret settings the job reads from the CI system's variables, by name.
 */
vars: Array<string>, };
export type JobKind = "changes" | "lint" | "test" | "image" | "deploy" | "gate" | "infra";
export type Sidecar = { 
/**
 * `postgres`, `redis`, ...
 */
id: string, 
/**
 * The image, pinned by tag.
 */
image: string, 
/**
 * Its environment (test-only credentials).
 */
env: Array<[string, string]>, 
/**
 * The port it listens on.
 */
port: number, 
/**
 * The command that says it is ready.
 */
health: string, 
/**
 * The variable the app reads to reach it, and its value with `{host}` for the host.
 */
url: [string, string] | null, };
export type Toolchain = { 
/**
 * Language id.
 */
language: string, 
/**
 * Version, from the same place the Dockerfile takes it.
 */
version: string, 
/**
 * Package manager id.
 */
packageManager: string, 
/**
 * The image the job runs in on CI systems that run jobs in containers.
 */
image: string, 
/**
 * Dependency files that key the cache, relative to the root.
 */
cacheKeys: Array<string>, };
export type Requirement = { 
/**
 * The name.
 */
name: string, 
/**
 * True for a secret (never written anywhere by Slipway).
 */
secret: boolean, 
/**
 * Where to create it: "GitHub Actions secrets", "Railway service variables", ...
 */
place: string, 
/**
 * Why it is needed.
 */
why: string, };
export type Parity = { 
/**
 * The part: "registry sign-in", "approval", ...
 */
capability: string, 
/**
 * How this CI system does it, in words.
 */
how: string, 
/**
 * True when it does less than the best of the four.
 */
gap: boolean, };
export type Overview = { 
/**
 * Per service folder (as in the profile), its one-line summary.
 */
lines: Array<[string, string]>, 
/**
 * Up to three tasks that fit the project, the most useful first.
 */
tasks: Array<string>, };
export type Todo = { 
/**
 * Stable id within the plan, such as `dockerfile`.
 */
id: string, 
/**
 * The step in words.
 */
title: string, 
/**
 * Where it stands.
 */
status: TodoStatus, 
/**
 * What happened, once something has.
 */
detail?: string | null, };
export type TodoStatus = "pending" | "in_progress" | "done" | "failed" | "skipped";
export type Change = { 
/**
 * Path relative to the project root.
 */
path: string, 
/**
 * What applying does.
 */
action: ChangeAction, 
/**
 * Unified diff from the disk to the proposal.
 */
diff: string, 
/**
 * Why the file exists.
 */
purpose: string, 
/**
 * The diff's hunks, each accepted or rejected.
 */
hunks: Array<Hunk>, 
/**
 * True when the person edited the proposal.
 */
edited: boolean, 
/**
 * The whole proposal, as generated or edited (what the editor starts from).
 */
proposed: string, };
export type ChangeAction = "create" | "modify" | "unchanged";
export type Hunk = { 
/**
 * `@@ -old,len +new,len @@`.
 */
header: string, 
/**
 * The lines, each starting with `+`, `-` or a space.
 */
lines: Array<string>, 
/**
 * True when applying takes this hunk.
 */
accepted: boolean, };
export type Finding = { 
/**
 * How much it matters.
 */
severity: Severity, 
/**
 * Stable rule id.
 */
rule: string, 
/**
 * File relative to the project root.
 */
path: string, 
/**
 * 1-based line, when it sits on one.
 */
line: number | null, 
/**
 * What and why, in words.
 */
message: string, };
export type Severity = "info" | "warning" | "error";
export type CommitInfo = { 
/**
 * Full commit id.
 */
id: string, 
/**
 * The whole message.
 */
message: string, 
/**
 * The branch it was made on.
 */
branch: string, };
export type RunReport = { 
/**
 * The task text.
 */
task: string, 
/**
 * The todo list.
 */
todos: Array<Todo>, 
/**
 * Proposed changes with their diffs.
 */
changes: Array<Change>, 
/**
 * What the reflection found.
 */
findings: Array<Finding>, 
/**
 * The commit, when one was made.
 */
commit: CommitInfo | null, 
/**
 * The push, when one was tried.
 */
push: PushReport | null, 
/**
 * Rule files read.
 */
rulesRead: Array<string>, 
/**
 * Parts of the task the engine declined, in words.
 */
declined: Array<string>, 
/**
 * The analysis.
 */
profile: ProjectProfile, 
/**
 * Which brain did the work, in words.
 */
brain: string, 
/**
 * Tokens the model used (LLM runs).
 */
usage: Usage | null, 
/**
 * The model's closing words (LLM runs).
 */
summary: string | null, 
/**
 * The branch a new-branch commit would go on.
 */
newBranch: string, 
/**
 * The rule file that keeps work off `main`, when there is one.
 */
branchRule: string | null, 
/**
 * The branch HEAD is on now.
 */
currentBranch: string | null, 
/**
 * What Slipway understood about the deployment, for pipeline and platform tasks.
 */
spec: DeploySpec | null, 
/**
 * The pipeline as a value: jobs, needs, gates and environments.
 */
pipeline: Pipeline | null, 
/**
 * What will run in the cluster, for Kubernetes tasks.
 */
topology: Array<Topology>, 
/**
 * What will run on the cloud and what it costs a month, for cloud tasks.
 */
cloud: CloudView | null, 
/**
 * The secrets and variables to create, where, and why: the checklist.
 */
requirements: Array<Requirement>, };
export type PushReport = { 
/**
 * `pushed`, `no_remote`, `needs_credentials`, `rejected` or `unreachable`.
 */
outcome: string, 
/**
 * The remote, when there is one.
 */
remote: string | null, 
/**
 * The branch.
 */
branch: string, 
/**
 * The outcome in words.
 */
message: string, 
/**
 * The remote's host, where a token for it would be stored (HTTPS remotes).
 */
host: string | null, };
export type Usage = { 
/**
 * Tokens sent (prompt).
 */
inputTokens: bigint, 
/**
 * Tokens received (completion).
 */
outputTokens: bigint, 
/**
 * Requests that got a reply, retries included.
 */
requests: number, };
export type Drift = { 
/**
 * Stable id: `<check>:<path>[:<detail>]`.
 */
id: string, 
/**
 * The file that lags.
 */
path: string, 
/**
 * What moved, in words, with where the new fact comes from.
 */
message: string, };
export type BrainSettings = { 
/**
 * `builtin`, `openai` or `anthropic`.
 */
provider: string, 
/**
 * The provider's endpoint; its public one when unset.
 */
baseUrl: string | null, 
/**
 * The model; a current default when unset.
 */
model: string | null, 
/**
 * A Context7-compatible documentation service; none when unset.
 */
docsUrl: string | null, };
export type BrainStatus = { 
/**
 * The settings.
 */
settings: BrainSettings, 
/**
 * The stored provider key, masked, when there is one.
 */
key: string | null, 
/**
 * The stored documentation key, masked, when there is one.
 */
docsKey: string | null, 
/**
 * Why the keychain could not be read, when it could not.
 */
keychainError: string | null, };
