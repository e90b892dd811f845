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
  description = "The tasks of the services: requests from the load balancer only"
  vpc_id      = aws_vpc.main.id
  tags = {
    Name = "${local.name}-tasks"
  }
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb_notes" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "notes from the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
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

resource "aws_vpc_security_group_egress_rule" "tasks_to_files" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "To the file system"
  referenced_security_group_id = aws_security_group.files.id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
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

data "aws_iam_policy_document" "task_files" {
  statement {
    sid       = "MountFiles"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.data.arn]
  }
}

resource "aws_iam_role_policy" "task_files" {
  name   = "mount-files"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_files.json
}

resource "aws_cloudwatch_log_group" "notes" {
  name              = "/ecs/${local.name}/notes"
  retention_in_days = var.log_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_ecs_task_definition" "notes" {
  family                   = "${local.name}-notes"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(local.containers.notes)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  volume {
    name = "data"

    efs_volume_configuration {
      file_system_id     = aws_efs_file_system.data.id
      transit_encryption = "ENABLED"

      authorization_config {
        access_point_id = aws_efs_access_point.notes.id
        iam             = "ENABLED"
      }
    }
  }
}

# notes: one task, since its data on the file system has one writer; a deploy stops it before the next
# starts, so requests wait while it restarts.
resource "aws_ecs_service" "notes" {
  name                               = "notes"
  cluster                            = aws_ecs_cluster.main.id
  task_definition                    = aws_ecs_task_definition.notes.arn
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  desired_count                      = 1
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  health_check_grace_period_seconds = 60

  load_balancer {
    target_group_arn = aws_lb_target_group.notes.arn
    container_name   = "app"
    container_port   = 3000
  }

  depends_on = [aws_iam_role_policy.execution, aws_lb_listener.https]
}

resource "aws_efs_access_point" "notes" {
  file_system_id = aws_efs_file_system.data.id

  posix_user {
    uid = 10001
    gid = 10001
  }

  root_directory {
    path = "/notes"

    creation_info {
      owner_uid   = 10001
      owner_gid   = 10001
      permissions = "0750"
    }
  }
}

# Each service's container: the tested image by digest, its own numeric user, a read-only root with
# writable volumes where the stack writes, no capabilities, secrets from Secrets Manager.
locals {
  containers = {
    notes = [{
      name                   = "app"
      image                  = var.images["notes"]
      essential              = true
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      linuxParameters = {
        capabilities = {
          drop = ["ALL"]
        }
        initProcessEnabled = true
      }
      portMappings = [{
        containerPort = 3000
        protocol      = "tcp"
      }]
      environment = concat([{ name = "PORT", value = "3000" }], [for k, v in lookup(var.settings, "notes", {}) : { name = k, value = v }])
      secrets     = []
      mountPoints = [{
        sourceVolume  = "tmp"
        containerPath = "/tmp"
        readOnly      = false
      }, {
        sourceVolume  = "data"
        containerPath = "/var/lib/notes"
        readOnly      = false
      }]
      stopTimeout = 30
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.notes.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "app"
        }
      }
    }]
  }
}
