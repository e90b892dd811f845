# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).
#
# Each site: a Static Web App on the Standard plan (custom domains with managed certificates, an
# SLA), with preview environments off so a pull request never publishes a copy. Its files come
# from the pipeline's upload; its headers and routes from staticwebapp.config.json beside its sources.

# The DNS zone example.com, which exists already.
data "azurerm_dns_zone" "example_com" {
  name                = "example.com"
  resource_group_name = var.dns_zone_group
}

# static-site's files, served from Azure's edge.
resource "azurerm_static_web_app" "site" {
  name                          = "${local.name}-site"
  resource_group_name           = data.azurerm_resource_group.env.name
  location                      = var.site_region
  sku_tier                      = "Standard"
  sku_size                      = "Standard"
  preview_environments_enabled  = false
  public_network_access_enabled = true
  tags                          = local.tags
}

# static-site.example.com points at the app; the record itself proves the domain is yours.
resource "azurerm_dns_cname_record" "site" {
  name                = "static-site"
  zone_name           = data.azurerm_dns_zone.example_com.name
  resource_group_name = var.dns_zone_group
  ttl                 = 300
  record              = azurerm_static_web_app.site.default_host_name
}

resource "azurerm_static_web_app_custom_domain" "site" {
  static_web_app_id = azurerm_static_web_app.site.id
  domain_name       = "static-site.example.com"
  validation_type   = "cname-delegation"
  depends_on        = [azurerm_dns_cname_record.site]
}
