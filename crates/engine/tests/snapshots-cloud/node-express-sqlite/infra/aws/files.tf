# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# The file system the services that keep data write to: encrypted, reached only from the tasks,
# backed up daily by AWS Backup (EFS's automatic backups, kept 35 days), one directory per service
# owned by its user.

resource "aws_efs_file_system" "data" {
  encrypted  = true
  kms_key_id = aws_kms_key.main.arn
  tags = {
    Name = "${local.name}-data"
  }
}

resource "aws_efs_backup_policy" "data" {
  file_system_id = aws_efs_file_system.data.id

  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_security_group" "files" {
  name        = "${local.name}-files"
  description = "The file system: NFS from the tasks of the services only"
  vpc_id      = aws_vpc.main.id
  tags = {
    Name = "${local.name}-files"
  }
}

resource "aws_vpc_security_group_ingress_rule" "files_from_tasks" {
  security_group_id            = aws_security_group.files.id
  description                  = "NFS from the tasks of the services"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
}

resource "aws_efs_mount_target" "data" {
  count           = 2
  file_system_id  = aws_efs_file_system.data.id
  subnet_id       = aws_subnet.private[count.index].id
  security_groups = [aws_security_group.files.id]
}
