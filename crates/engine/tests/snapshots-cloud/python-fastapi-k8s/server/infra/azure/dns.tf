# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

# The DNS zone of example.com, which exists already.
data "azurerm_dns_zone" "example_com" {
  name                = "example.com"
  resource_group_name = var.dns_resource_group
}

resource "azurerm_dns_a_record" "python_fastapi_k8s_example_com" {
  name                = "python-fastapi-k8s"
  zone_name           = data.azurerm_dns_zone.example_com.name
  resource_group_name = var.dns_resource_group
  ttl                 = 300
  target_resource_id  = azurerm_public_ip.server.id
}
