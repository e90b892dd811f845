# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

# The server's own identity: it writes logs and metrics, and may do nothing else.
resource "google_service_account" "server" {
  account_id   = "${substr(var.project, 0, 14)}-${substr(var.environment, 0, 10)}-vm"
  display_name = "${local.name} server"
}

resource "google_project_iam_member" "server" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.server.email}"
}

# The server's address; it stays when the VM is replaced, and DNS points at it.
resource "google_compute_address" "server" {
  name         = local.name
  region       = var.region
  address_type = "EXTERNAL"
}

# A snapshot of the disk every day at 03:00 UTC, each kept var.snapshot_days days, and kept even when
# the disk is deleted. docs/gcp.md says how to put one back.
resource "google_compute_resource_policy" "snapshots" {
  name   = "${local.name}-daily"
  region = var.region

  snapshot_schedule_policy {
    schedule {
      daily_schedule {
        days_in_cycle = 1
        start_time    = "03:00"
      }
    }

    retention_policy {
      max_retention_days    = var.snapshot_days
      on_source_disk_delete = "KEEP_AUTO_SNAPSHOTS"
    }

    snapshot_properties {
      labels            = local.labels
      storage_locations = [var.region]
    }
  }
}

# The server's disk: Debian 13, snapshotted daily; a newer image does not replace it.
resource "google_compute_disk" "system" {
  name              = local.name
  zone              = var.zone
  type              = "pd-balanced"
  size              = var.disk_size
  image             = "debian-cloud/debian-13"
  resource_policies = [google_compute_resource_policy.snapshots.id]
  labels            = local.labels

  lifecycle {
    prevent_destroy = true
    ignore_changes  = [image]
  }
}

# The server. Shielded (secure boot, vTPM, integrity checks), no serial console, the project's SSH keys
# refused: the only login is var.ssh_public_key. Deletion protection is on: to retire it, turn it
# off on purpose first.
resource "google_compute_instance" "server" {
  name                = local.name
  zone                = var.zone
  machine_type        = var.server_size
  tags                = ["server"]
  deletion_protection = true
  can_ip_forward      = false

  boot_disk {
    source      = google_compute_disk.system.id
    auto_delete = false
  }

  network_interface {
    subnetwork = google_compute_subnetwork.server.id

    access_config {
      nat_ip = google_compute_address.server.address
    }
  }

  metadata = {
    block-project-ssh-keys = "true"
    serial-port-enable     = "false"
    enable-oslogin         = "false"
    ssh-keys               = "admin:${var.ssh_public_key}"
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  service_account {
    email  = google_service_account.server.email
    scopes = ["cloud-platform"]
  }

  labels = local.labels
}
