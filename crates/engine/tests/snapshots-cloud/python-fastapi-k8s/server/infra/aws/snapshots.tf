# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

resource "aws_iam_role" "snapshots" {
  name               = "${local.name}-snapshots"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "dlm.amazonaws.com" } }] })
}

resource "aws_iam_role_policy_attachment" "snapshots" {
  role       = aws_iam_role.snapshots.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
}

# A snapshot of the disk every day at 03:00 UTC, each kept var.snapshot_days days; encrypted with the
# disk's key. docs/aws.md says how to put one back.
resource "aws_dlm_lifecycle_policy" "server" {
  description        = "${local.name}: daily snapshots of the server's disk"
  execution_role_arn = aws_iam_role.snapshots.arn
  state              = "ENABLED"

  policy_details {
    resource_types = ["VOLUME"]
    target_tags = {
      Snapshots = local.name
    }

    schedule {
      name      = "daily"
      copy_tags = true

      create_rule {
        interval      = 24
        interval_unit = "HOURS"
        times         = ["03:00"]
      }

      retain_rule {
        interval      = var.snapshot_days
        interval_unit = "DAYS"
      }
    }
  }
}
