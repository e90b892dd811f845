# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "cluster" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.main.name
}
