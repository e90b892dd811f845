# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

output "public_ip" {
  description = "The server's static address: point the hosts' DNS here if Terraform does not."
  value       = azurerm_public_ip.server.ip_address
}

output "first_login" {
  description = "The first login, before the playbook has made the deploy user."
  value       = "ssh azureuser@${azurerm_public_ip.server.ip_address}"
}

output "host_keys" {
  description = "Compare these with what the first SSH login shows before you answer yes."
  value       = "az vm boot-diagnostics get-boot-log --ids ${azurerm_linux_virtual_machine.server.id} | grep -A8 'BEGIN SSH HOST KEY FINGERPRINTS'"
}
