# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

# The hosted zone of example.com, which exists already.
data "aws_route53_zone" "example_com" {
  name         = "example.com"
  private_zone = false
}

resource "aws_route53_record" "python_fastapi_k8s_example_com" {
  zone_id = data.aws_route53_zone.example_com.zone_id
  name    = "python-fastapi-k8s.example.com"
  type    = "A"
  ttl     = 300
  records = [aws_eip.server.public_ip]
}
