# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/azure.md says in what order).

output "cluster" {
  description = "The cluster's name."
  value       = azurerm_kubernetes_cluster.main.name
}

output "oidc_issuer_url" {
  description = "The issuer the pods' workload identities are federated with."
  value       = azurerm_kubernetes_cluster.main.oidc_issuer_url
}

output "kubeconfig_command" {
  description = "The command that points kubectl at the cluster, for an administrator (kubelogin signs you in)."
  value       = "az aks get-credentials --resource-group ${data.azurerm_resource_group.env.name} --name ${azurerm_kubernetes_cluster.main.name}"
}
