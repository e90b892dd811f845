# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://python-plain-server.example.com"
}

output "load_balancer_ip" {
  description = "The address the hosts' DNS A records point at; the certificate is issued once they do."
  value       = google_compute_global_address.lb.address
}

output "region" {
  description = "The region the services run in."
  value       = var.region
}

output "python_plain_server_service" {
  description = "python-plain-server's Cloud Run service."
  value       = google_cloud_run_v2_service.python_plain_server.name
}

output "python_plain_server_url" {
  description = "python-plain-server's own address on Cloud Run."
  value       = google_cloud_run_v2_service.python_plain_server.uri
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}
