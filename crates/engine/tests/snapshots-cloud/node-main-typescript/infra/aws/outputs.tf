# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "invoice_mailer_service" {
  description = "invoice-mailer's ECS service."
  value       = aws_ecs_service.invoice_mailer.name
}

output "invoice_mailer_logs" {
  description = "invoice-mailer's log group."
  value       = aws_cloudwatch_log_group.invoice_mailer.name
}

output "invoice_mailer_task_definition" {
  description = "The task definition invoice-mailer should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.invoice_mailer.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "redis_endpoint" {
  description = "Redis's address (rediss://, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}
