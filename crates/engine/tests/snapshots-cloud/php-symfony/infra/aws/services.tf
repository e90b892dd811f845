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

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb_invoices" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "invoices from the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
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

resource "aws_vpc_security_group_egress_rule" "tasks_to_mysql" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "To MySQL"
  referenced_security_group_id = aws_security_group.mysql.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
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

  statement {
    sid       = "ReadSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.invoices_app_secret.arn, aws_secretsmanager_secret.invoices_database_url.arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_secretsmanager_secret" "invoices_app_secret" {
  name                    = "${local.name}/invoices/APP_SECRET"
  description             = "invoices's APP_SECRET: its value is put in by a person (docs/aws.md), never by Terraform"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret" "invoices_database_url" {
  name                    = "${local.name}/invoices/DATABASE_URL"
  description             = "invoices's DATABASE_URL: its value is put in by a person (docs/aws.md), never by Terraform"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = 30
}

resource "aws_cloudwatch_log_group" "invoices" {
  name              = "/ecs/${local.name}/invoices"
  retention_in_days = var.log_days
  kms_key_id        = aws_kms_key.main.arn
}

resource "aws_ecs_task_definition" "invoices" {
  family                   = "${local.name}-invoices"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(local.containers.invoices)

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  volume {
    name = "var"
  }
}

# invoices: the autoscaler owns the task count; a failed deploy rolls back to the last healthy one.
resource "aws_ecs_service" "invoices" {
  name                               = "invoices"
  cluster                            = aws_ecs_cluster.main.id
  task_definition                    = aws_ecs_task_definition.invoices.arn
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  desired_count                      = var.min_tasks
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
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

  health_check_grace_period_seconds = 120

  load_balancer {
    target_group_arn = aws_lb_target_group.invoices.arn
    container_name   = "app"
    container_port   = 8080
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_iam_role_policy.execution, aws_lb_listener.https]
}

resource "aws_appautoscaling_target" "invoices" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.invoices.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_tasks
  max_capacity       = var.max_tasks
}

# Out fast when the CPU runs hot, in slowly (5 minutes) so a dip does not drop tasks it needs again.
resource "aws_appautoscaling_policy" "invoices_cpu" {
  name               = "${local.name}-invoices-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.invoices.service_namespace
  resource_id        = aws_appautoscaling_target.invoices.resource_id
  scalable_dimension = aws_appautoscaling_target.invoices.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 30

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# And out when requests pile up on each task, before the CPU shows it (an app waiting on its
# database is busy at low CPU).
resource "aws_appautoscaling_policy" "invoices_requests" {
  name               = "${local.name}-invoices-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.invoices.service_namespace
  resource_id        = aws_appautoscaling_target.invoices.resource_id
  scalable_dimension = aws_appautoscaling_target.invoices.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 30

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.main.arn_suffix}/${aws_lb_target_group.invoices.arn_suffix}"
    }
  }
}

# Each service's container: the tested image by digest, its own numeric user, a read-only root with
# writable volumes where the stack writes, no capabilities, secrets from Secrets Manager.
locals {
  containers = {
    invoices = [{
      name                   = "app"
      image                  = var.images["invoices"]
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
        containerPort = 8080
        protocol      = "tcp"
      }]
      environment = concat([{ name = "PORT", value = "8080" }], [for k, v in lookup(var.settings, "invoices", {}) : { name = k, value = v }])
      secrets = [{
        name      = "APP_SECRET"
        valueFrom = aws_secretsmanager_secret.invoices_app_secret.arn
      }, {
        name      = "DATABASE_URL"
        valueFrom = aws_secretsmanager_secret.invoices_database_url.arn
      }]
      mountPoints = [{
        sourceVolume  = "tmp"
        containerPath = "/tmp"
        readOnly      = false
      }, {
        sourceVolume  = "var"
        containerPath = "/app/var"
        readOnly      = false
      }]
      stopTimeout = 30
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.invoices.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "app"
        }
      }
    }]
  }
}
