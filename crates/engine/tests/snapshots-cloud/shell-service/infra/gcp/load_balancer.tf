# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The external HTTPS load balancer in front of the services: a Google-managed certificate for the
# hosts (it is issued once their DNS points at the address below), TLS 1.2 or newer, HTTP sent to
# HTTPS, every request logged.

resource "google_compute_global_address" "lb" {
  name = "${local.name}-lb"
}

resource "google_compute_managed_ssl_certificate" "main" {
  name = "${local.name}-cert"

  managed {
    domains = ["shell-service.example.com"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_ssl_policy" "modern" {
  name            = "${local.name}-tls"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_region_network_endpoint_group" "shell_service" {
  name                  = "${local.name}-shell-service"
  network_endpoint_type = "SERVERLESS"
  region                = var.region

  cloud_run {
    service = google_cloud_run_v2_service.shell_service.name
  }
}

resource "google_compute_backend_service" "shell_service" {
  name                  = "${local.name}-shell-service"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"

  backend {
    group = google_compute_region_network_endpoint_group.shell_service.id
  }

  log_config {
    enable      = true
    sample_rate = 1
  }
}

resource "google_compute_url_map" "https" {
  name            = local.name
  default_service = google_compute_backend_service.shell_service.id

  host_rule {
    hosts        = ["shell-service.example.com"]
    path_matcher = "shell-service"
  }

  path_matcher {
    name            = "shell-service"
    default_service = google_compute_backend_service.shell_service.id
  }
}

resource "google_compute_target_https_proxy" "main" {
  name             = local.name
  url_map          = google_compute_url_map.https.id
  ssl_certificates = [google_compute_managed_ssl_certificate.main.id]
  ssl_policy       = google_compute_ssl_policy.modern.id
}

resource "google_compute_global_forwarding_rule" "https" {
  name                  = "${local.name}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_address            = google_compute_global_address.lb.id
  port_range            = "443"
  target                = google_compute_target_https_proxy.main.id
}

# Port 80 answers with a redirect to HTTPS and nothing else.
resource "google_compute_url_map" "redirect" {
  name = "${local.name}-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  name    = "${local.name}-redirect"
  url_map = google_compute_url_map.redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  name                  = "${local.name}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_address            = google_compute_global_address.lb.id
  port_range            = "80"
  target                = google_compute_target_http_proxy.redirect.id
}
