# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://node-nextjs-standalone.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "acme_storefront_service" {
  description = "acme-storefront's ECS service."
  value       = aws_ecs_service.acme_storefront.name
}

output "acme_storefront_logs" {
  description = "acme-storefront's log group."
  value       = aws_cloudwatch_log_group.acme_storefront.name
}

output "acme_storefront_task_definition" {
  description = "The task definition acme-storefront should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.acme_storefront.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}
