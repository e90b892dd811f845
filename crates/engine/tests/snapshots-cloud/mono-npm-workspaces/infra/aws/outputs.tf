# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "url" {
  description = "Where the app answers."
  value       = "https://tracker-server.mono-npm-workspaces.example.com"
}

output "load_balancer" {
  description = "The load balancer's own name."
  value       = aws_lb.main.dns_name
}

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "tracker_server_service" {
  description = "tracker-server's ECS service."
  value       = aws_ecs_service.tracker_server.name
}

output "tracker_server_logs" {
  description = "tracker-server's log group."
  value       = aws_cloudwatch_log_group.tracker_server.name
}

output "tracker_server_task_definition" {
  description = "The task definition tracker-server should run: the deploy compares it with what ECS runs after the rollout, since a rollback by the circuit breaker also ends stable."
  value       = aws_ecs_task_definition.tracker_server.arn
}

output "images" {
  description = "The images by digest this state runs: a plan on a pull request reuses them, so it shows the infrastructure's change alone."
  value       = var.images
}

output "site_url" {
  description = "Where tracker-client answers."
  value       = "https://mono-npm-workspaces.example.com"
}

output "site_bucket" {
  description = "The bucket the pipeline uploads tracker-client's files to."
  value       = aws_s3_bucket.site.id
}

output "site_distribution" {
  description = "tracker-client's distribution, whose cache the pipeline clears after an upload."
  value       = aws_cloudfront_distribution.site.id
}
