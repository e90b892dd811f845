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

variable "registry" {
  type        = string
  description = "The container registry's name; names are global, so change it here and in ../variables.tf if it is taken."
  default     = "pythonfastapik8simages"

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.registry))
    error_message = "registry must be 5 to 50 letters and digits."
  }
}

locals {
  tags = {
    project    = "python-fastapi-k8s"
    managed-by = "terraform"
  }
}

# Who applies this stack: they may fill the environments' secrets (docs/azure.md).
data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "shared" {
  name     = "python-fastapi-k8s-shared"
  location = var.location
  tags     = local.tags
}

# production's resources; the deploy identity may change what is in it and nothing outside.
resource "azurerm_resource_group" "production" {
  name     = "python-fastapi-k8s-production"
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

# The image registry: no admin user, no anonymous pulls; the pipeline pushes through its identity
# and each service pulls through its own.
resource "azurerm_container_registry" "images" {
  name                   = var.registry
  resource_group_name    = azurerm_resource_group.shared.name
  location               = var.location
  sku                    = "Standard"
  admin_enabled          = false
  anonymous_pull_enabled = false
  tags                   = local.tags
}

# Plans on pull requests: reads everything, changes nothing but the state's lock.
resource "azurerm_user_assigned_identity" "ci_plan" {
  name                = "python-fastapi-k8s-ci-plan"
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

# Pushes images from the deploy branch, to the registry only.
resource "azurerm_user_assigned_identity" "ci_push" {
  name                = "python-fastapi-k8s-ci-push"
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location
  tags                = local.tags
}

# GitHub's OIDC token for exactly this subject signs in as the identity; Azure compares it case by case.
resource "azurerm_federated_identity_credential" "ci_push_push" {
  name                      = "github-push"
  user_assigned_identity_id = azurerm_user_assigned_identity.ci_push.id
  issuer                    = "https://token.actions.githubusercontent.com"
  audience                  = ["api://AzureADTokenExchange"]
  subject                   = "repo:acme/shop:ref:refs/heads/main"
}

# Applies the environment stacks from the deploy environments.
resource "azurerm_user_assigned_identity" "ci_deploy" {
  name                = "python-fastapi-k8s-ci-deploy"
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

resource "azurerm_role_assignment" "push_images" {
  scope                = azurerm_container_registry.images.id
  role_definition_name = "AcrPush"
  principal_id         = azurerm_user_assigned_identity.ci_push.principal_id
  principal_type       = "ServicePrincipal"
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

# The cluster's control plane: it may give the nodes their identity. (production)
resource "azurerm_user_assigned_identity" "production_cluster" {
  name                = "python-fastapi-k8s-production-cluster"
  resource_group_name = azurerm_resource_group.production.name
  location            = var.location
  tags                = local.tags
}

# The cluster's nodes: they pull images from the registry, and may do nothing else. (production)
resource "azurerm_user_assigned_identity" "production_kubelet" {
  name                = "python-fastapi-k8s-production-kubelet"
  resource_group_name = azurerm_resource_group.production.name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_role_assignment" "production_kubelet_operator" {
  scope                = azurerm_user_assigned_identity.production_kubelet.id
  role_definition_name = "Managed Identity Operator"
  principal_id         = azurerm_user_assigned_identity.production_cluster.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "production_kubelet_pull" {
  scope                = azurerm_container_registry.images.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_user_assigned_identity.production_kubelet.principal_id
  principal_type       = "ServicePrincipal"
}

# The deploy job signs in to the cluster's API as a writer of its objects: it may not read or change
# roles and bindings, and the cluster has no local accounts to fall back on.
resource "azurerm_role_assignment" "production_deploy_cluster_user" {
  scope                = azurerm_resource_group.production.id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = azurerm_user_assigned_identity.ci_deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "production_deploy_kubernetes" {
  scope                = azurerm_resource_group.production.id
  role_definition_name = "Azure Kubernetes Service RBAC Writer"
  principal_id         = azurerm_user_assigned_identity.ci_deploy.principal_id
  principal_type       = "ServicePrincipal"
}

output "state_account" {
  description = "The state's storage account (../backend.tf names it)."
  value       = azurerm_storage_account.state.name
}

output "registry" {
  description = "Where the images go; its name is ACR_NAME in GitHub."
  value       = azurerm_container_registry.images.login_server
}

output "tenant_id" {
  description = "AZURE_TENANT_ID in GitHub."
  value       = data.azurerm_client_config.current.tenant_id
}

output "plan_client_id" {
  description = "AZURE_PLAN_CLIENT_ID in GitHub."
  value       = azurerm_user_assigned_identity.ci_plan.client_id
}

output "push_client_id" {
  description = "AZURE_CLIENT_ID in GitHub (the image jobs push with it)."
  value       = azurerm_user_assigned_identity.ci_push.client_id
}

output "deploy_client_id" {
  description = "AZURE_DEPLOY_CLIENT_ID in GitHub."
  value       = azurerm_user_assigned_identity.ci_deploy.client_id
}
