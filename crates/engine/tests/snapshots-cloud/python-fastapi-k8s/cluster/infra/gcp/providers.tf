# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).

provider "google" {
  project        = var.project_id
  region         = var.region
  default_labels = local.labels
}

locals {
  name = "${var.project}-${var.environment}"
  labels = {
    project     = var.project
    environment = var.environment
    managed-by  = "terraform"
  }
}
