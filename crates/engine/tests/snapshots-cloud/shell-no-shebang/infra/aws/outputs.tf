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
