# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

output "public_ip" {
  description = "The server's static address: point the hosts' DNS here if Terraform does not."
  value       = google_compute_address.server.address
}

output "first_login" {
  description = "The first login, before the playbook has made the deploy user."
  value       = "ssh admin@${google_compute_address.server.address}"
}

output "host_keys" {
  description = "Compare these with what the first SSH login shows before you answer yes."
  value       = "gcloud compute instances get-guest-attributes ${google_compute_instance.server.name} --zone ${var.zone} --query-path=hostkeys/"
}
