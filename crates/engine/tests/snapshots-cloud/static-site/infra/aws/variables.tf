# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# Every value that differs between environments or accounts is a variable with its type, a
# description and the checks AWS would otherwise make only halfway through an apply.

variable "project" {
  type        = string
  description = "The app's name; every resource is named after it and the environment."
  default     = "static-site"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2 to 21 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "The environment this state holds; the pipeline sets it."
  default     = "production"

  validation {
    condition     = contains(["production"], var.environment)
    error_message = "environment must be one of production."
  }
}

variable "region" {
  type        = string
  description = "The region everything is created in."
  default     = "us-east-1"

  validation {
    condition     = contains(["us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1"], var.region)
    error_message = "region must be an AWS region, such as us-east-1 or eu-west-1."
  }
}

variable "price_class" {
  type        = string
  description = "Where CloudFront serves from: PriceClass_100 (North America and Europe, the cheapest), PriceClass_200, or PriceClass_All (every edge)."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "old_versions_days" {
  type        = number
  description = "Days a replaced or deleted file stays in the bucket as an old version, to roll back from."
  default     = 30

  validation {
    condition     = var.old_versions_days >= 1 && var.old_versions_days <= 365
    error_message = "old_versions_days must be from 1 to 365."
  }
}

variable "zone_name" {
  type        = string
  description = "The Route 53 hosted zone the hosts are in; the certificate is validated there."
  default     = "example.com"
}
