# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# The state lives in the bucket the bootstrap stack creates, one key per environment: the
# pipeline passes -backend-config="key=python-fastapi-k8s/<environment>/terraform.tfstate" for each.

terraform {
  backend "s3" {
    bucket       = "python-fastapi-k8s-terraform-state"
    key          = "python-fastapi-k8s/production/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
