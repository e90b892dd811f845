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
  description = "The region the server is in."
  default     = "us-central1"

  validation {
    condition     = contains(["africa-south1", "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3", "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2", "europe-central2", "europe-north1", "europe-north2", "europe-southwest1", "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6", "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1", "me-central2", "me-west1", "northamerica-northeast1", "northamerica-northeast2", "northamerica-south1", "southamerica-east1", "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"], var.region)
    error_message = "region must be a Google Cloud region, such as us-central1 or europe-west1."
  }
}

variable "zone" {
  type        = string
  description = "The zone the server and its disk are in, within the region."
  default     = "us-central1-b"

  validation {
    condition     = startswith(var.zone, "${var.region}-") && length(var.zone) > length("${var.region}-")
    error_message = "zone must be a zone of the region, such as us-central1-b."
  }
}

variable "server_size" {
  type        = string
  description = "The machine's size."
  default     = "e2-small"

  validation {
    condition     = can(regex("^[a-z0-9]+-[a-z0-9-]+$", var.server_size))
    error_message = "server_size must be a Compute Engine machine type, such as e2-small or n2-standard-2."
  }
}

variable "disk_size" {
  type        = number
  description = "The disk, GiB: the system, Docker's images and the databases' volumes. It can grow later, never shrink."
  default     = 30

  validation {
    condition     = var.disk_size >= 10 && var.disk_size <= 16384 && floor(var.disk_size) == var.disk_size
    error_message = "disk_size must be a whole number of GiB from 10 (the Debian image's size) to 16384."
  }
}

variable "snapshot_days" {
  type        = number
  description = "Days each daily snapshot of the disk is kept."
  default     = 14

  validation {
    condition     = var.snapshot_days >= 1 && var.snapshot_days <= 365 && floor(var.snapshot_days) == var.snapshot_days
    error_message = "snapshot_days must be a whole number of days from 1 to 365."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "The network's address range; the server's subnet is its first sixteenth."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 range from /16 to /24, such as 10.0.0.0/16."
  }
}

variable "ssh_public_key" {
  type        = string
  description = "The public key the first login (and the playbook's first run) uses; its private half stays with you."

  validation {
    condition     = can(regex("^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/=]+", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key (the one line of ~/.ssh/id_ed25519.pub), never a private key."
  }
}

variable "admin_cidrs" {
  type        = list(string)
  description = "The IPv4 ranges SSH is let in from: your office, your VPN, the pipeline's runners (203.0.113.7/32)."

  validation {
    condition     = length(var.admin_cidrs) > 0 && alltrue([for c in var.admin_cidrs : can(cidrnetmask(c)) && tonumber(split("/", c)[1]) >= 8])
    error_message = "admin_cidrs must list IPv4 ranges of /8 or narrower: SSH is never open to the whole internet."
  }
}

variable "dns_zone" {
  type        = string
  description = "The name of the Cloud DNS managed zone the hosts are in (not its DNS name)."
  default     = "example-com"
}
