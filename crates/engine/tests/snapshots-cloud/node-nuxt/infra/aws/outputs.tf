# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://node-nuxt.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "storefront_service" {
  description = "storefront's ECS service."
  value       = aws_ecs_service.storefront.name
}

output "storefront_logs" {
  description = "storefront's log group."
  value       = aws_cloudwatch_log_group.storefront.name
}
