# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://python-fastapi-hyphen-dir.example.com"
}

output "load_balancer_ip" {
  description = "The address the hosts' DNS A records point at; the certificate is issued once they do."
  value       = google_compute_global_address.lb.address
}

output "region" {
  description = "The region the services run in."
  value       = var.region
}

output "python_fastapi_hyphen_dir_service" {
  description = "python-fastapi-hyphen-dir's Cloud Run service."
  value       = google_cloud_run_v2_service.python_fastapi_hyphen_dir.name
}

output "python_fastapi_hyphen_dir_url" {
  description = "python-fastapi-hyphen-dir's own address on Cloud Run."
  value       = google_cloud_run_v2_service.python_fastapi_hyphen_dir.uri
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "redis_address" {
  description = "Redis's private address (rediss://, TLS)."
  value       = "${google_redis_instance.redis.host}:${google_redis_instance.redis.port}"
}

output "redis_auth" {
  description = "Redis's AUTH string, for the app's REDIS_URL secret (kept secret in the outputs)."
  value       = google_redis_instance.redis.auth_string
  sensitive   = true
}
