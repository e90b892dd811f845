# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

output "site_name" {
  description = "trail-log's Static Web App: the deploy fetches its upload token by this name."
  value       = azurerm_static_web_app.site.name
}

output "site_url" {
  description = "trail-log's address."
  value       = "https://node-expo-web.example.com"
}
