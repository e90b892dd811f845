# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The databases: private addresses only, TLS only, deletion protection in Terraform and in Cloud
# SQL. Daily backups, var.backup_days of them kept and kept on when the instance is deleted, with
# point-in-time recovery over the last seven days at most. No password is set here, so none is in
# the state: docs/gcp.md makes the app's user.

# MySQL: one instance per environment; the app's database is `app`.
resource "google_sql_database_instance" "mysql" {
  name                = "${local.name}-mysql"
  database_version    = "MYSQL_8_4"
  region              = var.region
  deletion_protection = true

  settings {
    tier                        = var.db_tier
    edition                     = "ENTERPRISE"
    availability_type           = var.high_availability ? "REGIONAL" : "ZONAL"
    disk_type                   = "PD_SSD"
    disk_size                   = var.db_storage_gb
    disk_autoresize             = true
    disk_autoresize_limit       = var.db_storage_gb * 5
    deletion_protection_enabled = true
    retain_backups_on_delete    = true
    user_labels                 = local.labels

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.main.id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      start_time                     = "03:00"
      binary_log_enabled             = true
      transaction_log_retention_days = min(var.backup_days, 7)

      backup_retention_settings {
        retained_backups = var.backup_days
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = 7
      hour         = 4
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      record_application_tags = true
      record_client_address   = false
    }

    database_flags {
      name  = "local_infile"
      value = "off"
    }

    database_flags {
      name  = "skip_show_database"
      value = "on"
    }
  }

  depends_on = [google_service_networking_connection.services]
}

resource "google_sql_database" "mysql" {
  name     = "app"
  instance = google_sql_database_instance.mysql.name
}
