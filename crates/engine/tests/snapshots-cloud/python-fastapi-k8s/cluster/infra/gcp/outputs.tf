# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

output "cluster" {
  description = "The cluster's name."
  value       = google_container_cluster.main.name
}

output "dns_endpoint" {
  description = "The cluster's API, reached by name with IAM credentials."
  value       = google_container_cluster.main.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}

output "kubeconfig_command" {
  description = "The command that points kubectl at the cluster, for an administrator."
  value       = "gcloud container clusters get-credentials ${google_container_cluster.main.name} --location ${var.region} --dns-endpoint"
}
