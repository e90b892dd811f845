# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).
#
# The databases: private, encrypted, TLS only, the master password made and rotated by RDS in
# Secrets Manager (never in the state). Backups every day, kept var.backup_days days, which is
# also how far back point-in-time recovery reaches; deleting the instance keeps them and takes a
# final snapshot, and deletion protection makes a person turn it off first.

resource "aws_db_subnet_group" "main" {
  name       = local.name
  subnet_ids = aws_subnet.private[*].id
}

data "aws_iam_policy_document" "monitoring_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${local.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_trust.json
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_security_group" "mysql" {
  name        = "${local.name}-mysql"
  description = "MySQL: from the tasks of the services only"
  vpc_id      = aws_vpc.main.id
  tags = {
    Name = "${local.name}-mysql"
  }
}

resource "aws_vpc_security_group_ingress_rule" "mysql_from_tasks" {
  security_group_id            = aws_security_group.mysql.id
  description                  = "From the tasks of the services"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
}

resource "aws_db_parameter_group" "mysql" {
  name   = "${local.name}-mysql"
  family = "mysql8.4"

  parameter {
    name  = "require_secure_transport"
    value = "1"
  }
}

# MySQL: the app's connection URL goes in its DATABASE_URL secret (docs/aws.md).
resource "aws_db_instance" "mysql" {
  identifier                          = "${local.name}-mysql"
  engine                              = "mysql"
  engine_version                      = "8.4"
  engine_lifecycle_support            = "open-source-rds-extended-support-disabled"
  instance_class                      = var.db_class
  allocated_storage                   = var.db_storage_gb
  max_allocated_storage               = var.db_storage_gb * 5
  storage_type                        = "gp3"
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.main.arn
  db_name                             = "app"
  username                            = "app"
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = aws_kms_key.main.arn
  iam_database_authentication_enabled = true
  port                                = 3306
  db_subnet_group_name                = aws_db_subnet_group.main.name
  vpc_security_group_ids              = [aws_security_group.mysql.id]
  parameter_group_name                = aws_db_parameter_group.mysql.name
  publicly_accessible                 = false
  multi_az                            = var.multi_az
  backup_retention_period             = var.backup_days
  backup_window                       = "03:00-04:00"
  maintenance_window                  = "sun:04:30-sun:05:30"
  delete_automated_backups            = false
  copy_tags_to_snapshot               = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${local.name}-mysql-final"
  deletion_protection                 = true
  auto_minor_version_upgrade          = true
  ca_cert_identifier                  = "rds-ca-rsa2048-g1"
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.main.arn
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.rds_monitoring.arn
  enabled_cloudwatch_logs_exports     = ["error", "slowquery"]
}
