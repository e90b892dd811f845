# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The services on Cloud Run, each with its own service account that may read its own secrets and
# nothing else. A new revision takes requests only after its startup probe passes; one that never
# does leaves the running revision serving, and the apply fails.

# deno-src-entry's identity, made by the bootstrap stack: it reads its own secrets, nothing else.
data "google_service_account" "deno_src_entry" {
  account_id = "${var.environment}-deno-src-entry-run"
}

# deno-src-entry: reached only through the load balancer, which ends TLS for its host.
resource "google_cloud_run_v2_service" "deno_src_entry" {
  name                = "${local.name}-deno-src-entry"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = true

  template {
    service_account                  = data.google_service_account.deno_src_entry.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = var.concurrency
    timeout                          = "300s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = var.images["deno-src-entry"]

      ports {
        container_port = 8787
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
          path = "/health"
        }
      }

      liveness_probe {
        period_seconds    = 15
        timeout_seconds   = 3
        failure_threshold = 3

        http_get {
          path = "/health"
        }
      }

      dynamic "env" {
        for_each = lookup(var.settings, "deno-src-entry", {})

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

# deno-src-entry serves the public: anyone may call it (the app does its own sign-in).
resource "google_cloud_run_v2_service_iam_member" "deno_src_entry_public" {
  name     = google_cloud_run_v2_service.deno_src_entry.name
  location = google_cloud_run_v2_service.deno_src_entry.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}
