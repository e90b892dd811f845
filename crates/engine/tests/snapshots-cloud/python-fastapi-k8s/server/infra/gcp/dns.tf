# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

# The managed zone the hosts are in, which exists already.
data "google_dns_managed_zone" "hosts" {
  name = var.dns_zone
}

resource "google_dns_record_set" "python_fastapi_k8s_example_com" {
  managed_zone = data.google_dns_managed_zone.hosts.name
  name         = "python-fastapi-k8s.example.com."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_address.server.address]
}
