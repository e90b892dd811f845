# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# Who may use the cluster's API: access entries, never the aws-auth ConfigMap. The people in
# var.admin_role_arns administer it; the pipeline's deploy role may change the app's namespace
# only (it reads and writes Deployments, Services, Secrets and the like there, and nothing else).

locals {
  namespaces = {
    production = "python-fastapi-k8s"
  }
}

# The deploy role the bootstrap stack made.
data "aws_iam_role" "deploy" {
  name = "python-fastapi-k8s-ci-deploy"
}

resource "aws_eks_access_entry" "admins" {
  for_each      = toset(var.admin_role_arns)
  cluster_name  = aws_eks_cluster.main.name
  principal_arn = each.value
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "admins" {
  for_each      = toset(var.admin_role_arns)
  cluster_name  = aws_eks_cluster.main.name
  principal_arn = each.value
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }

  depends_on = [aws_eks_access_entry.admins]
}

resource "aws_eks_access_entry" "deploy" {
  cluster_name  = aws_eks_cluster.main.name
  principal_arn = data.aws_iam_role.deploy.arn
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "deploy" {
  cluster_name  = aws_eks_cluster.main.name
  principal_arn = data.aws_iam_role.deploy.arn
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = [local.namespaces[var.environment]]
  }

  depends_on = [aws_eks_access_entry.deploy]
}
