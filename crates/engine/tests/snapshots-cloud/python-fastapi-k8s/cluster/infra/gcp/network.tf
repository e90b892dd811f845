# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The cluster's network: the nodes' subnet with the pods' and Services' ranges beside it, and a
# NAT gateway, since the nodes have no public address.

resource "google_compute_network" "main" {
  name                    = local.name
  auto_create_subnetworks = false
}

# Nodes in the first sixteenth, Services in the second, pods in the upper half; flow logs sampled at half.
resource "google_compute_subnetwork" "cluster" {
  name                     = "${local.name}-cluster"
  network                  = google_compute_network.main.id
  region                   = var.region
  ip_cidr_range            = cidrsubnet(var.vpc_cidr, 4, 0)
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = cidrsubnet(var.vpc_cidr, 4, 1)
  }

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = cidrsubnet(var.vpc_cidr, 1, 1)
  }

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_router" "main" {
  name    = local.name
  network = google_compute_network.main.id
  region  = var.region
}

# The nodes' way out (images from other registries, the APIs the app calls); its errors are logged.
resource "google_compute_router_nat" "main" {
  name                               = local.name
  router                             = google_compute_router.main.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}
