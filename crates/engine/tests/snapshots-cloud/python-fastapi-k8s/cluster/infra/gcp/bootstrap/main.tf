# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The project's shared stack, applied once by a person who owns the project, before the
# environment's stack: the APIs, the state bucket, the image repository, and the pipeline's identities.
# Its own state stays local (terraform.tfstate here); docs/gcp.md says how to move it into the bucket.

terraform {
  required_version = ">= 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
  default_labels = {
    project    = "python-fastapi-k8s"
    managed-by = "terraform"
  }
}

variable "project_id" {
  type        = string
  description = "The Google Cloud project everything is created in (its id, not its name or number)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  type        = string
  description = "The region the state bucket, the image repository and the cluster are in."
  default     = "us-central1"

  validation {
    condition     = contains(["africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"], var.region)
    error_message = "region must be a Google Cloud region, such as us-central1 or europe-west1."
  }
}

variable "state_bucket" {
  type        = string
  description = "The state bucket's name; bucket names are global, so change it here and in ../backend.tf if it is taken."
  default     = "python-fastapi-k8s-terraform-state"
}

# The APIs both stacks call; left enabled when this stack is destroyed, since other things may use them.
resource "google_project_service" "apis" {
  for_each           = toset(["artifactregistry.googleapis.com", "binaryauthorization.googleapis.com", "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com", "container.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com", "sts.googleapis.com"])
  service            = each.value
  disable_on_destroy = false
}

# The bucket the environment stacks keep their state in, with the lock beside it. Versioned, never
# public, and never destroyed by an apply; old versions go after the ten newest.
resource "google_storage_bucket" "state" {
  name                        = var.state_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 10
    }

    action {
      type = "Delete"
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

# The image repository: tags never move (an image is its commit), and only the newest images are kept.
resource "google_artifact_registry_repository" "images" {
  repository_id = "python-fastapi-k8s"
  location      = var.region
  format        = "DOCKER"
  description   = "python-fastapi-k8s's images, pushed by the pipeline"

  docker_config {
    immutable_tags = true
  }

  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-newest"
    action = "KEEP"

    most_recent_versions {
      keep_count = 30
    }
  }

  cleanup_policies {
    id     = "delete-old-untagged"
    action = "DELETE"

    condition {
      tag_state  = "UNTAGGED"
      older_than = "1209600s"
    }
  }

  depends_on = [google_project_service.apis]
}

# GitHub's OIDC tokens are exchanged here for short-lived Google credentials; no key exists to leak.
resource "google_iam_workload_identity_pool" "github" {
  workload_identity_pool_id = "github"
  display_name              = "GitHub Actions"
  depends_on                = [google_project_service.apis]
}

# Only this repository's plan, push and deploy jobs get in; each service account below then admits
# exactly its own subject.
resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github"
  display_name                       = "GitHub Actions OIDC"
  attribute_mapping = {
    "google.subject"        = "assertion.sub"
    "attribute.repository"  = "assertion.repository"
    "attribute.environment" = "assertion.environment"
  }
  attribute_condition = "assertion.repository == 'acme/shop' && (assertion.sub == 'repo:acme/shop:pull_request' || assertion.sub == 'repo:acme/shop:ref:refs/heads/main' || assertion.sub == 'repo:acme/shop:environment:production')"

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

# Plans on pull requests: reads everything, changes nothing.
resource "google_service_account" "plan" {
  account_id   = "ci-plan"
  display_name = "GitHub Actions: plan"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account_iam_member" "plan_github" {
  service_account_id = google_service_account.plan.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/subject/repo:acme/shop:pull_request"
}

# Pushes images from the deploy branch, to the image repository only.
resource "google_service_account" "push" {
  account_id   = "ci-push"
  display_name = "GitHub Actions: push"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account_iam_member" "push_github" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/subject/repo:acme/shop:ref:refs/heads/main"
}

# Applies the environment stacks from the deploy environments.
resource "google_service_account" "deploy" {
  account_id   = "ci-deploy"
  display_name = "GitHub Actions: deploy"
  depends_on   = [google_project_service.apis]
}

resource "google_service_account_iam_member" "deploy_github" {
  service_account_id = google_service_account.deploy.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/subject/repo:acme/shop:environment:production"
}

resource "google_project_iam_member" "plan" {
  for_each = toset(["roles/iam.securityReviewer", "roles/viewer"])
  project  = var.project_id
  role     = each.value
  member   = google_service_account.plan.member
}

# Planning takes the state's lock, so it writes the lock object.
resource "google_storage_bucket_iam_member" "plan_state" {
  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectUser"
  member = google_service_account.plan.member
}

resource "google_project_iam_member" "deploy" {
  for_each = toset(["roles/cloudkms.admin", "roles/compute.networkAdmin", "roles/compute.securityAdmin", "roles/container.admin"])
  project  = var.project_id
  role     = each.value
  member   = google_service_account.deploy.member
}

# Applying reads and writes the state.
resource "google_storage_bucket_iam_member" "deploy_state" {
  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectUser"
  member = google_service_account.deploy.member
}

# The identity of the cluster's nodes in production: logs, metrics and image pulls, nothing else.
resource "google_service_account" "production_nodes" {
  account_id   = "python-fastapi-producti-nodes"
  display_name = "python-fastapi-k8s-production: GKE nodes"
  depends_on   = [google_project_service.apis]
}

resource "google_project_iam_member" "production_nodes" {
  for_each = toset(["roles/autoscaling.metricsWriter", "roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/stackdriver.resourceMetadata.writer"])
  project  = var.project_id
  role     = each.value
  member   = google_service_account.production_nodes.member
}

resource "google_artifact_registry_repository_iam_member" "production_nodes_pull" {
  repository = google_artifact_registry_repository.images.name
  location   = google_artifact_registry_repository.images.location
  role       = "roles/artifactregistry.reader"
  member     = google_service_account.production_nodes.member
}

# The deploy account may give the nodes this identity, and no other.
resource "google_service_account_iam_member" "production_nodes_deploy" {
  service_account_id = google_service_account.production_nodes.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.deploy.member
}

resource "google_artifact_registry_repository_iam_member" "push" {
  repository = google_artifact_registry_repository.images.name
  location   = google_artifact_registry_repository.images.location
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.push.member
}

output "state_bucket" {
  description = "The state bucket (../backend.tf names it)."
  value       = google_storage_bucket.state.name
}

output "repository" {
  description = "Where the images go: GAR_LOCATION, GCP_PROJECT and GAR_REPOSITORY in GitHub."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "workload_identity_provider" {
  description = "GCP_WIF_PROVIDER in GitHub."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "plan_service_account" {
  description = "GCP_PLAN_SERVICE_ACCOUNT in GitHub."
  value       = google_service_account.plan.email
}

output "push_service_account" {
  description = "GCP_PUSH_SERVICE_ACCOUNT in GitHub."
  value       = google_service_account.push.email
}

output "deploy_service_account" {
  description = "GCP_DEPLOY_SERVICE_ACCOUNT in GitHub."
  value       = google_service_account.deploy.email
}
