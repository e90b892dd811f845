# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The subscription's shared part, applied once by a person who owns the subscription, before the
# server's stack: the resource group and storage account of the state. Its own state stays local
# (terraform.tfstate here).

terraform {
  required_version = ">= 1.11"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.66"
    }
  }
}

provider "azurerm" {
  subscription_id     = var.subscription_id
  storage_use_azuread = true

  features {
    key_vault {
      purge_soft_delete_on_destroy = false
    }

    resource_group {
      prevent_deletion_if_contains_resources = true
    }
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
  description = "The region the state and the server are in."
  default     = "eastus"

  validation {
    condition     = contains(["australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast", "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "japaneast", "japanwest", "koreacentral", "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus", "southeastasia", "southindia", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3"], var.location)
    error_message = "location must be an Azure region, such as westeurope or eastus2."
  }
}

variable "state_account" {
  type        = string
  description = "The state's storage account; names are global, so change it here and in ../backend.tf if it is taken."
  default     = "pythonfastapik8stfstate"

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.state_account))
    error_message = "state_account must be 3 to 24 lowercase letters and digits."
  }
}

locals {
  tags = {
    project    = "python-fastapi-k8s"
    managed-by = "terraform"
  }
}

resource "azurerm_resource_group" "shared" {
  name     = "python-fastapi-k8s-shared"
  location = var.location
  tags     = local.tags
}

# The environment stacks' state, locked by a blob lease while a run holds it. Reached with Entra ID
# only (no account keys), TLS 1.2, never public, versioned, deleted blobs kept 30 days, and never
# destroyed by an apply.
resource "azurerm_storage_account" "state" {
  name                              = var.state_account
  resource_group_name               = azurerm_resource_group.shared.name
  location                          = var.location
  account_tier                      = "Standard"
  account_replication_type          = "GRS"
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  infrastructure_encryption_enabled = true
  cross_tenant_replication_enabled  = false
  local_user_enabled                = false

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = 30
    }

    container_delete_retention_policy {
      days = 30
    }
  }

  sas_policy {
    expiration_period = "0.01:00:00"
    expiration_action = "Block"
  }

  tags = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_storage_container" "state" {
  name                  = "tfstate"
  storage_account_id    = azurerm_storage_account.state.id
  container_access_type = "private"
}
