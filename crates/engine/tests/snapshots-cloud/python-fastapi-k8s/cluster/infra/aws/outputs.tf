# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "cluster" {
  description = "The cluster's name: aws eks update-kubeconfig --name <this>."
  value       = aws_eks_cluster.main.name
}

output "endpoint" {
  description = "The cluster's API."
  value       = aws_eks_cluster.main.endpoint
}

output "kubeconfig_command" {
  description = "The command that points kubectl at the cluster, for an administrator."
  value       = "aws eks update-kubeconfig --name ${aws_eks_cluster.main.name} --region ${var.region}"
}
