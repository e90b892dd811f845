# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

resource "google_compute_network" "main" {
  name                    = local.name
  auto_create_subnetworks = false
}

# The server's subnet, with flow logs sampled at half.
resource "google_compute_subnetwork" "server" {
  name                     = "${local.name}-server"
  network                  = google_compute_network.main.id
  region                   = var.region
  ip_cidr_range            = cidrsubnet(var.vpc_cidr, 4, 0)
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# The server's firewall, in front of the one the playbook sets up on the machine.
resource "google_compute_firewall" "web" {
  name        = "${local.name}-web"
  description = "HTTP and HTTPS to Caddy, from anywhere"
  network     = google_compute_network.main.id
  direction   = "INGRESS"
  priority    = 1000

  allow {
    protocol = "tcp"
    ports    = ["80", "443"]
  }

  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["server"]

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}

resource "google_compute_firewall" "ssh" {
  name        = "${local.name}-ssh"
  description = "SSH from the admin ranges only"
  network     = google_compute_network.main.id
  direction   = "INGRESS"
  priority    = 1000

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges = var.admin_cidrs
  target_tags   = ["server"]

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}

# Out: HTTP and HTTPS only, for the package mirrors, the image registry and the certificate authority.
# The metadata server (DNS, time, credentials) is reached without the firewall.
resource "google_compute_firewall" "egress_web" {
  name        = "${local.name}-egress-web"
  description = "HTTP and HTTPS out"
  network     = google_compute_network.main.id
  direction   = "EGRESS"
  priority    = 1000

  allow {
    protocol = "tcp"
    ports    = ["80", "443"]
  }

  destination_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}

resource "google_compute_firewall" "egress_deny" {
  name        = "${local.name}-egress-deny"
  description = "Nothing else out"
  network     = google_compute_network.main.id
  direction   = "EGRESS"
  priority    = 65000

  deny {
    protocol = "all"
  }

  destination_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}
