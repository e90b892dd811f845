# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# Every value that differs between environments or accounts is a variable with its type, a
# description and the checks AWS would otherwise make only halfway through an apply.

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

variable "region" {
  type        = string
  description = "The region everything is created in."
  default     = "us-east-1"

  validation {
    condition     = contains(["us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1"], var.region)
    error_message = "region must be an AWS region, such as us-east-1 or eu-west-1."
  }
}

variable "zone" {
  type        = string
  description = "The zone the server and its disk are in, within the region."
  default     = "us-east-1a"

  validation {
    condition     = startswith(var.zone, "${var.region}") && length(var.zone) > length("${var.region}")
    error_message = "zone must be a zone of the region, such as us-east-1a."
  }
}

variable "server_size" {
  type        = string
  description = "The machine's size."
  default     = "t3.small"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.server_size))
    error_message = "server_size must be an EC2 instance type, such as t3.small or m7i.large."
  }
}

variable "disk_size" {
  type        = number
  description = "The disk, GiB: the system, Docker's images and the databases' volumes. It can grow later, never shrink."
  default     = 30

  validation {
    condition     = var.disk_size >= 8 && var.disk_size <= 16384 && floor(var.disk_size) == var.disk_size
    error_message = "disk_size must be a whole number of GiB from 8 (the Debian image's size) to 16384."
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
