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

output "redis_endpoint" {
  description = "Redis's address (rediss://, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}
