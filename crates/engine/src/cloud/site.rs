//! Static sites on AWS: the built files in a private S3 bucket that only CloudFront reads.
//!
//! A project whose every service is a static site gets no network, load balancer or container
//! (a NAT gateway alone would cost more than the site): `infra/aws/` holds, per site, a bucket
//! that is versioned, encrypted, never public and readable by its own distribution only (origin
//! access control, signed requests), and a CloudFront distribution that answers HTTPS only
//! (HTTP redirected, TLS 1.2 and newer on the site's host with a certificate from ACM in
//! us-east-1, HTTP/2 and HTTP/3), compresses, caches with AWS's managed policy and adds the
//! security headers. Single-page apps fall back to `index.html`; sites of many pages get each
//! folder's `index.html` from a CloudFront function and their own `404.html`. The bootstrap
//! stack is AWS's own, without image repositories; the deploy role may change the site's
//! buckets, distributions, certificates and records and nothing else.
//!
//! The pipeline builds each site, uploads the hashed assets first (cached for a year, never
//! deleted by a deploy, so a page loaded before it keeps working), then the pages and the rest
//! (revalidated on every request, the files the new build no longer has removed), clears
//! CloudFront's cache and calls the site.

use hcl::{Block, Expression};

use super::aws::{public_access_block, statement, zone_of, BOOTSTRAP, DIR, HEADER};
use super::cost::{self, Estimate};
use super::tf::{data, file, plan_to_summary, res, st, strs, validation, variable};
use super::{CloudNode, Generated};
use crate::generate::Artifact;
use crate::kube::{hosts, name_of};
use crate::spec::{CloudSpec, DeploySpec, ServiceSpec};
use crate::write::hcl::{expr, HclFile};

/// The CloudFront function that gives a page's address its file, beside the stack.
const INDEX_FUNCTION: &str = "infra/aws/functions/index.js";

/// The id of AWS's managed cache policy for static files (`Managed-CachingOptimized`).
const CACHING_OPTIMIZED: &str = "Managed-CachingOptimized";

/// The static sites of the spec (all its services, when this module writes the stack).
pub(super) fn sites(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    spec.services.iter().filter(|s| s.kind == "static").collect()
}

/// A site's id in resource names: `site` for a project of one site, else the service's name.
pub(super) fn rid(spec: &DeploySpec, svc: &ServiceSpec) -> String {
    if sites(spec).len() == 1 {
        "site".into()
    } else {
        format!("site_{}", name_of(&svc.name).replace('-', "_"))
    }
}

/// The part of the bucket's name after the environment's: `site`, or `site-` and the service's
/// name (cut to ten characters, so the name fits S3's 63 with the account's id).
pub(super) fn slug(spec: &DeploySpec, svc: &ServiceSpec) -> String {
    if sites(spec).len() == 1 {
        "site".into()
    } else {
        let n = name_of(&svc.name);
        format!("site-{}", n.chars().take(10).collect::<String>().trim_end_matches('-'))
    }
}

/// The folder the site's files are in, relative to the repository's root.
pub(super) fn output_dir(svc: &ServiceSpec) -> String {
    let out = svc.output.clone().unwrap_or_else(|| ".".into());
    let joined = if svc.path == "." || svc.path.is_empty() {
        out
    } else if out == "." {
        svc.path.clone()
    } else {
        format!("{}/{out}", svc.path)
    };
    joined.trim_end_matches('/').to_string()
}

/// True when the site is served from its source folder (no build, no output folder): only the
/// files a browser asks for are uploaded, never the repository's other files.
pub(super) fn from_source(svc: &ServiceSpec) -> bool {
    svc.output.as_deref().is_none_or(|o| o == ".") && svc.build.is_none()
}

/// Folders whose file names carry a hash of their content in the framework's build: cached for a
/// year, and kept when a deploy removes the pages that linked them.
pub(super) fn hashed_dirs(svc: &ServiceSpec) -> &'static [&'static str] {
    match svc.framework.as_deref() {
        Some("vite" | "react-router") => &["assets"],
        Some("create-react-app") => &["static"],
        Some("vue-cli") => &["js", "css"],
        Some("nextjs") => &["_next/static"],
        Some("astro") => &["_astro"],
        Some("expo") => &["_expo/static"],
        _ => &[],
    }
}

/// What a browser may ask for in a site served from its source folder.
pub(super) const WEB_FILES: &[&str] = &[
    "html",
    "htm",
    "css",
    "js",
    "mjs",
    "map",
    "svg",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "ico",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "txt",
    "xml",
    "webmanifest",
    "pdf",
    "mp4",
    "webm",
];

/// The AWS stacks for a project of static sites.
pub fn generate(spec: &DeploySpec, cloud: &CloudSpec, remote: Option<&str>) -> Generated {
    let mut g = Generated::default();
    let project = super::aws::project(spec);
    let repo = super::repository_of(remote);
    g.artifacts
        .push(super::aws::bootstrap(spec, cloud, &project, repo.as_deref(), remote));
    g.artifacts
        .extend(super::aws::versions_and_backend(cloud, &project, spec.production()));
    g.artifacts.push(providers(spec));
    g.artifacts.push(variables(spec, cloud, &project));
    g.artifacts.push(site_file(spec, false));
    g.artifacts.extend(index_function_file(spec));
    g.artifacts.push(outputs(spec));
    g.cost = estimate(spec);
    g.picture = picture(spec);
    g.requirements = super::aws::requirements(spec, cloud, &project, repo.as_deref(), false);
    g.artifacts.push(Artifact {
        path: "docs/aws.md".into(),
        content: runbook(spec, cloud, &project, repo.as_deref(), &g.cost),
        purpose:
            "the order to apply in, the pipeline's identities, how a deploy uploads and how to roll back, the cost"
                .into(),
        step: "cloud".into(),
    });
    g
}

fn providers(spec: &DeploySpec) -> Artifact {
    let mut f = HclFile::new(HEADER);
    f.block(super::aws::provider(None, expr("local.tags")));
    if spec.host.is_some() {
        f.commented(
            "CloudFront takes certificates from ACM in us-east-1 only, whatever the stack's region.",
            super::aws::provider(Some(("us_east_1", st("us-east-1"))), expr("local.tags")),
        );
    }
    f.block(super::tf::environment_locals("tags", true, "terraform"));
    f.block(data("aws_caller_identity", "current").build());
    file(
        format!("{DIR}/providers.tf"),
        &f,
        "the AWS provider (and us-east-1's, for CloudFront's certificate), the tags on every resource, and the names",
    )
}

fn variables(spec: &DeploySpec, cloud: &CloudSpec, project: &str) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEvery value that differs between environments or accounts is a variable with its type, a\ndescription and the checks AWS would otherwise make only halfway through an apply."
    ));
    for b in super::tf::project_and_environment(project, spec) {
        f.block(b);
    }
    f.block(super::aws::region_variable(cloud));
    for v in variables_of_sites() {
        f.block(v);
    }
    if let Some(host) = &spec.host {
        f.block(
            variable(
                "zone_name",
                "string",
                "The Route 53 hosted zone the hosts are in; the certificate is validated there.",
                Some(st(zone_of(host))),
            )
            .build(),
        );
    }
    file(
        format!("{DIR}/variables.tf"),
        &f,
        "the region, CloudFront's price class, how long old files are kept, the DNS zone",
    )
}

/// The variables the sites read: CloudFront's price class and how long old files are kept.
pub(super) fn variables_of_sites() -> [Block; 2] {
    [
        variable(
            "price_class",
            "string",
            "Where CloudFront serves from: PriceClass_100 (North America and Europe, the cheapest), PriceClass_200, or PriceClass_All (every edge).",
            Some(st("PriceClass_100")),
        )
        .add_block(validation(
            "contains([\"PriceClass_100\", \"PriceClass_200\", \"PriceClass_All\"], var.price_class)",
            "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All.",
        ))
        .build(),
        variable(
            "old_versions_days",
            "number",
            "Days a replaced or deleted file stays in the bucket as an old version, to roll back from.",
            Some(Expression::from(30)),
        )
        .add_block(validation(
            "var.old_versions_days >= 1 && var.old_versions_days <= 365",
            "old_versions_days must be from 1 to 365.",
        ))
        .build(),
    ]
}

/// The bucket, its distribution, and the host's certificate and records, per site. Beside
/// containers the certificate is the sites' own (`site`; the load balancer has `main`) and the
/// zone is the load balancer's when it has hosts.
pub(super) fn site_file(spec: &DeploySpec, beside_containers: bool) -> Artifact {
    let mut f = HclFile::new(format!(
        "{HEADER}\n\nEach site's files live in a private bucket that only its CloudFront distribution reads (origin\naccess control: CloudFront signs every request, and the bucket's policy admits that one\ndistribution). Visitors reach CloudFront over HTTPS only."
    ));
    let exposed = hosts(spec);
    f.block(
        data("aws_cloudfront_cache_policy", "optimized")
            .add_attribute(("name", CACHING_OPTIMIZED))
            .build(),
    );
    f.commented(
        "The headers every answer carries: HTTPS only for two years, no MIME sniffing, never in a frame\nof another site, and the referrer trimmed to the origin across sites.",
        res("aws_cloudfront_response_headers_policy", "security")
            .add_attribute(("name", expr("\"${local.name}-security-headers\"")))
            .add_block(
                Block::builder("security_headers_config")
                    .add_block(
                        Block::builder("strict_transport_security")
                            .add_attribute(("access_control_max_age_sec", 63072000))
                            .add_attribute(("include_subdomains", true))
                            .add_attribute(("override", true))
                            .build(),
                    )
                    .add_block(
                        Block::builder("content_type_options")
                            .add_attribute(("override", true))
                            .build(),
                    )
                    .add_block(
                        Block::builder("frame_options")
                            .add_attribute(("frame_option", "DENY"))
                            .add_attribute(("override", true))
                            .build(),
                    )
                    .add_block(
                        Block::builder("referrer_policy")
                            .add_attribute(("referrer_policy", "strict-origin-when-cross-origin"))
                            .add_attribute(("override", true))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    let pages = sites(spec).iter().any(|s| !crate::pipeline::platform::single_page(s));
    if pages {
        f.commented(
            "CloudFront asks the bucket for exact keys: this gives /about and /about/ the file\n/about/index.html, at the edge, before the cache.",
            res("aws_cloudfront_function", "index")
                .add_attribute(("name", expr("\"${local.name}-index\"")))
                .add_attribute(("runtime", "cloudfront-js-2.0"))
                .add_attribute(("comment", "A page's address to its index.html"))
                .add_attribute(("publish", true))
                .add_attribute(("code", expr("file(\"${path.module}/functions/index.js\")")))
                .build(),
        );
    }
    let mine: Vec<String> = sites(spec).iter().map(|s| name_of(&s.name)).collect();
    let exposed: Vec<(String, String)> = exposed.into_iter().filter(|(n, _)| mine.contains(n)).collect();
    let hostnames: Vec<String> = exposed.iter().map(|(_, h)| h.clone()).collect();
    let cert = cert_id(beside_containers);
    super::aws::certificate(
        &mut f,
        &hostnames,
        Some("The hosts' certificate, in us-east-1 where CloudFront reads it, validated by DNS and renewed by\nACM for as long as the validation records stay."),
        cert,
        !beside_containers || super::aws::exposed(spec).is_empty(),
    );
    for svc in sites(spec) {
        let r = rid(spec, svc);
        let bucket = format!("aws_s3_bucket.{r}");
        let host = exposed
            .iter()
            .find(|(n, _)| *n == name_of(&svc.name))
            .map(|(_, h)| h.clone());
        f.commented(
            format!(
                "{}'s files. Its name carries the account's id, since bucket names are global; Terraform\nnever deletes it while it holds files.",
                svc.name
            ),
            res("aws_s3_bucket", &r)
                .add_attribute((
                    "bucket",
                    expr(&format!(
                        "\"${{local.name}}-{}-${{data.aws_caller_identity.current.account_id}}\"",
                        slug(spec, svc)
                    )),
                ))
                .add_attribute(("force_destroy", false))
                .build(),
        );
        f.commented(
            "ACLs off: the bucket's policy alone decides who reads.",
            res("aws_s3_bucket_ownership_controls", &r)
                .add_attribute(("bucket", expr(&format!("{bucket}.id"))))
                .add_block(
                    Block::builder("rule")
                        .add_attribute(("object_ownership", "BucketOwnerEnforced"))
                        .build(),
                )
                .build(),
        );
        f.block(public_access_block(&r, &format!("{bucket}.id")));
        f.commented(
            "Every upload keeps the file it replaces as an old version: a deploy can be rolled back file by\nfile (docs/aws.md).",
            res("aws_s3_bucket_versioning", &r)
                .add_attribute(("bucket", expr(&format!("{bucket}.id"))))
                .add_block(
                    Block::builder("versioning_configuration")
                        .add_attribute(("status", "Enabled"))
                        .build(),
                )
                .build(),
        );
        f.commented(
            "Encrypted at rest with S3's keys, which CloudFront's signed requests can read (a KMS key would\nneed its own grant to CloudFront and costs a dollar a month).",
            res("aws_s3_bucket_server_side_encryption_configuration", &r)
                .add_attribute(("bucket", expr(&format!("{bucket}.id"))))
                .add_block(
                    Block::builder("rule")
                        .add_block(
                            Block::builder("apply_server_side_encryption_by_default")
                                .add_attribute(("sse_algorithm", "AES256"))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
        f.block(
            res("aws_s3_bucket_lifecycle_configuration", &r)
                .add_attribute(("bucket", expr(&format!("{bucket}.id"))))
                .add_block(
                    Block::builder("rule")
                        .add_attribute(("id", "old-versions"))
                        .add_attribute(("status", "Enabled"))
                        .add_block(Block::builder("filter").build())
                        .add_block(
                            Block::builder("noncurrent_version_expiration")
                                .add_attribute(("noncurrent_days", expr("var.old_versions_days")))
                                .build(),
                        )
                        .add_block(
                            Block::builder("abort_incomplete_multipart_upload")
                                .add_attribute(("days_after_initiation", 7))
                                .build(),
                        )
                        .build(),
                )
                .add_attribute(("depends_on", expr(&format!("[aws_s3_bucket_versioning.{r}]"))))
                .build(),
        );
        f.block(
            res("aws_cloudfront_origin_access_control", &r)
                .add_attribute(("name", expr(&format!("\"${{local.name}}-{}\"", slug(spec, svc)))))
                .add_attribute((
                    "description",
                    format!("CloudFront signs its requests to {}'s bucket", svc.name),
                ))
                .add_attribute(("origin_access_control_origin_type", "s3"))
                .add_attribute(("signing_behavior", "always"))
                .add_attribute(("signing_protocol", "sigv4"))
                .build(),
        );
        f.commented(
            "Only this distribution reads the files, and only over TLS.",
            data("aws_iam_policy_document", &r)
                .add_block(
                    Block::builder("statement")
                        .add_attribute(("sid", "CloudFrontReads"))
                        .add_attribute(("actions", strs(["s3:GetObject"])))
                        .add_attribute(("resources", expr(&format!("[\"${{{bucket}.arn}}/*\"]"))))
                        .add_block(
                            Block::builder("principals")
                                .add_attribute(("type", "Service"))
                                .add_attribute(("identifiers", strs(["cloudfront.amazonaws.com"])))
                                .build(),
                        )
                        .add_block(
                            Block::builder("condition")
                                .add_attribute(("test", "StringEquals"))
                                .add_attribute(("variable", "AWS:SourceArn"))
                                .add_attribute(("values", expr(&format!("[aws_cloudfront_distribution.{r}.arn]"))))
                                .build(),
                        )
                        .build(),
                )
                .add_block(
                    Block::builder("statement")
                        .add_attribute(("sid", "TlsOnly"))
                        .add_attribute(("effect", "Deny"))
                        .add_attribute(("actions", strs(["s3:*"])))
                        .add_attribute(("resources", expr(&format!("[{bucket}.arn, \"${{{bucket}.arn}}/*\"]"))))
                        .add_block(
                            Block::builder("principals")
                                .add_attribute(("type", "*"))
                                .add_attribute(("identifiers", strs(["*"])))
                                .build(),
                        )
                        .add_block(
                            Block::builder("condition")
                                .add_attribute(("test", "Bool"))
                                .add_attribute(("variable", "aws:SecureTransport"))
                                .add_attribute(("values", strs(["false"])))
                                .build(),
                        )
                        .build(),
                )
                .build(),
        );
        f.block(
            res("aws_s3_bucket_policy", &r)
                .add_attribute(("bucket", expr(&format!("{bucket}.id"))))
                .add_attribute(("policy", expr(&format!("data.aws_iam_policy_document.{r}.json"))))
                .add_attribute(("depends_on", expr(&format!("[aws_s3_bucket_public_access_block.{r}]"))))
                .build(),
        );
        f.commented(
            distribution_note(svc),
            distribution(
                svc,
                &r,
                cert,
                host.as_deref(),
                pages && !crate::pipeline::platform::single_page(svc),
            ),
        );
        if let Some(h) = &host {
            let id = h.replace(['.', '*'], "_");
            for kind in ["A", "AAAA"] {
                f.block(
                    res(
                        "aws_route53_record",
                        &format!("host_{id}_{}", kind.to_ascii_lowercase()),
                    )
                    .add_attribute(("zone_id", expr("data.aws_route53_zone.main.zone_id")))
                    .add_attribute(("name", h.as_str()))
                    .add_attribute(("type", kind))
                    .add_block(
                        Block::builder("alias")
                            .add_attribute(("name", expr(&format!("aws_cloudfront_distribution.{r}.domain_name"))))
                            .add_attribute((
                                "zone_id",
                                expr(&format!("aws_cloudfront_distribution.{r}.hosted_zone_id")),
                            ))
                            .add_attribute(("evaluate_target_health", false))
                            .build(),
                    )
                    .build(),
                );
            }
        }
    }
    file(
        format!("{DIR}/site.tf"),
        &f,
        "each site's private bucket, its CloudFront distribution with HTTPS and security headers, the certificate and DNS records",
    )
}

fn distribution_note(svc: &ServiceSpec) -> String {
    if crate::pipeline::platform::single_page(svc) {
        format!(
            "{}: HTTPS only, compressed, cached at the edge.\nA single-page app routes in the browser, so an address that is no file gets index.html with 200.",
            svc.name
        )
    } else {
        format!(
            "{}: HTTPS only, compressed, cached at the edge.\nEach folder's index.html answers for it; a missing page gets 404.html with 404 (the deploy\nuploads a plain one when the site has none).",
            svc.name
        )
    }
}

/// The sites' certificate's id: `main` in a stack of sites, `site` beside the load balancer's.
fn cert_id(beside_containers: bool) -> &'static str {
    if beside_containers {
        "site"
    } else {
        "main"
    }
}

fn distribution(svc: &ServiceSpec, r: &str, cert: &str, host: Option<&str>, rewrites: bool) -> Block {
    let mut behaviour = Block::builder("default_cache_behavior")
        .add_attribute(("target_origin_id", "site"))
        .add_attribute(("viewer_protocol_policy", "redirect-to-https"))
        .add_attribute(("allowed_methods", strs(["GET", "HEAD"])))
        .add_attribute(("cached_methods", strs(["GET", "HEAD"])))
        .add_attribute(("compress", true))
        .add_attribute(("cache_policy_id", expr("data.aws_cloudfront_cache_policy.optimized.id")))
        .add_attribute((
            "response_headers_policy_id",
            expr("aws_cloudfront_response_headers_policy.security.id"),
        ));
    if rewrites {
        behaviour = behaviour.add_block(
            Block::builder("function_association")
                .add_attribute(("event_type", "viewer-request"))
                .add_attribute(("function_arn", expr("aws_cloudfront_function.index.arn")))
                .build(),
        );
    }
    let single = crate::pipeline::platform::single_page(svc);
    let mut d = res("aws_cloudfront_distribution", r)
        .add_attribute(("comment", expr(&format!("\"${{local.name}}: {}\"", svc.name))))
        .add_attribute(("enabled", true))
        .add_attribute(("is_ipv6_enabled", true))
        .add_attribute(("http_version", "http2and3"))
        .add_attribute(("price_class", expr("var.price_class")))
        .add_attribute(("default_root_object", "index.html"));
    if let Some(h) = host {
        d = d.add_attribute(("aliases", strs([h])));
    }
    d = d
        .add_block(
            Block::builder("origin")
                .add_attribute(("origin_id", "site"))
                .add_attribute((
                    "domain_name",
                    expr(&format!("aws_s3_bucket.{r}.bucket_regional_domain_name")),
                ))
                .add_attribute((
                    "origin_access_control_id",
                    expr(&format!("aws_cloudfront_origin_access_control.{r}.id")),
                ))
                .build(),
        )
        .add_block(behaviour.build());
    // Without s3:ListBucket, S3 answers a missing key with 403: both mean "no such file".
    for code in [403, 404] {
        d = d.add_block(
            Block::builder("custom_error_response")
                .add_attribute(("error_code", code))
                .add_attribute(("response_code", if single { 200 } else { 404 }))
                .add_attribute(("response_page_path", if single { "/index.html" } else { "/404.html" }))
                .add_attribute(("error_caching_min_ttl", 10))
                .build(),
        );
    }
    d = d.add_block(
        Block::builder("restrictions")
            .add_block(
                Block::builder("geo_restriction")
                    .add_attribute(("restriction_type", "none"))
                    .build(),
            )
            .build(),
    );
    let viewer = if host.is_some() {
        Block::builder("viewer_certificate")
            .add_attribute((
                "acm_certificate_arn",
                expr(&format!("aws_acm_certificate_validation.{cert}.certificate_arn")),
            ))
            .add_attribute(("ssl_support_method", "sni-only"))
            .add_attribute(("minimum_protocol_version", "TLSv1.2_2021"))
            .build()
    } else {
        // CloudFront's own name (*.cloudfront.net) takes its own certificate, whose TLS floor
        // CloudFront sets; a host of the project's gets TLS 1.2 and newer.
        Block::builder("viewer_certificate")
            .add_attribute(("cloudfront_default_certificate", true))
            .build()
    };
    d.add_block(viewer)
        .add_attribute(("depends_on", expr(&format!("[aws_s3_bucket_public_access_block.{r}]"))))
        .build()
}

/// The CloudFront function's file, when a site has many pages.
pub(super) fn index_function_file(spec: &DeploySpec) -> Option<Artifact> {
    sites(spec)
        .iter()
        .any(|s| !crate::pipeline::platform::single_page(s))
        .then(|| Artifact {
            path: INDEX_FUNCTION.into(),
            content: index_function(),
            purpose: "gives a page's address its index.html at the edge (CloudFront asks S3 for exact keys)".into(),
            step: "cloud".into(),
        })
}

fn index_function() -> String {
    "// Written by Slipway: CloudFront asks the bucket for exact keys, so a page's address is given its\n\
// file here, at the edge, before the cache: /docs/ and /docs both read /docs/index.html.\n\
// Addresses of files (with an extension) pass unchanged.\n\
function handler(event) {\n\
  var request = event.request;\n\
  var uri = request.uri;\n\
  if (uri.endsWith('/')) {\n\
    request.uri = uri + 'index.html';\n\
  } else if (uri.split('/').pop().indexOf('.') === -1) {\n\
    request.uri = uri + '/index.html';\n\
  }\n\
  return request;\n\
}\n"
    .into()
}

fn outputs(spec: &DeploySpec) -> Artifact {
    let mut f = HclFile::new(HEADER);
    for b in output_blocks(spec) {
        f.block(b);
    }
    file(
        format!("{DIR}/outputs.tf"),
        &f,
        "what the pipeline and the runbook read after an apply: the buckets, the distributions, the addresses",
    )
}

/// Each site's address, bucket and distribution, as outputs.
pub(super) fn output_blocks(spec: &DeploySpec) -> Vec<Block> {
    let mut out = Vec::new();
    let exposed = hosts(spec);
    for svc in sites(spec) {
        let r = rid(spec, svc);
        let url = match exposed.iter().find(|(n, _)| *n == name_of(&svc.name)) {
            Some((_, h)) => format!("\"https://{h}\""),
            None => format!("\"https://${{aws_cloudfront_distribution.{r}.domain_name}}\""),
        };
        for (name, value, description) in [
            (format!("{r}_url"), url, format!("Where {} answers.", svc.name)),
            (
                format!("{r}_bucket"),
                format!("aws_s3_bucket.{r}.id"),
                format!("The bucket the pipeline uploads {}'s files to.", svc.name),
            ),
            (
                format!("{r}_distribution"),
                format!("aws_cloudfront_distribution.{r}.id"),
                format!(
                    "{}'s distribution, whose cache the pipeline clears after an upload.",
                    svc.name
                ),
            ),
        ] {
            out.push(
                Block::builder("output")
                    .add_label(&name)
                    .add_attribute(("description", description))
                    .add_attribute(("value", expr(&value)))
                    .build(),
            );
        }
    }
    out
}

/// The deploy role's rights beyond reading: the environments' site buckets and their files,
/// CloudFront's distributions, functions and policies in this account, the certificate in
/// us-east-1 and the zone's records. It creates no IAM role, so it gets no IAM rights.
pub(super) fn deploy_policy(f: &mut HclFile, project: &str) {
    f.commented(
        "The deploy role reads the account (ReadOnlyAccess, as a plan does) and writes only what a static\nsite is made of: the site buckets of this project's environments and their files, CloudFront in\nthis account, the certificate and the DNS records. It holds no IAM rights at all.",
        res("aws_iam_role_policy_attachment", "ci_deploy_read")
            .add_attribute(("role", expr("aws_iam_role.ci_deploy.name")))
            .add_attribute(("policy_arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
            .build(),
    );
    f.block(
        data("aws_iam_policy_document", "ci_site")
            .add_block(statement(
                "SiteBuckets",
                &[
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:DeleteBucketPolicy",
                    "s3:PutBucketOwnershipControls",
                    "s3:PutBucketPolicy",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:PutBucketTagging",
                    "s3:PutBucketVersioning",
                    "s3:PutEncryptionConfiguration",
                    "s3:PutLifecycleConfiguration",
                ],
                expr(&format!("[\"arn:aws:s3:::{project}-*-site-*\"]")),
            ))
            .add_block(statement(
                "SiteFiles",
                &["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"],
                expr(&format!(
                    "[\"arn:aws:s3:::{project}-*-site-*\", \"arn:aws:s3:::{project}-*-site-*/*\"]"
                )),
            ))
            .add_block(statement(
                "CloudFront",
                &[
                    "cloudfront:CreateDistribution",
                    "cloudfront:CreateFunction",
                    "cloudfront:CreateInvalidation",
                    "cloudfront:CreateOriginAccessControl",
                    "cloudfront:CreateResponseHeadersPolicy",
                    "cloudfront:DeleteDistribution",
                    "cloudfront:DeleteFunction",
                    "cloudfront:DeleteOriginAccessControl",
                    "cloudfront:DeleteResponseHeadersPolicy",
                    "cloudfront:PublishFunction",
                    "cloudfront:TagResource",
                    "cloudfront:UntagResource",
                    "cloudfront:UpdateDistribution",
                    "cloudfront:UpdateFunction",
                    "cloudfront:UpdateOriginAccessControl",
                    "cloudfront:UpdateResponseHeadersPolicy",
                ],
                expr("[\"arn:aws:cloudfront::${data.aws_caller_identity.current.account_id}:*\"]"),
            ))
            .add_block(statement(
                "Certificates",
                &[
                    "acm:AddTagsToCertificate",
                    "acm:DeleteCertificate",
                    "acm:RemoveTagsFromCertificate",
                    "acm:RequestCertificate",
                ],
                expr("[\"arn:aws:acm:us-east-1:${data.aws_caller_identity.current.account_id}:certificate/*\"]"),
            ))
            .add_block(statement(
                "Records",
                &["route53:ChangeResourceRecordSets"],
                expr("[\"arn:aws:route53:::hostedzone/*\"]"),
            ))
            .build(),
    );
    f.block(data("aws_caller_identity", "current").build());
    f.block(
        res("aws_iam_role_policy", "ci_deploy_site")
            .add_attribute(("name", "static-site"))
            .add_attribute(("role", expr("aws_iam_role.ci_deploy.id")))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.ci_site.json")))
            .build(),
    );
}

pub(super) fn estimate(spec: &DeploySpec) -> Estimate {
    use cost::aws::*;
    let mut e = Estimate::default();
    let n = sites(spec).len() as f64;
    e.add(
        "S3 storage",
        format!("{n} site(s) x 1 GB with its old versions"),
        n * S3_GB_MONTH,
    );
    e.add(
        "CloudFront",
        format!(
            "within the always-free tier (1 TB out and 10 million requests a month); beyond it {CLOUDFRONT_GB:.3} USD per GB"
        ),
        0.0,
    );
    e.add(
        "CloudFront invalidations",
        "one path (/*) per deploy; the first 1,000 paths a month are free",
        0.0,
    );
    e
}

pub(super) fn picture(spec: &DeploySpec) -> Vec<CloudNode> {
    let mut out = Vec::new();
    let mine: Vec<String> = sites(spec).iter().map(|s| name_of(&s.name)).collect();
    for (_, h) in hosts(spec).into_iter().filter(|(n, _)| mine.contains(n)) {
        out.push(CloudNode {
            kind: "DNS".into(),
            name: h,
            detail: "Route 53 alias, ACM certificate in us-east-1".into(),
        });
    }
    for svc in sites(spec) {
        out.push(CloudNode {
            kind: "CDN (CloudFront)".into(),
            name: name_of(&svc.name),
            detail: format!(
                "HTTPS only (TLS 1.2+ on the host), HTTP/2 and 3, security headers, {}",
                if crate::pipeline::platform::single_page(svc) {
                    "index.html for the browser's routes"
                } else {
                    "each folder's index.html, 404.html"
                }
            ),
        });
        out.push(CloudNode {
            kind: "Bucket (S3)".into(),
            name: format!("{}-site", name_of(&svc.name)),
            detail: "private, read by its distribution only, versioned, encrypted".into(),
        });
    }
    out
}

fn runbook(spec: &DeploySpec, cloud: &CloudSpec, project: &str, repo: Option<&str>, estimate: &Estimate) -> String {
    use super::aws::oidc_subject;
    let repo = repo.unwrap_or("OWNER/REPOSITORY");
    let production = spec.production();
    let mut out = format!(
        "# {project} on AWS\n\nWritten by Slipway from the project's deployment spec: Terraform in `{DIR}/`, for the region\n{region}. The site's files go to a private S3 bucket that only CloudFront reads; nothing here holds a\nsecret or an access key.\n\n",
        region = cloud.region
    );
    out.push_str("## What runs\n\n");
    for n in picture(spec) {
        out.push_str(&format!("- **{}** {}: {}\n", n.kind, n.name, n.detail));
    }
    out.push_str("\n## Before the first apply\n\n");
    out.push_str(&format!(
        "1. A person with administrator rights applies the account's shared stack once:\n\n   ```sh\n   terraform -chdir={BOOTSTRAP} init\n   terraform -chdir={BOOTSTRAP} apply\n   ```\n\n   It creates the state bucket `{project}-terraform-state` (bucket names are global: if it is taken, change\n   `state_bucket` there and `bucket` in `{DIR}/backend.tf`), GitHub's OIDC provider (set\n   `create_github_oidc_provider = false` if the account has one) and two roles. Its state stays in\n   `{BOOTSTRAP}/terraform.tfstate`: keep it safe, or move it into the bucket with a `backend \"s3\"`\n   block and `terraform init -migrate-state`.\n"
    ));
    out.push_str(&format!(
        "2. In GitHub, set the repository variables `AWS_PLAN_ROLE_ARN` and `AWS_DEPLOY_ROLE_ARN` to the\n   bootstrap stack's outputs and `AWS_REGION` to `{}`. The roles trust exactly these subjects:\n   `{}` (plans on pull requests) and {} (deploys). A job in an environment presents the\n   environment's subject, not the branch's, which is why the deploy role names the environments.\n   The deploy role reads the account and may change only this project's site buckets and their\n   files, CloudFront, the certificate and the DNS records: it has no IAM rights.\n",
        cloud.region,
        oidc_subject(repo, None),
        spec.environments
            .iter()
            .map(|e| format!("`{}`", oidc_subject(repo, Some(&e.name))))
            .collect::<Vec<_>>()
            .join(" and ")
    ));
    if let Some(host) = &spec.host {
        out.push_str(&format!(
            "3. The hosts need a public Route 53 hosted zone, `{}` by default (`zone_name`); the certificate is\n   requested in us-east-1 (CloudFront reads it from there only) and validated there by DNS.\n",
            zone_of(host)
        ));
    } else {
        out.push_str("3. No host was named, so the site answers on CloudFront's own `*.cloudfront.net` address. Name one\n   (`host = \"www.example.com\"` in `slipway.toml`, or \"on www.example.com\" in the task) for a\n   certificate of its own with TLS 1.2 and newer.\n");
    }
    out.push_str("\n## How a deploy goes\n\n");
    out.push_str(&format!(
        "Pull requests get `terraform plan` in their job summary. On the `{branch}` branch, after the checks,\nthe deploy job builds the sites (a build that fails changes nothing), applies the stack in each\nenvironment ({envs}), then for each site:\n\n",
        branch = spec.branch,
        envs = spec.environments.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
    ));
    for svc in sites(spec) {
        let hashed = hashed_dirs(svc);
        out.push_str(&format!(
            "- **{}**: {}uploads `{}/`{}; pages and the other files are revalidated on every request, and the files the build no longer has are removed; {}then clears CloudFront's cache and calls the site.\n",
            svc.name,
            match (&svc.build, from_source(svc)) {
                (Some(b), _) => format!("built with `{b}`, "),
                (None, true) => "takes the files as they are (only those a browser asks for: pages, styles, scripts, images, fonts; never dot-folders or the deployment's own folders), ".into(),
                (None, false) => String::new(),
            },
            output_dir(svc),
            if hashed.is_empty() {
                String::new()
            } else {
                format!(
                    ": first {}, whose names change with their content, cached for a year and never deleted by a deploy (a page loaded before it keeps finding them), then the rest",
                    hashed.iter().map(|d| format!("`{d}/`")).collect::<Vec<_>>().join(" and ")
                )
            },
            if crate::pipeline::platform::single_page(svc) {
                ""
            } else {
                "uploads a plain 404.html when the site has none; "
            },
        ));
    }
    if sites(spec).iter().any(|s| s.framework.as_deref() == Some("nextjs")) {
        out.push_str("\nNext.js: with `trailingSlash: true` in `next.config` every page is a folder with its `index.html`,\nwhich is what the CloudFront function serves; without it pages are `about.html`, which it does not.\n");
    }
    out.push_str(&format!(
        "\n## Rolling back\n\nThe quickest way back is the pipeline: revert the commit on `{branch}`, and the deploy uploads the\nprevious build. The buckets keep every replaced or deleted file as an old version for\n`old_versions_days` (30 by default), so a single file can be brought back by hand:\n\n```sh\nbucket=$(terraform -chdir={DIR} output -raw {r}_bucket)\naws s3api list-object-versions --bucket \"$bucket\" --prefix index.html\naws s3api copy-object --bucket \"$bucket\" --key index.html \\\n  --copy-source \"$bucket/index.html?versionId=VERSION\"\naws cloudfront create-invalidation --paths '/*' \\\n  --distribution-id \"$(terraform -chdir={DIR} output -raw {r}_distribution)\"\n```\n\nThere is no database, so there is nothing else to back up: the repository rebuilds the site, and the\nbuckets' old versions cover a bad upload. With no server, the recovery point is the last commit and\nthe recovery time one pipeline run.\n",
        branch = spec.branch,
        r = rid(spec, sites(spec)[0]),
    ));
    out.push_str(&format!(
        "\n## Left out on purpose\n\n- **AWS WAF**: a web ACL costs at least 5 USD a month and a site of files has no form or query to\n  protect; add one (`web_acl_id`) when the site takes input.\n- **CloudFront's access logs**: the standard logs need a bucket with ACLs turned on; CloudFront's\n  metrics (requests, errors, bytes) are on by default in CloudWatch.\n- **Staging and production share nothing**: each environment has its own bucket and distribution; the\n  `{production}` one is the one on the host.\n"
    ));
    out.push_str(&format!(
        "\n## What it costs\n\n{}",
        estimate.markdown("AWS list prices in us-east-1 on {date}. A site of a few megabytes with modest traffic stays inside CloudFront's free tier; traffic beyond it is billed per GB out.")
    ));
    out
}

/// The shell lines of the plan job on pull requests: the production stack planned, its plan in the
/// job's summary.
pub fn plan_commands(spec: &DeploySpec) -> Vec<String> {
    let production = spec.production();
    let mut c = super::aws::terraform_setup(spec, production);
    c.push(format!(
        r#"jq -n --arg environment {production} '{{environment: $environment}}' > {DIR}/ci.auto.tfvars.json"#
    ));
    c.extend(plan_to_summary(production));
    c
}

/// The shell lines of the deploy to `environment`: each site built first (a failed build changes
/// nothing), the stack applied from the plan the summary shows; then each site uploaded in two passes (hashed assets first, kept; then the
/// rest, revalidated, with what the build no longer has removed), CloudFront's cache cleared
/// and waited for, and the site called.
pub fn apply_commands(spec: &DeploySpec, environment: &str) -> Vec<String> {
    let mut c = super::aws::terraform_setup(spec, environment);
    c.push(format!(
        r#"jq -n --arg environment {environment} '{{environment: $environment}}' > {DIR}/ci.auto.tfvars.json"#
    ));
    c.extend(build_lines(spec));
    c.extend(plan_to_summary(environment));
    c.push("tf apply -input=false -lock-timeout=10m plan.bin".into());
    c.extend(upload_lines(spec));
    c
}

/// The sites' builds, each in its folder with its own commands. They run before anything
/// changes: a build that fails leaves the stack as it was.
pub(super) fn build_lines(spec: &DeploySpec) -> Vec<String> {
    let mut c = Vec::new();
    for svc in sites(spec) {
        let mut build: Vec<String> = Vec::new();
        build.extend(svc.ci_install.clone().or_else(|| svc.install.clone()));
        build.extend(svc.build.clone());
        if !build.is_empty() {
            c.push(format!("(cd {} && {})", svc.path, build.join(" && ")));
        }
    }
    c
}

/// Each site uploaded after the apply: hashed assets first (kept), then the rest (revalidated,
/// what the build dropped removed), a 404 page where it lacks one, the cache cleared and waited
/// for, the site called.
pub(super) fn upload_lines(spec: &DeploySpec) -> Vec<String> {
    let mut c = Vec::new();
    for svc in sites(spec) {
        let r = rid(spec, svc);
        let dir = output_dir(svc);
        c.push(format!(r#"bucket=$(tf output -raw {r}_bucket)"#));
        c.push(format!(r#"distribution=$(tf output -raw {r}_distribution)"#));
        let hashed = hashed_dirs(svc);
        let long = "--cache-control 'public, max-age=31536000, immutable'";
        let fresh = "--cache-control 'public, max-age=0, must-revalidate'";
        if !hashed.is_empty() {
            let includes: Vec<String> = hashed.iter().map(|d| format!("--include '{d}/*'")).collect();
            c.push(format!(
                r#"aws s3 sync {dir} "s3://$bucket" --only-show-errors --exclude '*' {} {long}"#,
                includes.join(" ")
            ));
        }
        let mut filters: Vec<String> = hashed.iter().map(|d| format!("--exclude '{d}/*'")).collect();
        if from_source(svc) {
            filters = vec!["--exclude '*'".into()];
            filters.extend(WEB_FILES.iter().map(|e| format!("--include '*.{e}'")));
            // A folder that starts with a dot (.git, .github) is never the site's, nor are the
            // dependencies and the deployment's own folders.
            filters.push("--exclude '.*' --exclude '*/.*'".into());
            filters.extend(
                ["node_modules", "infra", "ansible", "k8s", "charts", "backup", "pulumi"]
                    .iter()
                    .map(|d| format!("--exclude '{d}/*'")),
            );
        }
        c.push(format!(
            r#"aws s3 sync {dir} "s3://$bucket" --delete --only-show-errors {} {fresh}"#,
            filters.join(" ")
        ));
        if !crate::pipeline::platform::single_page(svc) {
            // CloudFront answers a missing page with 404.html: a site without one gets a plain one.
            c.push(format!(
                r#"[ -f {dir}/404.html ] || printf '<!doctype html>\n<meta charset="utf-8">\n<title>Not found</title>\n<h1>Not found</h1>\n' | aws s3 cp - "s3://$bucket/404.html" --only-show-errors --content-type 'text/html; charset=utf-8' {fresh}"#
            ));
        }
        c.push(
            r#"invalidation=$(aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' --query Invalidation.Id --output text)"#
                .into(),
        );
        c.push(
            r#"aws cloudfront wait invalidation-completed --distribution-id "$distribution" --id "$invalidation""#
                .into(),
        );
        c.push(format!(
            r#"curl --fail --silent --show-error --retry 5 --retry-all-errors --retry-delay 10 --output /dev/null "$(tf output -raw {r}_url)/""#
        ));
    }
    c
}

/// The sites the deploy job builds, for its setup steps: each site in a bucket with a build.
pub fn built(spec: &DeploySpec) -> Vec<&ServiceSpec> {
    sites(spec)
        .into_iter()
        .filter(|s| s.build.is_some() && in_bucket(spec, s))
        .collect()
}

/// True when `svc` is a static site that goes to a bucket (on AWS) or Azure Static Web Apps: the
/// pipeline builds no image for it, and the infrastructure's deploy job builds and uploads its files.
pub fn in_bucket(spec: &DeploySpec, svc: &ServiceSpec) -> bool {
    svc.kind == "static"
        && (spec
            .cloud
            .as_ref()
            .is_some_and(|c| c.provider == "aws" && c.iac == "terraform")
            || super::swa::on_static_web_apps(spec))
}

/// True when every service of the spec is a site in a bucket: the stack is the sites' alone.
pub fn in_buckets(spec: &DeploySpec) -> bool {
    !spec.services.is_empty() && spec.services.iter().all(|s| in_bucket(spec, s))
}

/// True when some service of the spec is a site in a bucket.
pub fn any_in_bucket(spec: &DeploySpec) -> bool {
    spec.services.iter().any(|s| in_bucket(spec, s))
}
