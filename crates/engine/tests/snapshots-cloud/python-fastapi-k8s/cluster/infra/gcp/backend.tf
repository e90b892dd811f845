# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/gcp.md says in what order).
#
# The state lives in the bucket the bootstrap stack creates, one prefix per environment (the
# pipeline passes -backend-config="prefix=python-fastapi-k8s/<environment>"); GCS locks it by itself.

terraform {
  backend "gcs" {
    bucket = "python-fastapi-k8s-terraform-state"
    prefix = "python-fastapi-k8s/production"
  }
}
