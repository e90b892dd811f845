# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# Every value that differs between environments or projects is a variable with its type, a
# description and the checks Google Cloud would otherwise make only halfway through an apply.

variable "project" {
  type        = string
  description = "The app's name; every resource is named after it and the environment."
  default     = "python-fastapi-k8s"

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

variable "vpc_cidr" {
  type        = string
  description = "The network's address range; the nodes' subnet (and on Google Cloud the pods' and services' ranges) are cut from it."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 range from /16 to /20, such as 10.0.0.0/16: a cluster's nodes and pods need the room."
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
  description = "The region the cluster is in (its control plane and nodes span the region's zones)."
  default     = "us-central1"

  validation {
    condition     = contains(["africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"], var.region)
    error_message = "region must be a Google Cloud region, such as us-central1 or europe-west1."
  }
}
