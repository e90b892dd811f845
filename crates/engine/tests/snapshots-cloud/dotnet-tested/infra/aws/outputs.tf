# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://dotnet-tested.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "quotes_api_service" {
  description = "Quotes.Api's ECS service."
  value       = aws_ecs_service.quotes_api.name
}

output "quotes_api_logs" {
  description = "Quotes.Api's log group."
  value       = aws_cloudwatch_log_group.quotes_api.name
}
