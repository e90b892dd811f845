# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# The state lives in the bucket the bootstrap stack creates, one key per environment: the
# pipeline passes -backend-config="key=node-astro-static/<environment>/terraform.tfstate" for each.

terraform {
  backend "s3" {
    bucket       = "node-astro-static-terraform-state"
    key          = "node-astro-static/production/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
