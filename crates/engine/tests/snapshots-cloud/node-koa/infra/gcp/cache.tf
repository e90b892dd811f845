# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# Redis on Memorystore: a private address on the network, AUTH and TLS on (the app connects with
# rediss:// on port 6378 and the AUTH string from the redis_auth output, kept in its REDIS_URL secret).

resource "google_redis_instance" "redis" {
  name                    = "${local.name}-redis"
  tier                    = var.high_availability ? "STANDARD_HA" : "BASIC"
  memory_size_gb          = 1
  region                  = var.region
  redis_version           = "REDIS_7_2"
  authorized_network      = google_compute_network.main.id
  connect_mode            = "PRIVATE_SERVICE_ACCESS"
  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"
  labels                  = local.labels
  depends_on              = [google_service_networking_connection.services]
}
