# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The cluster: GKE Autopilot, so Google runs and sizes the nodes from the pods' requests and
# upgrades them on the REGULAR channel in the weekend window. Nodes have no public address; the
# API is reached only through its DNS endpoint, which checks IAM on every call. Secrets are
# encrypted with the project's own key.

data "google_project" "current" {
  project_id = var.project_id
}

# The nodes' identity, made by the bootstrap stack: logs, metrics and image pulls only.
data "google_service_account" "nodes" {
  account_id = "${substr(var.project, 0, 14)}-${substr(var.environment, 0, 8)}-nodes"
}

resource "google_kms_key_ring" "cluster" {
  name     = "${local.name}-gke"
  location = var.region
}

# The key the cluster encrypts its Secrets with; it rotates every 90 days and is never destroyed by an apply.
resource "google_kms_crypto_key" "secrets" {
  name            = "secrets"
  key_ring        = google_kms_key_ring.cluster.id
  rotation_period = "7776000s"

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "gke" {
  crypto_key_id = google_kms_crypto_key.secrets.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:service-${data.google_project.current.number}@container-engine-robot.iam.gserviceaccount.com"
}

# deletion_protection: terraform destroy and a replacing change stop here; turn it off on purpose first.
resource "google_container_cluster" "main" {
  name                = local.name
  location            = var.region
  enable_autopilot    = true
  deletion_protection = true
  network             = google_compute_network.main.id
  subnetwork          = google_compute_subnetwork.cluster.id
  resource_labels     = local.labels

  release_channel {
    channel = "REGULAR"
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  private_cluster_config {
    enable_private_nodes = true
  }

  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }

    ip_endpoints_config {
      enabled = false
    }
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = google_kms_crypto_key.secrets.id
  }

  cluster_autoscaling {
    auto_provisioning_defaults {
      service_account = data.google_service_account.nodes.email
      oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  gateway_api_config {
    channel = "CHANNEL_STANDARD"
  }

  maintenance_policy {
    recurring_window {
      start_time = "2026-01-03T03:00:00Z"
      end_time   = "2026-01-03T11:00:00Z"
      recurrence = "FREQ=WEEKLY;BYDAY=SA,SU"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.gke]
}
