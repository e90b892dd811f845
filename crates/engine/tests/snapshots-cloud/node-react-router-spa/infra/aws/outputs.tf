# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "site_url" {
  description = "Where field-notes answers."
  value       = "https://node-react-router-spa.example.com"
}

output "site_bucket" {
  description = "The bucket the pipeline uploads field-notes's files to."
  value       = aws_s3_bucket.site.id
}

output "site_distribution" {
  description = "field-notes's distribution, whose cache the pipeline clears after an upload."
  value       = aws_cloudfront_distribution.site.id
}
