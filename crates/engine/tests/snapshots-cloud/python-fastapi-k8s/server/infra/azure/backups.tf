# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

# The vault the server's backups are kept in; deleted backups stay 14 days more (soft delete).
resource "azurerm_recovery_services_vault" "server" {
  resource_group_name = azurerm_resource_group.server.name
  location            = azurerm_resource_group.server.location
  name                = "${local.name}-backups"
  sku                 = "Standard"
  soft_delete_enabled = true
  storage_mode_type   = "LocallyRedundant"

  identity {
    type = "SystemAssigned"
  }

  tags = local.tags

  lifecycle {
    prevent_destroy = true
  }
}

# A backup of the whole server every day at 03:00 UTC, each kept var.snapshot_days days. docs/azure.md
# says how to put one back.
resource "azurerm_backup_policy_vm" "daily" {
  name                = "daily"
  resource_group_name = azurerm_resource_group.server.name
  recovery_vault_name = azurerm_recovery_services_vault.server.name
  timezone            = "UTC"

  backup {
    frequency = "Daily"
    time      = "03:00"
  }

  retention_daily {
    count = var.snapshot_days
  }
}

resource "azurerm_backup_protected_vm" "server" {
  resource_group_name = azurerm_resource_group.server.name
  recovery_vault_name = azurerm_recovery_services_vault.server.name
  source_vm_id        = azurerm_linux_virtual_machine.server.id
  backup_policy_id    = azurerm_backup_policy_vm.daily.id
}
