# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://scala-play-sbt.example.com"
}

output "load_balancer_ip" {
  description = "The address the hosts' DNS A records point at; the certificate is issued once they do."
  value       = google_compute_global_address.lb.address
}

output "region" {
  description = "The region the services run in."
  value       = var.region
}

output "catalogue_service" {
  description = "catalogue's Cloud Run service."
  value       = google_cloud_run_v2_service.catalogue.name
}

output "catalogue_url" {
  description = "catalogue's own address on Cloud Run."
  value       = google_cloud_run_v2_service.catalogue.uri
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "postgres_instance" {
  description = "PostgreSQL's connection name, for gcloud sql and the restore in docs/gcp.md."
  value       = google_sql_database_instance.postgres.connection_name
}

output "postgres_address" {
  description = "PostgreSQL's private address, for the app's connection URL (port 5432)."
  value       = google_sql_database_instance.postgres.private_ip_address
}
