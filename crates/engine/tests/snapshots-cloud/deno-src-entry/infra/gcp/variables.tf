# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# Every value that differs between environments or projects is a variable with its type, a
# description and the checks Google Cloud would otherwise make only halfway through an apply.

variable "project_id" {
  type        = string
  description = "The Google Cloud project everything is created in (its id, not its name or number)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "project" {
  type        = string
  description = "The app's name; every resource is named after it and the environment."
  default     = "deno-src-entry"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2 to 21 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "The environment this state holds; the pipeline sets it."
  default     = "production"

  validation {
    condition     = contains(["production"], var.environment)
    error_message = "environment must be one of production."
  }
}

variable "region" {
  type        = string
  description = "The region everything is created in."
  default     = "us-central1"

  validation {
    condition     = contains(["africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"], var.region)
    error_message = "region must be a Google Cloud region with Cloud Run, such as us-central1 or europe-west1."
  }
}

variable "images" {
  type        = map(string)
  description = "The image each service runs, by service, pinned by digest (repository@sha256:...): the pipeline sets it to what it tested."

  validation {
    condition     = alltrue([for image in values(var.images) : can(regex("@sha256:[a-f0-9]{64}$", image))])
    error_message = "Each image must be pinned by digest (repository@sha256:...), so Cloud Run runs exactly what was tested."
  }
}

variable "settings" {
  type        = map(map(string))
  description = "Settings that are not secret, by service: { api = { LOG_LEVEL = \"info\" } }. Secrets go in Secret Manager (docs/gcp.md)."
  default     = {}
}

variable "cpu" {
  type        = string
  description = "vCPUs per instance."
  default     = "1"

  validation {
    condition     = contains(["1", "2", "4", "8"], var.cpu)
    error_message = "cpu must be 1, 2, 4 or 8."
  }
}

variable "memory" {
  type        = string
  description = "Memory per instance, in Cloud Run's units (512Mi, 1Gi, ...); up to 4 GiB per vCPU."
  default     = "512Mi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must be a size such as 512Mi or 2Gi."
  }
}

variable "min_instances" {
  type        = number
  description = "Fewest instances per service, kept warm: no request waits for a cold start."
  default     = 2

  validation {
    condition     = var.min_instances >= 0
    error_message = "min_instances must be 0 or more."
  }
}

variable "max_instances" {
  type        = number
  description = "Most instances per service; it also caps what a flood of requests can cost, and the database's connections."
  default     = 10

  validation {
    condition     = var.max_instances >= var.min_instances && var.max_instances >= 1
    error_message = "max_instances must be at least 1 and at least min_instances."
  }
}

variable "concurrency" {
  type        = number
  description = "Requests one instance serves at once before Cloud Run starts another."
  default     = 80

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be from 1 to 1000."
  }
}
