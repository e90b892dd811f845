# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# The account's shared stack, applied once by a person with administrator rights, before the
# environment's stack: the state bucket, the image repositories, and the pipeline's identities.
# Its own state stays local (terraform.tfstate here); docs/aws.md says how to move it into the bucket.

terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "python-fastapi-k8s"
      ManagedBy = "terraform"
    }
  }
}

variable "region" {
  type        = string
  description = "The region the state bucket and the repositories are in."
  default     = "us-east-1"
}

variable "state_bucket" {
  type        = string
  description = "The state bucket's name; bucket names are global, so change it here and in ../backend.tf if it is taken."
  default     = "python-fastapi-k8s-terraform-state"
}

variable "github_repository" {
  type        = string
  description = "owner/repository on GitHub: the only repository whose workflows may take the pipeline's roles."
  default     = "acme/shop"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/repository."
  }
}

variable "create_github_oidc_provider" {
  type        = bool
  description = "False when the account already has GitHub's OIDC provider (an account holds one per URL)."
  default     = true
}

# The bucket the environment stacks keep their state in; Terraform 1.11's lock file in the same
# bucket is the lock (no DynamoDB table, which is deprecated for this).
resource "aws_s3_bucket" "state" {
  bucket = var.state_bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

data "aws_iam_policy_document" "state_key" {
  statement {
    sid       = "Account"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

# The key of the state and the images; the account's IAM policies decide who may use it.
resource "aws_kms_key" "state" {
  description             = "python-fastapi-k8s: Terraform state and image repositories"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.state_key.json
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }

    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "state_tls" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_tls.json
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# catalog's images; the pipeline pushes each build here and deploys it by digest.
resource "aws_ecr_repository" "catalog" {
  name                 = "shop"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.state.arn
  }
}

resource "aws_ecr_lifecycle_policy" "catalog" {
  repository = aws_ecr_repository.catalog.name
  policy     = jsonencode({ rules = [{ rulePriority = 1, description = "Keep the last 50 images", selection = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 }, action = { type = "expire" } }] })
}

# GitHub's OIDC provider: workflows get short-lived credentials; no access key exists anywhere.
resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_github_oidc_provider ? 1 : 0
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_openid_connect_provider" "github" {
  url        = "https://token.actions.githubusercontent.com"
  depends_on = [aws_iam_openid_connect_provider.github]
}

data "aws_iam_policy_document" "plan_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [data.aws_iam_openid_connect_provider.github.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:pull_request"]
    }
  }
}

# The pipeline's plan role: plans on pull requests: reads the account and the state, changes nothing.
resource "aws_iam_role" "ci_plan" {
  name                 = "python-fastapi-k8s-ci-plan"
  assume_role_policy   = data.aws_iam_policy_document.plan_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "push_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [data.aws_iam_openid_connect_provider.github.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:ref:refs/heads/main"]
    }
  }
}

# The pipeline's push role: pushes the images the deploy branch builds, to these repositories and nowhere else.
resource "aws_iam_role" "ci_push" {
  name                 = "python-fastapi-k8s-ci-push"
  assume_role_policy   = data.aws_iam_policy_document.push_trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deploy_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [data.aws_iam_openid_connect_provider.github.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:production"]
    }
  }
}

# The pipeline's deploy role: applies the environment's stack from the deploy environments.
resource "aws_iam_role" "ci_deploy" {
  name                 = "python-fastapi-k8s-ci-deploy"
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "ci_plan_read" {
  role       = aws_iam_role.ci_plan.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

# Both roles read the state; only the deploy role writes it, and the plan role takes the lock
# file (a plan locks the state while it reads).
data "aws_iam_policy_document" "ci_state" {
  statement {
    sid       = "ListState"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "ReadWriteState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/*"]
  }

  statement {
    sid       = "StateKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "ci_plan_state" {
  name   = "terraform-state"
  role   = aws_iam_role.ci_plan.id
  policy = data.aws_iam_policy_document.ci_state.json
}

resource "aws_iam_role_policy" "ci_deploy_state" {
  name   = "terraform-state"
  role   = aws_iam_role.ci_deploy.id
  policy = data.aws_iam_policy_document.ci_state.json
}

# What the push role may do: sign in and push to these repositories; it reads no state and applies
# nothing, so a build that is not yet deployed holds no power over production.
data "aws_iam_policy_document" "ci_push" {
  statement {
    sid       = "Login"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "Push"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"]
    resources = [aws_ecr_repository.catalog.arn]
  }
}

resource "aws_iam_role_policy" "ci_push_images" {
  name   = "push-images"
  role   = aws_iam_role.ci_push.id
  policy = data.aws_iam_policy_document.ci_push.json
}

# Applying the environment's stack creates networks, load balancers, databases and roles: the
# deploy role gets PowerUserAccess for those, and IAM only for the roles and instance profiles
# named after the project, so it can never grant itself more.
resource "aws_iam_role_policy_attachment" "ci_deploy_power" {
  role       = aws_iam_role.ci_deploy.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "ci_iam" {
  statement {
    sid       = "ProjectRoles"
    actions   = ["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:PassRole", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/python-fastapi-k8s-*"]
  }

  statement {
    sid       = "ServiceLinkedRoles"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/aws-service-role/*"]
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role_policy" "ci_deploy_iam" {
  name   = "project-roles"
  role   = aws_iam_role.ci_deploy.id
  policy = data.aws_iam_policy_document.ci_iam.json
}

output "state_bucket" {
  description = "The state bucket: ../backend.tf names it."
  value       = aws_s3_bucket.state.id
}

output "plan_role_arn" {
  description = "AWS_PLAN_ROLE_ARN, a GitHub Actions variable."
  value       = aws_iam_role.ci_plan.arn
}

output "push_role_arn" {
  description = "AWS_ROLE_ARN, a GitHub Actions variable: the image jobs push with it."
  value       = aws_iam_role.ci_push.arn
}

output "deploy_role_arn" {
  description = "AWS_DEPLOY_ROLE_ARN, a GitHub Actions variable."
  value       = aws_iam_role.ci_deploy.arn
}

output "repositories" {
  description = "The image repositories, by service."
  value = {
    catalog = aws_ecr_repository.catalog.repository_url
  }
}
