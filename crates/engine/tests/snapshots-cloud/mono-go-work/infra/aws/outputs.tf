# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://billing.mono-go-work.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "billing_service" {
  description = "billing's ECS service."
  value       = aws_ecs_service.billing.name
}

output "billing_logs" {
  description = "billing's log group."
  value       = aws_cloudwatch_log_group.billing.name
}

output "users_service" {
  description = "users's ECS service."
  value       = aws_ecs_service.users.name
}

output "users_logs" {
  description = "users's log group."
  value       = aws_cloudwatch_log_group.users.name
}
