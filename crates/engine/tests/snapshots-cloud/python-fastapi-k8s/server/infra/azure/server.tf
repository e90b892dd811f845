# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

# The server: Debian 13 with trusted launch (secure boot, vTPM), a key-only login as azureuser, boot
# diagnostics in managed storage (where its host keys are printed). Terraform refuses to delete it.
resource "azurerm_linux_virtual_machine" "server" {
  resource_group_name             = azurerm_resource_group.server.name
  location                        = azurerm_resource_group.server.location
  name                            = local.name
  size                            = var.server_size
  admin_username                  = "azureuser"
  disable_password_authentication = true
  network_interface_ids           = [azurerm_network_interface.server.id]
  secure_boot_enabled             = true
  vtpm_enabled                    = true

  admin_ssh_key {
    username   = "azureuser"
    public_key = var.ssh_public_key
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "StandardSSD_LRS"
    disk_size_gb         = var.disk_size
  }

  source_image_reference {
    publisher = "Debian"
    offer     = "debian-13"
    sku       = "13-gen2"
    version   = "latest"
  }

  boot_diagnostics {}

  tags = local.tags

  lifecycle {
    prevent_destroy = true
  }
}
