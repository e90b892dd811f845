# Written by Slipway from the project's deployment spec. Plan before applying:
# terraform plan shows every resource this creates (docs/aws.md says in what order).

output "site_url" {
  description = "Where handbook answers."
  value       = "https://node-nextjs-export.example.com"
}

output "site_bucket" {
  description = "The bucket the pipeline uploads handbook's files to."
  value       = aws_s3_bucket.site.id
}

output "site_distribution" {
  description = "handbook's distribution, whose cache the pipeline clears after an upload."
  value       = aws_cloudfront_distribution.site.id
}
