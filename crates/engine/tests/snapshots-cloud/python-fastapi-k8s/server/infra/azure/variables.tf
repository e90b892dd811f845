# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# Every value that differs between environments or subscriptions is a variable with its type, a
# description and the checks Azure would otherwise make only halfway through an apply.

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

variable "subscription_id" {
  type        = string
  description = "The Azure subscription everything is created in (its id)."

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.subscription_id))
    error_message = "subscription_id must be a subscription's id: a GUID such as 00000000-0000-0000-0000-000000000000."
  }
}

variable "location" {
  type        = string
  description = "The region the server is in."
  default     = "eastus"

  validation {
    condition     = contains(["australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast", "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "japaneast", "japanwest", "koreacentral", "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus", "southeastasia", "southindia", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3"], var.location)
    error_message = "location must be an Azure region, such as westeurope or eastus2."
  }
}

variable "server_size" {
  type        = string
  description = "The machine's size."
  default     = "Standard_B2s"

  validation {
    condition     = can(regex("^Standard_[A-Za-z0-9_]+$", var.server_size))
    error_message = "server_size must be an Azure VM size, such as Standard_B2s or Standard_D2s_v5."
  }
}

variable "disk_size" {
  type        = number
  description = "The disk, GiB: the system, Docker's images and the databases' volumes. It can grow later, never shrink."
  default     = 30

  validation {
    condition     = var.disk_size >= 30 && var.disk_size <= 16384 && floor(var.disk_size) == var.disk_size
    error_message = "disk_size must be a whole number of GiB from 30 (the Debian image's size) to 16384."
  }
}

variable "snapshot_days" {
  type        = number
  description = "Days each daily snapshot of the disk is kept."
  default     = 14

  validation {
    condition     = var.snapshot_days >= 7 && var.snapshot_days <= 365 && floor(var.snapshot_days) == var.snapshot_days
    error_message = "snapshot_days must be a whole number of days from 7 to 365."
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

variable "dns_resource_group" {
  type        = string
  description = "The resource group of the DNS zone the hosts are in."
}
