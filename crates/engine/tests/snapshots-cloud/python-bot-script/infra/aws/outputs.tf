# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "python_bot_script_service" {
  description = "python-bot-script's ECS service."
  value       = aws_ecs_service.python_bot_script.name
}

output "python_bot_script_logs" {
  description = "python-bot-script's log group."
  value       = aws_cloudwatch_log_group.python_bot_script.name
}
