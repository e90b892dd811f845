# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://python-fastapi-metrics.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "orders_service" {
  description = "orders's ECS service."
  value       = aws_ecs_service.orders.name
}

output "orders_logs" {
  description = "orders's log group."
  value       = aws_cloudwatch_log_group.orders.name
}

output "orders_task_definition" {
  description = "The task definition orders should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.orders.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "postgres_endpoint" {
  description = "PostgreSQL's address, for the app's connection URL."
  value       = aws_db_instance.postgres.address
}

output "postgres_master_secret" {
  description = "The Secrets Manager entry RDS keeps PostgreSQL's master password in."
  value       = aws_db_instance.postgres.master_user_secret[0].secret_arn
}
