# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "rotator_service" {
  description = "rotator's ECS service."
  value       = aws_ecs_service.rotator.name
}

output "rotator_logs" {
  description = "rotator's log group."
  value       = aws_cloudwatch_log_group.rotator.name
}

output "rotator_task_definition" {
  description = "The task definition rotator should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.rotator.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}
