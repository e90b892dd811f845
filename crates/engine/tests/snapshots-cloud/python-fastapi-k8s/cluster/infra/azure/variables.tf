# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# Every value that differs between environments or projects is a variable with its type, a
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

variable "vpc_cidr" {
  type        = string
  description = "The network's address range; the nodes' subnet (and on Google Cloud the pods' and services' ranges) are cut from it."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 range from /16 to /20, such as 10.0.0.0/16: a cluster's nodes and pods need the room."
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
  description = "The region the cluster is in; its nodes span three zones."
  default     = "eastus"

  validation {
    condition     = contains(["australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast", "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "japaneast", "japanwest", "koreacentral", "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus", "southeastasia", "southindia", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3"], var.location)
    error_message = "location must be an Azure region, such as westeurope or eastus2."
  }
}

variable "node_size" {
  type        = string
  description = "The nodes' VM size."
  default     = "Standard_D2ds_v5"

  validation {
    condition     = can(regex("^Standard_[A-Za-z0-9_]+$", var.node_size))
    error_message = "node_size must be an Azure VM size, such as Standard_D2ds_v5."
  }
}

variable "max_nodes" {
  type        = number
  description = "The most nodes the autoscaler adds; it keeps one per zone at least."
  default     = 6

  validation {
    condition     = var.max_nodes >= 3 && var.max_nodes <= 1000 && floor(var.max_nodes) == var.max_nodes
    error_message = "max_nodes must be a whole number from 3 (one node in each zone) to 1000."
  }
}

variable "api_cidrs" {
  type        = list(string)
  description = "The IPv4 ranges the cluster's API answers: your office, your VPN, the pipeline's runners. GitHub's hosted runners have no fixed addresses: use runners with static addresses, or 0.0.0.0/0 knowing that every call must still sign in (docs say more)."

  validation {
    condition     = length(var.api_cidrs) > 0 && alltrue([for c in var.api_cidrs : can(cidrnetmask(c))])
    error_message = "api_cidrs must list IPv4 ranges, such as 203.0.113.0/24."
  }
}

variable "admin_group_ids" {
  type        = list(string)
  description = "The object ids of the Entra ID groups whose members administer the cluster (they create the namespace and the app's Secrets)."

  validation {
    condition     = alltrue([for g in var.admin_group_ids : can(regex("^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", g))])
    error_message = "admin_group_ids must be object ids (GUIDs)."
  }
}

variable "log_days" {
  type        = number
  description = "Days the cluster's logs are kept in Log Analytics."
  default     = 30

  validation {
    condition     = var.log_days >= 30 && var.log_days <= 730
    error_message = "log_days must be from 30 to 730."
  }
}
