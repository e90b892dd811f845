# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The services on Cloud Run, each with its own service account that may read its own secrets and
# nothing else. A new revision takes requests only after its startup probe passes; one that never
# does leaves the running revision serving, and the apply fails.

# pinger's identity, made by the bootstrap stack: it reads its own secrets, nothing else.
data "google_service_account" "pinger" {
  account_id = "${var.environment}-pinger-run"
}

# pinger: reached only through the load balancer, which ends TLS for its host.
resource "google_cloud_run_v2_service" "pinger" {
  name                = "${local.name}-pinger"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = true

  template {
    service_account                  = data.google_service_account.pinger.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = var.concurrency
    timeout                          = "300s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = var.images["pinger"]

      ports {
        container_port = 8000
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      startup_probe {
        period_seconds    = 5
        timeout_seconds   = 3
        failure_threshold = 12

        http_get {
          path = "/healthz"
        }
      }

      liveness_probe {
        period_seconds    = 15
        timeout_seconds   = 3
        failure_threshold = 3

        http_get {
          path = "/healthz"
        }
      }

      dynamic "env" {
        for_each = lookup(var.settings, "pinger", {})

        content {
          name  = env.key
          value = env.value
        }
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }
}

# pinger serves the public: anyone may call it (the app does its own sign-in).
resource "google_cloud_run_v2_service_iam_member" "pinger_public" {
  name     = google_cloud_run_v2_service.pinger.name
  location = google_cloud_run_v2_service.pinger.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}
