# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://mono-cargo.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "shop_api_service" {
  description = "shop-api's ECS service."
  value       = aws_ecs_service.shop_api.name
}

output "shop_api_logs" {
  description = "shop-api's log group."
  value       = aws_cloudwatch_log_group.shop_api.name
}

output "shop_api_task_definition" {
  description = "The task definition shop-api should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.shop_api.arn
}

output "shop_worker_service" {
  description = "shop-worker's ECS service."
  value       = aws_ecs_service.shop_worker.name
}

output "shop_worker_logs" {
  description = "shop-worker's log group."
  value       = aws_cloudwatch_log_group.shop_worker.name
}

output "shop_worker_task_definition" {
  description = "The task definition shop-worker should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.shop_worker.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}
