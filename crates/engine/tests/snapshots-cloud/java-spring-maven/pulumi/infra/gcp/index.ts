// Written by Slipway from the project's deployment spec. Plan before applying:
// pulumi preview shows every resource this creates (docs/gcp.md says in what order).
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

const config = new pulumi.Config();

/** The Google Cloud project everything is created in (its id, not its name or number). */
const projectId = config.require("project_id");

/** The app's name; every resource is named after it and the environment. */
const project = config.get("project") ?? "java-spring-maven";

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

/** The database's machine (Enterprise edition). */
const dbTier = config.get("db_tier") ?? "db-custom-1-3840";

/** The database's SSD storage, GiB; it grows by itself up to five times this. */
const dbStorageGb = config.getNumber("db_storage_gb") ?? 10;

/** Daily backups kept; point-in-time recovery reaches back as far, seven days at most. */
const backupDays = config.getNumber("backup_days") ?? 14;

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

// payments's identity, made by the bootstrap stack: it reads its own secrets, nothing else.
const paymentsAccountData = gcp.serviceaccount.getAccountOutput({
  accountId: `${environment}-payments-run`,
}, opts);

// payments's DATABASE_URL: Terraform makes it empty; a person puts the value in (docs/gcp.md).
const paymentsDatabaseUrlSecret = new gcp.secretmanager.Secret("payments-database-url", {
  secretId: `${name}-payments-DATABASE_URL`,
  replication: {
    auto: {},
  },
}, { ...opts });

const paymentsDatabaseUrlSecretIamMember = new gcp.secretmanager.SecretIamMember("payments-database-url", {
  secretId: paymentsDatabaseUrlSecret.id,
  role: "roles/secretmanager.secretAccessor",
  member: paymentsAccountData.member,
}, { ...opts });

// payments: reached only through the load balancer, which ends TLS for its host.
const paymentsService = new gcp.cloudrunv2.Service("payments", {
  name: `${name}-payments`,
  location: regionConfig,
  ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
  deletionProtection: true,
  template: {
    serviceAccount: paymentsAccountData.email,
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
      image: imagesConfig["payments"],
      ports: {
        containerPort: 8081,
      },
      resources: {
        limits: { cpu: cpu, memory: memory },
        cpuIdle: true,
        startupCpuBoost: true,
      },
      startupProbe: {
        periodSeconds: 5,
        timeoutSeconds: 3,
        failureThreshold: 48,
        httpGet: {
          path: "/actuator/health",
        },
      },
      livenessProbe: {
        periodSeconds: 15,
        timeoutSeconds: 3,
        failureThreshold: 3,
        httpGet: {
          path: "/actuator/health",
        },
      },
      envs: [{
        name: "DATABASE_URL",
        valueSource: {
          secretKeyRef: {
            secret: paymentsDatabaseUrlSecret.secretId,
            version: "latest",
          },
        },
      }, ...Object.entries((settings["payments"] ?? {})).map(([key, value]) => ({
        name: key,
        value: value,
      }))],
    }],
  },
  traffics: [{
    type: "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST",
    percent: 100,
  }],
}, { ...opts, dependsOn: [paymentsDatabaseUrlSecretIamMember] });

// payments serves the public: anyone may call it (the app does its own sign-in).
const paymentsPublicServiceIamMember = new gcp.cloudrunv2.ServiceIamMember("payments-public", {
  name: paymentsService.name,
  location: paymentsService.location,
  role: "roles/run.invoker",
  member: "allUsers",
}, { ...opts });

const lbGlobalAddress = new gcp.compute.GlobalAddress("lb", {
  name: `${name}-lb`,
}, { ...opts });

const mainManagedSslCertificate = new gcp.compute.ManagedSslCertificate("main", {
  name: `${name}-cert`,
  managed: {
    domains: ["java-spring-maven.example.com"],
  },
}, { ...opts });

const modernSSLPolicy = new gcp.compute.SSLPolicy("modern", {
  name: `${name}-tls`,
  profile: "MODERN",
  minTlsVersion: "TLS_1_2",
}, { ...opts });

const paymentsRegionNetworkEndpointGroup = new gcp.compute.RegionNetworkEndpointGroup("payments", {
  name: `${name}-payments`,
  networkEndpointType: "SERVERLESS",
  region: regionConfig,
  cloudRun: {
    service: paymentsService.name,
  },
}, { ...opts });

const paymentsBackendService = new gcp.compute.BackendService("payments", {
  name: `${name}-payments`,
  loadBalancingScheme: "EXTERNAL_MANAGED",
  protocol: "HTTPS",
  logConfig: {
    enable: true,
    sampleRate: 1,
  },
  backends: [{
    group: paymentsRegionNetworkEndpointGroup.id,
  }],
}, { ...opts });

const httpsURLMap = new gcp.compute.URLMap("https", {
  name: name,
  defaultService: paymentsBackendService.id,
  hostRules: [{
    hosts: ["java-spring-maven.example.com"],
    pathMatcher: "payments",
  }],
  pathMatchers: [{
    name: "payments",
    defaultService: paymentsBackendService.id,
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

// PostgreSQL: one instance per environment; the app's database is `app`.
const postgresDatabaseInstance = new gcp.sql.DatabaseInstance("postgres", {
  name: `${name}-postgres`,
  databaseVersion: "POSTGRES_18",
  region: regionConfig,
  deletionProtection: true,
  settings: {
    tier: dbTier,
    edition: "ENTERPRISE",
    availabilityType: (highAvailability ? "REGIONAL" : "ZONAL"),
    diskType: "PD_SSD",
    diskSize: dbStorageGb,
    diskAutoresize: true,
    diskAutoresizeLimit: dbStorageGb * 5,
    deletionProtectionEnabled: true,
    retainBackupsOnDelete: true,
    userLabels: labels,
    ipConfiguration: {
      ipv4Enabled: false,
      privateNetwork: mainNetwork.id,
      sslMode: "ENCRYPTED_ONLY",
    },
    backupConfiguration: {
      enabled: true,
      startTime: "03:00",
      pointInTimeRecoveryEnabled: true,
      transactionLogRetentionDays: Math.min(backupDays, 7),
      backupRetentionSettings: {
        retainedBackups: backupDays,
        retentionUnit: "COUNT",
      },
    },
    maintenanceWindow: {
      day: 7,
      hour: 4,
      updateTrack: "stable",
    },
    insightsConfig: {
      queryInsightsEnabled: true,
      recordApplicationTags: true,
      recordClientAddress: false,
    },
    databaseFlags: [{
      name: "log_checkpoints",
      value: "on",
    }, {
      name: "log_connections",
      value: "on",
    }, {
      name: "log_disconnections",
      value: "on",
    }, {
      name: "log_lock_waits",
      value: "on",
    }, {
      name: "log_temp_files",
      value: "0",
    }, {
      name: "log_min_duration_statement",
      value: "-1",
    }, {
      name: "log_min_messages",
      value: "error",
    }, {
      name: "log_min_error_statement",
      value: "error",
    }, {
      name: "log_statement",
      value: "ddl",
    }, {
      name: "log_hostname",
      value: "on",
    }, {
      name: "cloudsql.enable_pgaudit",
      value: "on",
    }],
  },
}, { ...opts, dependsOn: [servicesConnection] });

const postgresDatabase = new gcp.sql.Database("postgres", {
  name: "app",
  instance: postgresDatabaseInstance.name,
}, { ...opts });

/** Where the app answers. */
export const url = "https://java-spring-maven.example.com";

/** The address the hosts' DNS A records point at; the certificate is issued once they do. */
export const load_balancer_ip = lbGlobalAddress.address;

/** The region the services run in. */
export const region = regionConfig;

/** payments's Cloud Run service. */
export const payments_service = paymentsService.name;

/** payments's own address on Cloud Run. */
export const payments_url = paymentsService.uri;

/** The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone. */
export const images = imagesConfig;

/** PostgreSQL's connection name, for gcloud sql and the restore in docs/gcp.md. */
export const postgres_instance = postgresDatabaseInstance.connectionName;

/** PostgreSQL's private address, for the app's connection URL (port 5432). */
export const postgres_address = postgresDatabaseInstance.privateIpAddress;
