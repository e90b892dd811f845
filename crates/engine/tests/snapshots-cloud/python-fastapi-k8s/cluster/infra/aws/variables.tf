# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# Every value that differs between environments or projects is a variable with its type, a
# description and the checks AWS would otherwise make only halfway through an apply.

variable "project" {
  type        = string
  description = "The app's name; every resource is named after it and the environment."
  default     = "python-fastapi-k8s"

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

variable "vpc_cidr" {
  type        = string
  description = "The network's address range; the nodes' subnet (and on Google Cloud the pods' and services' ranges) are cut from it."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 range from /16 to /20, such as 10.0.0.0/16: a cluster's nodes and pods need the room."
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

variable "kubernetes_version" {
  type        = string
  description = "The Kubernetes minor version the cluster runs; upgrade one minor at a time (docs/aws.md)."
  default     = "1.36"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35."
  }
}

variable "api_cidrs" {
  type        = list(string)
  description = "The IPv4 ranges the cluster's API answers: your office, your VPN, the pipeline's runners. GitHub's hosted runners have no fixed addresses: use runners with static addresses, or 0.0.0.0/0 knowing that every call must still sign in (docs say more)."

  validation {
    condition     = length(var.api_cidrs) > 0 && alltrue([for c in var.api_cidrs : can(cidrnetmask(c))])
    error_message = "api_cidrs must list IPv4 ranges, such as 203.0.113.0/24."
  }
}

variable "admin_role_arns" {
  type        = list(string)
  description = "The IAM roles of the people who administer the cluster (they create the namespace and the app's Secrets): cluster-admin."

  validation {
    condition     = alltrue([for a in var.admin_role_arns : can(regex("^arn:aws:iam::[0-9]{12}:role/.+$", a))])
    error_message = "admin_role_arns must be IAM role ARNs (arn:aws:iam::123456789012:role/name)."
  }
}

variable "log_days" {
  type        = number
  description = "Days the control plane's and the network's logs are kept."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_days)
    error_message = "log_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 365, ...)."
  }
}
