// Written by Slipway from the project's deployment spec. Plan before applying:
// pulumi preview shows every resource this creates (docs/gcp.md says in what order).
// 
// The project's shared stack, applied once by a person who owns the project, before the
// environment's stack: the APIs, the state bucket, the image repository, and the pipeline's identities.
// Its own state stays local (terraform.tfstate here); docs/gcp.md says how to move it into the bucket.
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";

const config = new pulumi.Config();

/** The Google Cloud project everything is created in (its id, not its name or number). */
const projectId = config.require("project_id");

/** The region the state bucket and the image repository are in. */
const region = config.get("region") ?? "us-central1";

/** The state bucket's name; bucket names are global, so change it here and in ../backend.tf if it is taken. */
const stateBucket = config.get("state_bucket") ?? "mono-bun-root-app-pulumi-state";

const provider = new gcp.Provider("google", {
  project: projectId,
  region: region,
  defaultLabels: { project: "mono-bun-root-app", "managed-by": "pulumi" },
});
const opts = { provider };

// The APIs both stacks call; left enabled when this stack is destroyed, since other things may use them.
const apisService = ["artifactregistry.googleapis.com", "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "logging.googleapis.com", "redis.googleapis.com", "run.googleapis.com", "secretmanager.googleapis.com", "servicenetworking.googleapis.com", "sqladmin.googleapis.com", "sts.googleapis.com"].map(
  (item) =>
    new gcp.projects.Service(`apis-${item.replace(/[^a-z0-9]+/gi, "-")}`, {
        service: item,
        disableOnDestroy: false,
      }, { ...opts }),
);

// The bucket the environment stacks keep their state in, with the lock beside it. Versioned, never
// public, and never destroyed by an apply; old versions go after the ten newest.
const stateBucket2 = new gcp.storage.Bucket("state", {
  name: stateBucket,
  location: region,
  uniformBucketLevelAccess: true,
  publicAccessPrevention: "enforced",
  forceDestroy: false,
  versioning: {
    enabled: true,
  },
  lifecycleRules: [{
    condition: {
      numNewerVersions: 10,
    },
    action: {
      type: "Delete",
    },
  }],
}, { ...opts, protect: true });

// The key Pulumi encrypts the stacks' secrets with (their state holds Redis's AUTH string, for one).
const pulumiKeyRing = new gcp.kms.KeyRing("pulumi", {
  name: "mono-bun-root-app-pulumi",
  location: region,
}, { ...opts, dependsOn: [...apisService] });

const stateCryptoKey = new gcp.kms.CryptoKey("state", {
  name: "state",
  keyRing: pulumiKeyRing.id,
  rotationPeriod: "7776000s",
}, { ...opts, protect: true });

// The image repository: tags never move (an image is its commit), and only the newest images are kept.
const imagesRepository = new gcp.artifactregistry.Repository("images", {
  repositoryId: "mono-bun-root-app",
  location: region,
  format: "DOCKER",
  description: "mono-bun-root-app's images, pushed by the pipeline",
  cleanupPolicyDryRun: false,
  dockerConfig: {
    immutableTags: true,
  },
  cleanupPolicies: [{
    id: "keep-newest",
    action: "KEEP",
    mostRecentVersions: {
      keepCount: 30,
    },
  }, {
    id: "delete-old-untagged",
    action: "DELETE",
    condition: {
      tagState: "UNTAGGED",
      olderThan: "1209600s",
    },
  }],
}, { ...opts, dependsOn: [...apisService] });

// GitHub's OIDC tokens are exchanged here for short-lived Google credentials; no key exists to leak.
const githubWorkloadIdentityPool = new gcp.iam.WorkloadIdentityPool("github", {
  workloadIdentityPoolId: "github",
  displayName: "GitHub Actions",
}, { ...opts, dependsOn: [...apisService] });

// Only this repository's plan, push and deploy jobs get in; each service account below then admits
// exactly its own subject.
const githubWorkloadIdentityPoolProvider = new gcp.iam.WorkloadIdentityPoolProvider("github", {
  workloadIdentityPoolId: githubWorkloadIdentityPool.workloadIdentityPoolId,
  workloadIdentityPoolProviderId: "github",
  displayName: "GitHub Actions OIDC",
  attributeMapping: { "google.subject": "assertion.sub", "attribute.repository": "assertion.repository", "attribute.environment": "assertion.environment" },
  attributeCondition: "assertion.repository == 'acme/shop' && (assertion.sub == 'repo:acme/shop:pull_request' || assertion.sub == 'repo:acme/shop:ref:refs/heads/main' || assertion.sub == 'repo:acme/shop:environment:production')",
  oidc: {
    issuerUri: "https://token.actions.githubusercontent.com",
  },
}, { ...opts });

// Plans on pull requests: reads everything, changes nothing.
const planAccount = new gcp.serviceaccount.Account("plan", {
  accountId: "ci-plan",
  displayName: "GitHub Actions: plan",
}, { ...opts, dependsOn: [...apisService] });

const planGithubIAMMember = new gcp.serviceaccount.IAMMember("plan-github", {
  serviceAccountId: planAccount.name,
  role: "roles/iam.workloadIdentityUser",
  member: pulumi.interpolate`principal://iam.googleapis.com/${githubWorkloadIdentityPool.name}/subject/repo:acme/shop:pull_request`,
}, { ...opts });

// Pushes images from the deploy branch, to the image repository only.
const pushAccount = new gcp.serviceaccount.Account("push", {
  accountId: "ci-push",
  displayName: "GitHub Actions: push",
}, { ...opts, dependsOn: [...apisService] });

const pushGithubIAMMember = new gcp.serviceaccount.IAMMember("push-github", {
  serviceAccountId: pushAccount.name,
  role: "roles/iam.workloadIdentityUser",
  member: pulumi.interpolate`principal://iam.googleapis.com/${githubWorkloadIdentityPool.name}/subject/repo:acme/shop:ref:refs/heads/main`,
}, { ...opts });

// Applies the environment stacks from the deploy environments.
const deployAccount = new gcp.serviceaccount.Account("deploy", {
  accountId: "ci-deploy",
  displayName: "GitHub Actions: deploy",
}, { ...opts, dependsOn: [...apisService] });

const deployGithubIAMMember = new gcp.serviceaccount.IAMMember("deploy-github", {
  serviceAccountId: deployAccount.name,
  role: "roles/iam.workloadIdentityUser",
  member: pulumi.interpolate`principal://iam.googleapis.com/${githubWorkloadIdentityPool.name}/subject/repo:acme/shop:environment:production`,
}, { ...opts });

const planIAMMember = ["roles/iam.securityReviewer", "roles/viewer"].map(
  (item) =>
    new gcp.projects.IAMMember(`plan-${item.replace(/[^a-z0-9]+/gi, "-")}`, {
        project: projectId,
        role: item,
        member: planAccount.member,
      }, { ...opts }),
);

const planStateCryptoKeyIAMMember = new gcp.kms.CryptoKeyIAMMember("plan-state", {
  cryptoKeyId: stateCryptoKey.id,
  role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
  member: planAccount.member,
}, { ...opts });

// Planning takes the state's lock, so it writes the lock object.
const planStateBucketIAMMember = new gcp.storage.BucketIAMMember("plan-state", {
  bucket: stateBucket2.name,
  role: "roles/storage.objectUser",
  member: planAccount.member,
}, { ...opts });

const deployIAMMember = ["roles/cloudsql.admin", "roles/compute.loadBalancerAdmin", "roles/compute.networkAdmin", "roles/compute.securityAdmin", "roles/redis.admin", "roles/run.admin", "roles/secretmanager.admin", "roles/servicenetworking.networksAdmin"].map(
  (item) =>
    new gcp.projects.IAMMember(`deploy-${item.replace(/[^a-z0-9]+/gi, "-")}`, {
        project: projectId,
        role: item,
        member: deployAccount.member,
      }, { ...opts }),
);

const deployStateCryptoKeyIAMMember = new gcp.kms.CryptoKeyIAMMember("deploy-state", {
  cryptoKeyId: stateCryptoKey.id,
  role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
  member: deployAccount.member,
}, { ...opts });

// Applying reads and writes the state.
const deployStateBucketIAMMember = new gcp.storage.BucketIAMMember("deploy-state", {
  bucket: stateBucket2.name,
  role: "roles/storage.objectUser",
  member: deployAccount.member,
}, { ...opts });

// greeter's identity on Cloud Run in production: the environment's stack gives it its own secrets.
const productionGreeterAccount = new gcp.serviceaccount.Account("production-greeter", {
  accountId: "production-greeter-run",
  displayName: "mono-bun-root-app-production: greeter on Cloud Run",
}, { ...opts, dependsOn: [...apisService] });

// The deploy job may run the service as it, and as no other account.
const productionGreeterDeployIAMMember = new gcp.serviceaccount.IAMMember("production-greeter-deploy", {
  serviceAccountId: productionGreeterAccount.name,
  role: "roles/iam.serviceAccountUser",
  member: deployAccount.member,
}, { ...opts });

const pushRepositoryIamMember = new gcp.artifactregistry.RepositoryIamMember("push", {
  repository: imagesRepository.name,
  location: imagesRepository.location,
  role: "roles/artifactregistry.writer",
  member: pushAccount.member,
}, { ...opts });

/** The state bucket (../backend.tf names it). */
export const state_bucket = stateBucket2.name;

/** Where the images go: GAR_LOCATION, GCP_PROJECT and GAR_REPOSITORY in GitHub. */
export const repository = pulumi.interpolate`${imagesRepository.location}-docker.pkg.dev/${projectId}/${imagesRepository.repositoryId}`;

/** GCP_WIF_PROVIDER in GitHub. */
export const workload_identity_provider = githubWorkloadIdentityPoolProvider.name;

/** GCP_PLAN_SERVICE_ACCOUNT in GitHub. */
export const plan_service_account = planAccount.email;

/** GCP_PUSH_SERVICE_ACCOUNT in GitHub. */
export const push_service_account = pushAccount.email;

/** GCP_DEPLOY_SERVICE_ACCOUNT in GitHub. */
export const deploy_service_account = deployAccount.email;
