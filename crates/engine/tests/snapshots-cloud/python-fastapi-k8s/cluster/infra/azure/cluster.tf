# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# The cluster: AKS with Entra ID sign-in and Azure RBAC only (no local accounts, so no
# kubeconfig that outlives a person's access), workload identity for the pods, Cilium network
# policies, a pool spread over three zones that the autoscaler grows, the stable upgrade channel
# in the weekend window, and its logs in Log Analytics.

resource "azurerm_log_analytics_workspace" "main" {
  name                = local.name
  location            = var.location
  resource_group_name = data.azurerm_resource_group.env.name
  sku                 = "PerGB2018"
  retention_in_days   = var.log_days
  tags                = local.tags
}

# prevent_destroy: deleting the cluster deletes everything running in it; remove the line on purpose first.
# host_encryption_enabled needs the subscription's EncryptionAtHost feature (docs/azure.md).
resource "azurerm_kubernetes_cluster" "main" {
  name                              = local.name
  location                          = var.location
  resource_group_name               = data.azurerm_resource_group.env.name
  dns_prefix                        = local.name
  sku_tier                          = "Standard"
  automatic_upgrade_channel         = "stable"
  node_os_upgrade_channel           = "NodeImage"
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_policy_enabled              = true

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    tenant_id              = data.azurerm_client_config.current.tenant_id
    admin_group_object_ids = var.admin_group_ids
  }

  api_server_access_profile {
    authorized_ip_ranges = var.api_cidrs
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [data.azurerm_user_assigned_identity.cluster.id]
  }

  kubelet_identity {
    client_id                 = data.azurerm_user_assigned_identity.kubelet.client_id
    object_id                 = data.azurerm_user_assigned_identity.kubelet.principal_id
    user_assigned_identity_id = data.azurerm_user_assigned_identity.kubelet.id
  }

  default_node_pool {
    name                        = "system"
    vm_size                     = var.node_size
    zones                       = ["1", "2", "3"]
    auto_scaling_enabled        = true
    min_count                   = 3
    max_count                   = var.max_nodes
    max_pods                    = 50
    vnet_subnet_id              = azurerm_subnet.nodes.id
    host_encryption_enabled     = true
    temporary_name_for_rotation = "rotation"

    upgrade_settings {
      max_surge = "33%"
    }
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium"
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"
    pod_cidr            = "192.168.0.0/16"
    service_cidr        = "172.16.0.0/16"
    dns_service_ip      = "172.16.0.10"
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.main.id
    msi_auth_for_monitoring_enabled = true
  }

  key_vault_secrets_provider {
    secret_rotation_enabled = true
  }

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    duration    = 8
    day_of_week = "Saturday"
    start_time  = "03:00"
    utc_offset  = "+00:00"
  }

  tags = local.tags

  lifecycle {
    prevent_destroy = true
  }
}
