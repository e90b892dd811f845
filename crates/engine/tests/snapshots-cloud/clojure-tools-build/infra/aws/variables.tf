# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# Every value that differs between environments or accounts is a variable with its type, a
# description and the checks AWS would otherwise make only halfway through an apply.

variable "project" {
  type        = string
  description = "The app's name; every resource is named after it and the environment."
  default     = "clojure-tools-build"

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

variable "images" {
  type        = map(string)
  description = "The image each service runs, by service, pinned by digest (repository@sha256:...): the pipeline sets it to what it tested."

  validation {
    condition     = alltrue([for image in values(var.images) : can(regex("@sha256:[a-f0-9]{64}$", image))])
    error_message = "Each image must be pinned by digest (repository@sha256:...), so the cluster runs exactly what was tested."
  }
}

variable "settings" {
  type        = map(map(string))
  description = "Settings that are not secret, by service: { api = { LOG_LEVEL = \"info\" } }. Secrets go in Secrets Manager (docs/aws.md)."
  default     = {}
}

variable "zone_name" {
  type        = string
  description = "The Route 53 hosted zone the hosts are in; the certificate is validated there."
  default     = "example.com"
}

variable "vpc_cidr" {
  type        = string
  description = "The network's address range; four subnets are cut from it."
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 range from /16 to /24, such as 10.0.0.0/16."
  }
}

variable "task_cpu" {
  type        = number
  description = "CPU units per task (1024 is one vCPU)."
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory" {
  type        = number
  description = "Memory per task, MiB; Fargate takes only certain sizes for each CPU size."
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 122880
    error_message = "task_memory must be between 512 and 122880 MiB, in a size Fargate takes for task_cpu."
  }
}

variable "min_tasks" {
  type        = number
  description = "Fewest tasks per service; two keep serving while one is replaced or its zone fails."
  default     = 2

  validation {
    condition     = var.min_tasks >= 1
    error_message = "min_tasks must be at least 1."
  }
}

variable "max_tasks" {
  type        = number
  description = "Most tasks per service the autoscaler starts."
  default     = 10

  validation {
    condition     = var.max_tasks >= var.min_tasks
    error_message = "max_tasks must be at least min_tasks."
  }
}

variable "cpu_target" {
  type        = number
  description = "Average CPU use, in percent, the autoscaler holds the tasks at."
  default     = 70

  validation {
    condition     = var.cpu_target >= 1 && var.cpu_target <= 100
    error_message = "cpu_target must be from 1 to 100."
  }
}

variable "requests_per_task" {
  type        = number
  description = "Requests a minute each task takes on average before the autoscaler adds one."
  default     = 1000

  validation {
    condition     = var.requests_per_task >= 1
    error_message = "requests_per_task must be at least 1."
  }
}

variable "log_days" {
  type        = number
  description = "Days the logs are kept."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_days)
    error_message = "log_days must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, 365, ...)."
  }
}

variable "multi_az" {
  type        = bool
  description = "A standby database (and cache) in a second zone that takes over by itself."
  default     = true
}
