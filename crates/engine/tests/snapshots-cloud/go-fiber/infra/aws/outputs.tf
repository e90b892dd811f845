# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://go-fiber.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "cart_service" {
  description = "cart's ECS service."
  value       = aws_ecs_service.cart.name
}

output "cart_logs" {
  description = "cart's log group."
  value       = aws_cloudwatch_log_group.cart.name
}

output "redis_endpoint" {
  description = "Redis's address (rediss://, TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}
