# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# Every value that differs between environments or projects is a variable with its type, a
# description and the checks Azure would otherwise make only halfway through an apply.

variable "project" {
  type        = string
  description = "The app's name; every resource is named after it and the environment."
  default     = "node-angular"

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

variable "site_region" {
  type        = string
  description = "The region Static Web Apps keeps the sites' settings in; the files are served from every edge location."
  default     = "eastus2"

  validation {
    condition     = contains(["centralus", "eastasia", "eastus2", "westeurope", "westus2"], var.site_region)
    error_message = "site_region must be a region Static Web Apps runs in: centralus, eastasia, eastus2, westeurope, westus2."
  }
}

variable "dns_zone_group" {
  type        = string
  description = "The resource group of the Azure DNS zone the hosts are in (the zone exists already)."
}
