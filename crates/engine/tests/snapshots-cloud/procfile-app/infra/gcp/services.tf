# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The services on Cloud Run, each with its own service account that may read its own secrets and
# nothing else. A new revision takes requests only after its startup probe passes; one that never
# does leaves the running revision serving, and the apply fails.

# procfile-app's identity, made by the bootstrap stack: it reads its own secrets, nothing else.
data "google_service_account" "procfile_app" {
  account_id = "${var.environment}-procfile-app-run"
}

# procfile-app: reached only through the load balancer, which ends TLS for its host.
resource "google_cloud_run_v2_service" "procfile_app" {
  name                = "${local.name}-procfile-app"
  location            = var.region
  ingress             = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection = true

  template {
    service_account                  = data.google_service_account.procfile_app.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = var.concurrency
    timeout                          = "300s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      image = var.images["procfile-app"]

      ports {
        container_port = 5050
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

        tcp_socket {
          port = 5050
        }
      }

      dynamic "env" {
        for_each = lookup(var.settings, "procfile-app", {})

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

# procfile-app serves the public: anyone may call it (the app does its own sign-in).
resource "google_cloud_run_v2_service_iam_member" "procfile_app_public" {
  name     = google_cloud_run_v2_service.procfile_app.name
  location = google_cloud_run_v2_service.procfile_app.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}
