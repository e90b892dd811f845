// Written by Slipway from the project's deployment spec. Plan before applying:
// pulumi preview shows every resource this creates (docs/gcp.md says in what order).
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

const config = new pulumi.Config();

/** The Google Cloud project everything is created in (its id, not its name or number). */
const projectId = config.require("project_id");

/** The app's name; every resource is named after it and the environment. */
const project = config.get("project") ?? "node-react-router";

/** The environment this state holds; the pipeline sets it. */
const environment = config.get("environment") ?? "production";

/** The region everything is created in. */
const regionConfig = config.get("region") ?? "us-central1";

/** The image each service runs, by service, pinned by digest (repository@sha256:...): the pipeline sets it to what it tested. */
const imagesConfig = config.requireObject<Record<string, string>>("images");

/** Settings that are not secret, by service: { api = { LOG_LEVEL = "info" } }. Secrets go in Secret Manager (docs/gcp.md). */
const settings = config.getObject<Record<string, Record<string, string>>>("settings") ?? {};

/** vCPUs per instance. */
const cpu = config.get("cpu") ?? "1";

/** Memory per instance, in Cloud Run's units (512Mi, 1Gi, ...); up to 4 GiB per vCPU. */
const memory = config.get("memory") ?? "512Mi";

/** Fewest instances per service, kept warm: no request waits for a cold start. */
const minInstances = config.getNumber("min_instances") ?? 2;

/** Most instances per service; it also caps what a flood of requests can cost, and the database's connections. */
const maxInstances = config.getNumber("max_instances") ?? 10;

/** Requests one instance serves at once before Cloud Run starts another. */
const concurrency = config.getNumber("concurrency") ?? 80;

const name = `${project}-${environment}`;
const labels = { project: project, environment: environment, "managed-by": "pulumi" };

const provider = new gcp.Provider("google", {
  project: projectId,
  region: regionConfig,
  defaultLabels: labels,
});
const opts = { provider };

// atlas's identity, made by the bootstrap stack: it reads its own secrets, nothing else.
const atlasAccountData = gcp.serviceaccount.getAccountOutput({
  accountId: `${environment}-atlas-run`,
}, opts);

// atlas: reached only through the load balancer, which ends TLS for its host.
const atlasService = new gcp.cloudrunv2.Service("atlas", {
  name: `${name}-atlas`,
  location: regionConfig,
  ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  deletionProtection: true,
  template: {
    serviceAccount: atlasAccountData.email,
    executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
    maxInstanceRequestConcurrency: concurrency,
    timeout: "300s",
    scaling: {
      minInstanceCount: minInstances,
      maxInstanceCount: maxInstances,
    },
    containers: [{
      image: imagesConfig["atlas"],
      ports: {
        containerPort: 3000,
      },
      resources: {
        limits: { cpu: cpu, memory: memory },
        cpuIdle: true,
        startupCpuBoost: true,
      },
      startupProbe: {
        periodSeconds: 5,
        timeoutSeconds: 3,
        failureThreshold: 12,
        httpGet: {
          path: "/healthz",
        },
      },
      livenessProbe: {
        periodSeconds: 15,
        timeoutSeconds: 3,
        failureThreshold: 3,
        httpGet: {
          path: "/healthz",
        },
      },
      envs: [...Object.entries((settings["atlas"] ?? {})).map(([key, value]) => ({
        name: key,
        value: value,
      }))],
    }],
  },
  traffics: [{
    type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
    percent: 100,
  }],
}, { ...opts });

// atlas serves the public: anyone may call it (the app does its own sign-in).
const atlasPublicServiceIamMember = new gcp.cloudrunv2.ServiceIamMember("atlas-public", {
  name: atlasService.name,
  location: atlasService.location,
  role: "roles/run.invoker",
  member: "allUsers",
}, { ...opts });

const lbGlobalAddress = new gcp.compute.GlobalAddress("lb", {
  name: `${name}-lb`,
}, { ...opts });

const mainManagedSslCertificate = new gcp.compute.ManagedSslCertificate("main", {
  name: `${name}-cert`,
  managed: {
    domains: ["node-react-router.example.com"],
  },
}, { ...opts });

const modernSSLPolicy = new gcp.compute.SSLPolicy("modern", {
  name: `${name}-tls`,
  profile: "MODERN",
  minTlsVersion: "TLS_1_2",
}, { ...opts });

const atlasRegionNetworkEndpointGroup = new gcp.compute.RegionNetworkEndpointGroup("atlas", {
  name: `${name}-atlas`,
  networkEndpointType: "SERVERLESS",
  region: regionConfig,
  cloudRun: {
    service: atlasService.name,
  },
}, { ...opts });

const atlasBackendService = new gcp.compute.BackendService("atlas", {
  name: `${name}-atlas`,
  loadBalancingScheme: "EXTERNAL_MANAGED",
  protocol: "HTTPS",
  logConfig: {
    enable: true,
    sampleRate: 1,
  },
  backends: [{
    group: atlasRegionNetworkEndpointGroup.id,
  }],
}, { ...opts });

const httpsURLMap = new gcp.compute.URLMap("https", {
  name: name,
  defaultService: atlasBackendService.id,
  hostRules: [{
    hosts: ["node-react-router.example.com"],
    pathMatcher: "atlas",
  }],
  pathMatchers: [{
    name: "atlas",
    defaultService: atlasBackendService.id,
  }],
}, { ...opts });

const mainTargetHttpsProxy = new gcp.compute.TargetHttpsProxy("main", {
  name: name,
  urlMap: httpsURLMap.id,
  sslCertificates: [mainManagedSslCertificate.id],
  sslPolicy: modernSSLPolicy.id,
}, { ...opts });

const httpsGlobalForwardingRule = new gcp.compute.GlobalForwardingRule("https", {
  name: `${name}-https`,
  loadBalancingScheme: "EXTERNAL_MANAGED",
  ipAddress: lbGlobalAddress.id,
  portRange: "443",
  target: mainTargetHttpsProxy.id,
}, { ...opts });

// Port 80 answers with a redirect to HTTPS and nothing else.
const redirectURLMap = new gcp.compute.URLMap("redirect", {
  name: `${name}-redirect`,
  defaultUrlRedirect: {
    httpsRedirect: true,
    redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT",
    stripQuery: false,
  },
}, { ...opts });

const redirectTargetHttpProxy = new gcp.compute.TargetHttpProxy("redirect", {
  name: `${name}-redirect`,
  urlMap: redirectURLMap.id,
}, { ...opts });

const httpGlobalForwardingRule = new gcp.compute.GlobalForwardingRule("http", {
  name: `${name}-http`,
  loadBalancingScheme: "EXTERNAL_MANAGED",
  ipAddress: lbGlobalAddress.id,
  portRange: "80",
  target: redirectTargetHttpProxy.id,
}, { ...opts });

/** Where the app answers. */
export const url = "https://node-react-router.example.com";

/** The address the hosts' DNS A records point at; the certificate is issued once they do. */
export const load_balancer_ip = lbGlobalAddress.address;

/** The region the services run in. */
export const region = regionConfig;

/** atlas's Cloud Run service. */
export const atlas_service = atlasService.name;

/** atlas's own address on Cloud Run. */
export const atlas_url = atlasService.uri;

/** The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone. */
export const images = imagesConfig;
