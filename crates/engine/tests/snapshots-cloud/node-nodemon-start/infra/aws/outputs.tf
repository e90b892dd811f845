# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://node-nodemon-start.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "booking_api_service" {
  description = "booking-api's ECS service."
  value       = aws_ecs_service.booking_api.name
}

output "booking_api_logs" {
  description = "booking-api's log group."
  value       = aws_cloudwatch_log_group.booking_api.name
}

output "booking_api_task_definition" {
  description = "The task definition booking-api should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.booking_api.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "mysql_endpoint" {
  description = "MySQL's address, for the app's connection URL."
  value       = aws_db_instance.mysql.address
}

output "mysql_master_secret" {
  description = "The Secrets Manager entry RDS keeps MySQL's master password in."
  value       = aws_db_instance.mysql.master_user_secret[0].secret_arn
}
