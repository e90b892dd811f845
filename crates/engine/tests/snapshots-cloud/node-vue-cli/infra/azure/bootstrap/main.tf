# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The project's shared stack, applied once by a person who owns the subscription, before the
# environment's stack: the resource groups, the state's storage account, the container registry, and
# the identities of the pipeline and of each service. Its own state stays local (terraform.tfstate
# here); docs/azure.md says how to move it into the storage account.

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
  description = "The region the resource groups, the state and the registry are in."
  default     = "eastus"

  validation {
    condition     = contains(["australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast", "centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "japaneast", "japanwest", "koreacentral", "northcentralus", "northeurope", "norwayeast", "southafricanorth", "southcentralus", "southeastasia", "southindia", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westus", "westus2", "westus3"], var.location)
    error_message = "location must be an Azure region with Container Apps, such as westeurope or eastus2."
  }
}

variable "state_account" {
  type        = string
  description = "The state's storage account; names are global, so change it here and in ../backend.tf if it is taken."
  default     = "nodevueclitfstate"

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.state_account))
    error_message = "state_account must be 3 to 24 lowercase letters and digits."
  }
}

locals {
  tags = {
    project    = "node-vue-cli"
    managed-by = "terraform"
  }
}

# Who applies this stack: they may fill the environments' secrets (docs/azure.md).
data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "shared" {
  name     = "node-vue-cli-shared"
  location = var.location
  tags     = local.tags
}

# production's resources; the deploy identity may change what is in it and nothing outside.
resource "azurerm_resource_group" "production" {
  name     = "node-vue-cli-production"
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

# Plans on pull requests: reads everything, changes nothing but the state's lock.
resource "azurerm_user_assigned_identity" "ci_plan" {
  name                = "node-vue-cli-ci-plan"
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location
  tags                = local.tags
}

# GitHub's OIDC token for exactly this subject signs in as the identity; Azure compares it case by case.
resource "azurerm_federated_identity_credential" "ci_plan_pull_request" {
  name                      = "github-pull-request"
  user_assigned_identity_id = azurerm_user_assigned_identity.ci_plan.id
  issuer                    = "https://token.actions.githubusercontent.com"
  audience                  = ["api://AzureADTokenExchange"]
  subject                   = "repo:acme/shop:pull_request"
}

# Applies the environment stacks from the deploy environments.
resource "azurerm_user_assigned_identity" "ci_deploy" {
  name                = "node-vue-cli-ci-deploy"
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location
  tags                = local.tags
}

# GitHub's OIDC token for exactly this subject signs in as the identity; Azure compares it case by case.
resource "azurerm_federated_identity_credential" "ci_deploy_production" {
  name                      = "github-production"
  user_assigned_identity_id = azurerm_user_assigned_identity.ci_deploy.id
  issuer                    = "https://token.actions.githubusercontent.com"
  audience                  = ["api://AzureADTokenExchange"]
  subject                   = "repo:acme/shop:environment:production"
}

resource "azurerm_role_assignment" "plan_read" {
  scope                = "/subscriptions/${var.subscription_id}"
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.ci_plan.principal_id
  principal_type       = "ServicePrincipal"
}

# Planning takes the state's lease, so it writes the lock.
resource "azurerm_role_assignment" "plan_state" {
  scope                = azurerm_storage_container.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.ci_plan.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_state" {
  scope                = azurerm_storage_container.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.ci_deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_read" {
  scope                = azurerm_resource_group.shared.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.ci_deploy.principal_id
  principal_type       = "ServicePrincipal"
}

# The deploy changes what is in the environment's resource group and nothing else.
resource "azurerm_role_assignment" "deploy_production" {
  scope                = azurerm_resource_group.production.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.ci_deploy.principal_id
  principal_type       = "ServicePrincipal"
}

# The deploy may let a service read its environment's secrets, and grant no other role.
resource "azurerm_role_assignment" "deploy_production_secrets_access" {
  scope                = azurerm_resource_group.production.id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azurerm_user_assigned_identity.ci_deploy.principal_id
  principal_type       = "ServicePrincipal"
  condition            = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {4633458b-17de-408a-b874-0445c86b69e6})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {4633458b-17de-408a-b874-0445c86b69e6}))"
  condition_version    = "2.0"
}

# Who applies this stack fills production's secrets in its Key Vault (docs/azure.md).
resource "azurerm_role_assignment" "production_secrets_officer" {
  scope                = azurerm_resource_group.production.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

output "state_account" {
  description = "The state's storage account (../backend.tf names it)."
  value       = azurerm_storage_account.state.name
}

output "tenant_id" {
  description = "AZURE_TENANT_ID in GitHub."
  value       = data.azurerm_client_config.current.tenant_id
}

output "plan_client_id" {
  description = "AZURE_PLAN_CLIENT_ID in GitHub."
  value       = azurerm_user_assigned_identity.ci_plan.client_id
}

output "deploy_client_id" {
  description = "AZURE_DEPLOY_CLIENT_ID in GitHub."
  value       = azurerm_user_assigned_identity.ci_deploy.client_id
}
