# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://backend.mono-polyglot.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "backend_service" {
  description = "backend's ECS service."
  value       = aws_ecs_service.backend.name
}

output "backend_logs" {
  description = "backend's log group."
  value       = aws_cloudwatch_log_group.backend.name
}

output "backend_task_definition" {
  description = "The task definition backend should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.backend.arn
}

output "worker_service" {
  description = "worker's ECS service."
  value       = aws_ecs_service.worker.name
}

output "worker_logs" {
  description = "worker's log group."
  value       = aws_cloudwatch_log_group.worker.name
}

output "worker_task_definition" {
  description = "The task definition worker should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.worker.arn
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

output "redis_endpoint" {
  description = "Redis's address (rediss://, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "site_url" {
  description = "Where recipes-frontend answers."
  value       = "https://mono-polyglot.example.com"
}

output "site_bucket" {
  description = "The bucket the pipeline uploads recipes-frontend's files to."
  value       = aws_s3_bucket.site.id
}

output "site_distribution" {
  description = "recipes-frontend's distribution, whose cache the pipeline clears after an upload."
  value       = aws_cloudfront_distribution.site.id
}
