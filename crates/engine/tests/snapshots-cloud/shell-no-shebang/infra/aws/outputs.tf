# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://shell-no-shebang.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "shell_no_shebang_service" {
  description = "shell-no-shebang's ECS service."
  value       = aws_ecs_service.shell_no_shebang.name
}

output "shell_no_shebang_logs" {
  description = "shell-no-shebang's log group."
  value       = aws_cloudwatch_log_group.shell_no_shebang.name
}

output "shell_no_shebang_task_definition" {
  description = "The task definition shell-no-shebang should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.shell_no_shebang.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}
