# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

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

locals {
  name = "${var.project}-${var.environment}"
  tags = {
    project     = var.project
    environment = var.environment
    managed-by  = "terraform"
  }
}

# The environment's resource group, made by the bootstrap stack.
data "azurerm_resource_group" "env" {
  name = local.name
}
