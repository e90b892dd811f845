# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

# Debian 13, from Debian's own account; a newer image does not replace a running server (see ignore_changes).
data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-13-amd64-*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

data "aws_iam_policy_document" "disk" {
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

# The key of the server's disk and its snapshots.
resource "aws_kms_key" "disk" {
  description             = "${local.name}: server disk and snapshots"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.disk.json
}

resource "aws_key_pair" "admin" {
  key_name   = local.name
  public_key = var.ssh_public_key
}

# The server's role: Session Manager only, a way in when SSH is locked out, with no SSH port needed.
resource "aws_iam_role" "server" {
  name               = "${local.name}-server"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role_policy_attachment" "server_ssm" {
  role       = aws_iam_role.server.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "server" {
  name = "${local.name}-server"
  role = aws_iam_role.server.name
}

# The server. Its metadata answers tokens only (IMDSv2), its disk is encrypted with the key above and
# snapshotted daily (snapshots.tf), and neither Terraform nor the console may delete it: to retire it,
# turn both protections off on purpose first.
resource "aws_instance" "server" {
  ami                     = data.aws_ami.debian.id
  instance_type           = var.server_size
  subnet_id               = aws_subnet.server.id
  vpc_security_group_ids  = [aws_security_group.server.id]
  key_name                = aws_key_pair.admin.key_name
  iam_instance_profile    = aws_iam_instance_profile.server.name
  ebs_optimized           = true
  monitoring              = true
  disable_api_termination = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.disk_size
    encrypted   = true
    kms_key_id  = aws_kms_key.disk.arn
    tags = {
      Name      = local.name
      Snapshots = local.name
    }
  }

  tags = {
    Name = local.name
  }

  lifecycle {
    prevent_destroy = true
    ignore_changes  = [ami]
  }
}

# The server's address; it stays when the instance is replaced, and DNS points at it.
resource "aws_eip" "server" {
  domain   = "vpc"
  instance = aws_instance.server.id
  tags = {
    Name = local.name
  }
}
