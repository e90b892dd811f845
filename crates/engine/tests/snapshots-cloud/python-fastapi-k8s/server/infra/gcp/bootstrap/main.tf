# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The project's shared part, applied once by a person who owns the project, before the server's
# stack: the APIs and the state bucket. Its own state stays local (terraform.tfstate here).

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
  description = "The region the state bucket and the server are in."
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

# The APIs the server's stack calls; left enabled when this stack is destroyed, since other things may use them.
resource "google_project_service" "apis" {
  for_each           = toset(["compute.googleapis.com", "iam.googleapis.com", "storage.googleapis.com", "dns.googleapis.com"])
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
