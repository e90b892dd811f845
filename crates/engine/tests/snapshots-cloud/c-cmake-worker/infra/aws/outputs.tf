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
