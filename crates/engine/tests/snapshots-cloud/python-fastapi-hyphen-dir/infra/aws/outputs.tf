# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://python-fastapi-hyphen-dir.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "python_fastapi_hyphen_dir_service" {
  description = "python-fastapi-hyphen-dir's ECS service."
  value       = aws_ecs_service.python_fastapi_hyphen_dir.name
}

output "python_fastapi_hyphen_dir_logs" {
  description = "python-fastapi-hyphen-dir's log group."
  value       = aws_cloudwatch_log_group.python_fastapi_hyphen_dir.name
}

output "python_fastapi_hyphen_dir_task_definition" {
  description = "The task definition python-fastapi-hyphen-dir should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.python_fastapi_hyphen_dir.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "redis_endpoint" {
  description = "Redis's address (rediss://, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}
