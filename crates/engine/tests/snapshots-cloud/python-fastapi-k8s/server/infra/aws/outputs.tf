# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "public_ip" {
  description = "The server's static address: point the hosts' DNS here if Terraform does not."
  value       = aws_eip.server.public_ip
}

output "first_login" {
  description = "The first login, before the playbook has made the deploy user."
  value       = "ssh admin@${aws_eip.server.public_ip}"
}

output "instance_id" {
  description = "The instance, for restoring a snapshot onto it (docs/aws.md)."
  value       = aws_instance.server.id
}

output "host_keys" {
  description = "Compare these with what the first SSH login shows before you answer yes."
  value       = "aws ec2 get-console-output --latest --output text --instance-id ${aws_instance.server.id} | grep -A8 'BEGIN SSH HOST KEY FINGERPRINTS'"
}
