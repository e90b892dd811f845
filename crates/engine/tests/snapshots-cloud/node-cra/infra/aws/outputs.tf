# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "site_url" {
  description = "Where legacy-admin answers."
  value       = "https://node-cra.example.com"
}

output "site_bucket" {
  description = "The bucket the pipeline uploads legacy-admin's files to."
  value       = aws_s3_bucket.site.id
}

output "site_distribution" {
  description = "legacy-admin's distribution, whose cache the pipeline clears after an upload."
  value       = aws_cloudfront_distribution.site.id
}
