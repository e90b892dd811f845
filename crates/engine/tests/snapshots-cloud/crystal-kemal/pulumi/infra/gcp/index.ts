// Written by Slipway from the project's deployment spec. Plan before applying:
// pulumi preview shows every resource this creates (docs/gcp.md says in what order).
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

const config = new pulumi.Config();

/** The Google Cloud project everything is created in (its id, not its name or number). */
const projectId = config.require("project_id");

/** The app's name; every resource is named after it and the environment. */
const project = config.get("project") ?? "crystal-kemal";

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

/** The subnet the services reach the database and cache through (Direct VPC egress). */
const subnetCidr = config.get("subnet_cidr") ?? "10.0.0.0/16";

/** A standby database (and cache replica) in a second zone that takes over by itself. */
const highAvailability = config.getBoolean("high_availability") ?? true;

const name = `${project}-${environment}`;
const labels = { project: project, environment: environment, "managed-by": "pulumi" };

const provider = new gcp.Provider("google", {
  project: projectId,
  region: regionConfig,
  defaultLabels: labels,
});
const opts = { provider };

const mainNetwork = new gcp.compute.Network("main", {
  name: name,
  autoCreateSubnetworks: false,
  routingMode: "REGIONAL",
}, { ...opts });

// Flow logs, sampled, so a connection can be traced after an incident.
const mainSubnetwork = new gcp.compute.Subnetwork("main", {
  name: name,
  network: mainNetwork.id,
  region: regionConfig,
  ipCidrRange: subnetCidr,
  privateIpGoogleAccess: true,
  logConfig: {
    aggregationInterval: "INTERVAL_5_SEC",
    flowSampling: 0.5,
    metadata: "INCLUDE_ALL_METADATA",
  },
}, { ...opts });

// Nothing on the network takes connections from outside it; denied attempts are logged.
const denyIngressFirewall = new gcp.compute.Firewall("deny-ingress", {
  name: `${name}-deny-ingress`,
  network: mainNetwork.id,
  direction: "INGRESS",
  priority: 65534,
  sourceRanges: ["0.0.0.0/0"],
  logConfig: {
    metadata: "INCLUDE_ALL_METADATA",
  },
  denies: [{
    protocol: "all",
  }],
}, { ...opts });

// The range Google's managed services (Cloud SQL, Memorystore) take their private addresses from.
const servicesGlobalAddress = new gcp.compute.GlobalAddress("services", {
  name: `${name}-services`,
  purpose: "VPC_PEERING",
  addressType: "INTERNAL",
  prefixLength: 20,
  network: mainNetwork.id,
}, { ...opts });

const servicesConnection = new gcp.servicenetworking.Connection("services", {
  network: mainNetwork.id,
  service: "servicenetworking.googleapis.com",
  reservedPeeringRanges: [servicesGlobalAddress.name],
}, { ...opts });

// beacon's identity, made by the bootstrap stack: it reads its own secrets, nothing else.
const beaconAccountData = gcp.serviceaccount.getAccountOutput({
  accountId: `${environment}-beacon-run`,
}, opts);

// beacon's REDIS_URL: Terraform makes it empty; a person puts the value in (docs/gcp.md).
const beaconRedisUrlSecret = new gcp.secretmanager.Secret("beacon-redis-url", {
  secretId: `${name}-beacon-REDIS_URL`,
  replication: {
    auto: {},
  },
}, { ...opts });

const beaconRedisUrlSecretIamMember = new gcp.secretmanager.SecretIamMember("beacon-redis-url", {
  secretId: beaconRedisUrlSecret.id,
  role: "roles/secretmanager.secretAccessor",
  member: beaconAccountData.member,
}, { ...opts });

// beacon: reached only through the load balancer, which ends TLS for its host.
const beaconService = new gcp.cloudrunv2.Service("beacon", {
  name: `${name}-beacon`,
  location: regionConfig,
  ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  deletionProtection: true,
  template: {
    serviceAccount: beaconAccountData.email,
    executionEnvironment: "EXECUTION_ENVIRONMENT_GEN2",
    maxInstanceRequestConcurrency: concurrency,
    timeout: "300s",
    scaling: {
      minInstanceCount: minInstances,
      maxInstanceCount: maxInstances,
    },
    vpcAccess: {
      egress: "PRIVATE_RANGES_ONLY",
      networkInterfaces: [{
        network: mainNetwork.id,
        subnetwork: mainSubnetwork.id,
      }],
    },
    containers: [{
      image: imagesConfig["beacon"],
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
      envs: [{
        name: "REDIS_URL",
        valueSource: {
          secretKeyRef: {
            secret: beaconRedisUrlSecret.secretId,
            version: "latest",
          },
        },
      }, ...Object.entries((settings["beacon"] ?? {})).map(([key, value]) => ({
        name: key,
        value: value,
      }))],
    }],
  },
  traffics: [{
    type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
    percent: 100,
  }],
}, { ...opts, dependsOn: [beaconRedisUrlSecretIamMember] });

// beacon serves the public: anyone may call it (the app does its own sign-in).
const beaconPublicServiceIamMember = new gcp.cloudrunv2.ServiceIamMember("beacon-public", {
  name: beaconService.name,
  location: beaconService.location,
  role: "roles/run.invoker",
  member: "allUsers",
}, { ...opts });

const lbGlobalAddress = new gcp.compute.GlobalAddress("lb", {
  name: `${name}-lb`,
}, { ...opts });

const mainManagedSslCertificate = new gcp.compute.ManagedSslCertificate("main", {
  name: `${name}-cert`,
  managed: {
    domains: ["crystal-kemal.example.com"],
  },
}, { ...opts });

const modernSSLPolicy = new gcp.compute.SSLPolicy("modern", {
  name: `${name}-tls`,
  profile: "MODERN",
  minTlsVersion: "TLS_1_2",
}, { ...opts });

const beaconRegionNetworkEndpointGroup = new gcp.compute.RegionNetworkEndpointGroup("beacon", {
  name: `${name}-beacon`,
  networkEndpointType: "SERVERLESS",
  region: regionConfig,
  cloudRun: {
    service: beaconService.name,
  },
}, { ...opts });

const beaconBackendService = new gcp.compute.BackendService("beacon", {
  name: `${name}-beacon`,
  loadBalancingScheme: "EXTERNAL_MANAGED",
  protocol: "HTTPS",
  logConfig: {
    enable: true,
    sampleRate: 1,
  },
  backends: [{
    group: beaconRegionNetworkEndpointGroup.id,
  }],
}, { ...opts });

const httpsURLMap = new gcp.compute.URLMap("https", {
  name: name,
  defaultService: beaconBackendService.id,
  hostRules: [{
    hosts: ["crystal-kemal.example.com"],
    pathMatcher: "beacon",
  }],
  pathMatchers: [{
    name: "beacon",
    defaultService: beaconBackendService.id,
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

const redisInstance = new gcp.redis.Instance("redis", {
  name: `${name}-redis`,
  tier: (highAvailability ? "STANDARD_HA" : "BASIC"),
  memorySizeGb: 1,
  region: regionConfig,
  redisVersion: "REDIS_7_2",
  authorizedNetwork: mainNetwork.id,
  connectMode: "PRIVATE_SERVICE_ACCESS",
  authEnabled: true,
  transitEncryptionMode: "SERVER_AUTHENTICATION",
  labels: labels,
}, { ...opts, dependsOn: [servicesConnection] });

/** Where the app answers. */
export const url = "https://crystal-kemal.example.com";

/** The address the hosts' DNS A records point at; the certificate is issued once they do. */
export const load_balancer_ip = lbGlobalAddress.address;

/** The region the services run in. */
export const region = regionConfig;

/** beacon's Cloud Run service. */
export const beacon_service = beaconService.name;

/** beacon's own address on Cloud Run. */
export const beacon_url = beaconService.uri;

/** The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone. */
export const images = imagesConfig;

/** Redis's private address (rediss://, TLS). */
export const redis_address = pulumi.interpolate`${redisInstance.host}:${redisInstance.port}`;

/** Redis's AUTH string, for the app's REDIS_URL secret (kept secret in the outputs). */
export const redis_auth = pulumi.secret(redisInstance.authString);
