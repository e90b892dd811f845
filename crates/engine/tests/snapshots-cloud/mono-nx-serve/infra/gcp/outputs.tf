# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://tracker.mono-nx-serve.example.com"
}

output "load_balancer_ip" {
  description = "The address the hosts' DNS A records point at; the certificate is issued once they do."
  value       = google_compute_global_address.lb.address
}

output "region" {
  description = "The region the services run in."
  value       = var.region
}

output "tracker_service" {
  description = "tracker's Cloud Run service."
  value       = google_cloud_run_v2_service.tracker.name
}

output "tracker_url" {
  description = "tracker's own address on Cloud Run."
  value       = google_cloud_run_v2_service.tracker.uri
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}
