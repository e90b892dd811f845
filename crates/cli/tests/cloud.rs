//! AWS and Google Cloud in Terraform through the `slipway` command, checked by independent
//! tools: every fixture is put on each cloud with Terraform; every `.tf` file written parses with python-hcl2 (the parser
//! checkov reads Terraform with), and checkov's Terraform checks find nothing in what the
//! reflection claims to cover. The seed's FastAPI and PostgreSQL project is then checked field
//! by field against the Dockerfile and the analysis. The figures are printed.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

/// checkov's Terraform checks for what the reflection and the generator claim: no public
/// buckets or databases, no ports open to the internet but the load balancer's, encryption at
/// rest, backups and deletion protection, no wildcard IAM, flow logs, immutable scanned images,
/// locked-down tasks and TLS. On Slipway's output none of them may fail.
const COVERED: &[(&str, &str)] = &[
    ("CKV_AWS_1", "no IAM policy with *:*"),
    ("CKV_AWS_2", "the load balancer speaks HTTPS"),
    ("CKV_AWS_3", "EBS encrypted"),
    ("CKV_AWS_7", "KMS keys rotate"),
    ("CKV_AWS_16", "RDS encrypted"),
    ("CKV_AWS_17", "RDS not public"),
    ("CKV_AWS_19", "S3 encrypted"),
    ("CKV_AWS_20", "S3 not public by ACL"),
    ("CKV_AWS_24", "no SSH from anywhere"),
    ("CKV_AWS_25", "no RDP from anywhere"),
    ("CKV_AWS_29", "ElastiCache encrypted at rest"),
    ("CKV_AWS_34", "CloudFront redirects HTTP to HTTPS"),
    ("CKV_AWS_42", "EFS encrypted"),
    ("CKV_AWS_51", "ECR tags immutable"),
    ("CKV_AWS_53", "S3 blocks public ACLs"),
    ("CKV_AWS_54", "S3 blocks public policies"),
    ("CKV_AWS_55", "S3 ignores public ACLs"),
    ("CKV_AWS_56", "S3 restricts public buckets"),
    ("CKV_AWS_65", "ECS Container Insights"),
    ("CKV_AWS_91", "load balancer access logs"),
    ("CKV_AWS_103", "TLS 1.2 or newer"),
    ("CKV_AWS_118", "RDS enhanced monitoring"),
    ("CKV_AWS_129", "RDS logs exported"),
    ("CKV_AWS_130", "no public IPs on launch"),
    ("CKV_AWS_131", "invalid headers dropped"),
    ("CKV_AWS_133", "RDS backups kept"),
    ("CKV_AWS_136", "ECR encrypted with KMS"),
    ("CKV_AWS_149", "secrets encrypted with KMS"),
    ("CKV_AWS_150", "load balancer deletion protection"),
    ("CKV_AWS_158", "log groups encrypted with KMS"),
    ("CKV_AWS_161", "RDS IAM authentication"),
    ("CKV_AWS_163", "ECR scans on push"),
    ("CKV_AWS_174", "CloudFront TLS 1.2 or newer on the site's host"),
    ("CKV_AWS_211", "RDS current CA"),
    ("CKV_AWS_226", "RDS minor upgrades"),
    ("CKV_AWS_277", "no port range open to the internet"),
    ("CKV_AWS_293", "RDS deletion protection"),
    ("CKV_AWS_305", "CloudFront has a default root object"),
    ("CKV_AWS_328", "desync mitigation"),
    ("CKV_AWS_332", "ECS on the latest platform"),
    ("CKV_AWS_333", "ECS tasks get no public IP"),
    ("CKV_AWS_334", "ECS containers not privileged"),
    ("CKV_AWS_336", "ECS read-only root file system"),
    ("CKV_AWS_353", "RDS Performance Insights"),
    ("CKV_AWS_354", "Performance Insights encrypted"),
    ("CKV2_AWS_11", "VPC flow logs"),
    ("CKV2_AWS_12", "default security group closed"),
    ("CKV2_AWS_32", "CloudFront adds security headers"),
    ("CKV2_AWS_64", "KMS key policies written"),
];

fn run(tool: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()))
}

/// checkov's Google Cloud checks for what the reflection and the generator claim: no public
/// databases, buckets or repositories, databases backed up with point-in-time recovery and
/// their activity logged, private networks with flow logs and a firewall, least-privilege
/// identities, a trust condition that names the repository's subjects, and strong TLS.
const COVERED_GCP: &[(&str, &str)] = &[
    ("CKV_GCP_2", "no SSH from anywhere"),
    ("CKV_GCP_3", "no RDP from anywhere"),
    ("CKV_GCP_4", "no weak ciphers at the load balancer"),
    ("CKV_GCP_11", "Cloud SQL not open to the world"),
    ("CKV_GCP_14", "Cloud SQL backups on"),
    ("CKV_GCP_26", "subnet flow logs"),
    ("CKV_GCP_28", "bucket not public"),
    ("CKV_GCP_29", "uniform bucket access"),
    ("CKV_GCP_41", "no project-wide Service Account User"),
    ("CKV_GCP_42", "no admin roles on service accounts"),
    ("CKV_GCP_46", "the default service account unused"),
    ("CKV_GCP_49", "no project-wide service account impersonation"),
    ("CKV_GCP_50", "MySQL local_infile off"),
    ("CKV_GCP_51", "PostgreSQL logs checkpoints"),
    ("CKV_GCP_52", "PostgreSQL logs connections"),
    ("CKV_GCP_53", "PostgreSQL logs disconnections"),
    ("CKV_GCP_54", "PostgreSQL logs lock waits"),
    ("CKV_GCP_55", "PostgreSQL log level"),
    ("CKV_GCP_56", "PostgreSQL logs temporary files"),
    ("CKV_GCP_57", "PostgreSQL statement durations not logged by default"),
    ("CKV_GCP_60", "Cloud SQL without a public address"),
    ("CKV_GCP_74", "private Google access on the subnet"),
    ("CKV_GCP_78", "state bucket versioned"),
    ("CKV_GCP_79", "Cloud SQL on the latest major version"),
    ("CKV_GCP_95", "Redis AUTH"),
    ("CKV_GCP_97", "Redis in-transit encryption"),
    ("CKV_GCP_101", "image repository not public"),
    ("CKV_GCP_108", "PostgreSQL logs hostnames"),
    ("CKV_GCP_109", "PostgreSQL logs at error"),
    ("CKV_GCP_110", "pgaudit on"),
    ("CKV_GCP_111", "PostgreSQL logs statements"),
    ("CKV_GCP_114", "bucket public access prevented"),
    ("CKV_GCP_118", "the workload identity provider restricted"),
    ("CKV_GCP_125", "the OIDC trust names the repository's subjects"),
    ("CKV2_GCP_7", "MySQL admin not open"),
    ("CKV2_GCP_12", "no firewall open on every port"),
    ("CKV2_GCP_18", "the network has a firewall"),
    ("CKV2_GCP_20", "MySQL point-in-time recovery"),
    ("CKV2_GCP_38", "no plain-HTTP proxy but the redirect"),
];

#[test]
fn terraform_parses_and_passes_checkov_on_every_fixture() {
    on_every_fixture("aws", "put this on AWS with Terraform on {host}", COVERED, 30);
}

/// checkov's CloudFormation checks for what the templates claim, as for Terraform: encryption at
/// rest and in transit, no public databases or buckets, no wildcard or escalating IAM, immutable
/// scanned images, described rules, enhanced monitoring and TLS. Each of them ran on the fixtures'
/// templates (checkov 3.3.30 has fewer CloudFormation checks than Terraform ones: backups and
/// deletion protection are asserted by the acceptance test instead).
const COVERED_CFN: &[(&str, &str)] = &[
    ("CKV_AWS_2", "the load balancer speaks HTTPS"),
    ("CKV_AWS_7", "KMS keys rotate"),
    ("CKV_AWS_16", "RDS encrypted"),
    ("CKV_AWS_17", "RDS not public"),
    ("CKV_AWS_19", "S3 encrypted"),
    ("CKV_AWS_20", "S3 not readable by everyone"),
    ("CKV_AWS_21", "S3 versioned"),
    ("CKV_AWS_23", "every security group rule described"),
    ("CKV_AWS_24", "no SSH from anywhere"),
    ("CKV_AWS_25", "no RDP from anywhere"),
    ("CKV_AWS_29", "ElastiCache encrypted at rest"),
    ("CKV_AWS_30", "ElastiCache encrypted in transit"),
    ("CKV_AWS_32", "ECR has no public policy"),
    ("CKV_AWS_33", "KMS key policy not open to everyone"),
    ("CKV_AWS_42", "EFS encrypted"),
    ("CKV_AWS_51", "ECR tags immutable"),
    ("CKV_AWS_53", "S3 blocks public ACLs"),
    ("CKV_AWS_54", "S3 blocks public policies"),
    ("CKV_AWS_55", "S3 ignores public ACLs"),
    ("CKV_AWS_56", "S3 restricts public buckets"),
    ("CKV_AWS_57", "S3 not writable by everyone"),
    ("CKV_AWS_60", "no IAM role assumable by everyone"),
    ("CKV_AWS_61", "no IAM role assumable by any account"),
    ("CKV_AWS_62", "no IAM policy with full administrative rights"),
    ("CKV_AWS_63", "no IAM policy with *"),
    ("CKV_AWS_65", "ECS Container Insights"),
    ("CKV_AWS_66", "log groups keep their logs a set time"),
    ("CKV_AWS_91", "load balancer access logs"),
    ("CKV_AWS_97", "EFS in transit encrypted for tasks"),
    ("CKV_AWS_103", "TLS 1.2 or newer"),
    ("CKV_AWS_107", "no IAM policy exposing credentials"),
    ("CKV_AWS_108", "no IAM policy exfiltrating data"),
    ("CKV_AWS_109", "no IAM permissions management without constraints"),
    ("CKV_AWS_110", "no IAM privilege escalation"),
    ("CKV_AWS_111", "no IAM writes without constraints"),
    ("CKV_AWS_118", "RDS enhanced monitoring"),
    ("CKV_AWS_131", "invalid headers dropped"),
    ("CKV_AWS_136", "ECR encrypted with KMS"),
    ("CKV_AWS_149", "secrets encrypted with KMS"),
    ("CKV_AWS_158", "log groups encrypted with KMS"),
    ("CKV_AWS_161", "RDS IAM authentication"),
    ("CKV_AWS_163", "ECR scans on push"),
    ("CKV2_AWS_69", "RDS encrypted in transit"),
    ("CKV2_AWS_71", "no wildcard certificate"),
];

#[test]
fn cloudformation_passes_cfn_lint_and_checkov_on_every_fixture() {
    on_every_fixture("aws", "put this on AWS with CloudFormation on {host}", COVERED_CFN, 30);
}

#[test]
fn google_cloud_terraform_parses_and_passes_checkov_on_every_fixture() {
    on_every_fixture(
        "gcp",
        "deploy this to Cloud Run with Terraform on {host}",
        COVERED_GCP,
        20,
    );
}

/// Every fixture put on `cloud` by `task`: the reflection has nothing to say of its own files;
/// python-hcl2 reads every file; actionlint and zizmor pass the pipeline that plans and
/// applies it; checkov fails none of the `covered` checks; and the figures are printed.
fn on_every_fixture(cloud: &str, task: &str, covered: &[(&str, &str)], resources_per_project: u64) {
    let all = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut projects = 0;
    let mut tf_files = Vec::new();
    let mut templates: Vec<String> = Vec::new();
    let mut js_files: Vec<String> = Vec::new();
    let mut workflows: Vec<String> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    for name in &names {
        let p = Project::repo(name);
        let host = format!("{}.example.com", name.replace('_', "-"));
        let out = slipway(&[
            "run",
            p.path(),
            "--task",
            &task.replace("{host}", &host),
            "--apply",
            "--json",
        ]);
        if !out.status.success() {
            let why = stderr(&out);
            if why.contains("found no service")
                || why.contains("cannot containerize")
                || why.contains("Slipway cannot")
                || why.contains("in Terraform only")
            {
                continue;
            }
            failures.push(format!("{name}: the run failed: {why}"));
            continue;
        }
        projects += 1;
        let report = json(&out);
        for f in report["findings"].as_array().unwrap() {
            let path = f["path"].as_str().unwrap_or("");
            if path.starts_with("infra/") && f["severity"] != "info" && f["rule"] != "cloud/not-placed" {
                failures.push(format!("{name}: the reflection says of its own {path}: {f}"));
            }
        }
        if let Some(total) = report["cloud"]["cost"]["lines"]
            .as_array()
            .map(|l| l.iter().filter_map(|x| x["monthly"].as_f64()).sum::<f64>())
        {
            totals.push(total);
        } else {
            failures.push(format!("{name}: no cost estimate in the report"));
        }
        for c in report["changes"].as_array().unwrap() {
            let w = c["path"].as_str().unwrap();
            if w.starts_with(".github/workflows/") {
                let to = all.path().join(name).join(w);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(p.work.join(w), &to).unwrap();
                workflows.push(format!("{name}/{w}"));
                let text = p.read(w);
                if w.ends_with("ci-cd.yml")
                    && !(text.contains(&format!("  plan-{cloud}:")) && text.contains(&format!("  deploy-{cloud}:")))
                {
                    failures.push(format!("{name}: the pipeline neither plans nor applies infra/{cloud}"));
                }
                continue;
            }
            if !w.starts_with("infra/") {
                continue;
            }
            let to = all.path().join(name).join(w);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(p.work.join(w), &to).unwrap();
            if w.ends_with(".tf") {
                tf_files.push(format!("{name}/{w}"));
            }
            if w.ends_with(".yaml") {
                templates.push(format!("{name}/{w}"));
            }
            if w.ends_with(".js") {
                js_files.push(format!("{name}/{w}"));
            }
        }
    }
    assert!(projects >= 70, "only {projects} fixtures were put on {cloud}");

    // The edge functions (CloudFront's, for sites of many pages) parse as JavaScript.
    for f in &js_files {
        let out = run(Path::new("node"), &["--check", f], all.path());
        if !out.status.success() {
            failures.push(format!("node --check {f}: {}", stderr(&out)));
        }
    }
    if !js_files.is_empty() {
        eprintln!("node --check: {} edge functions parse", js_files.len());
    }

    let framework = if templates.is_empty() {
        "terraform"
    } else {
        "cloudformation"
    };
    if framework == "cloudformation" {
        // cfn-lint, with the resource specifications it bundles: no error on any template (a
        // warning is printed, not judged: the templates silence none but the engine versions).
        let mut a = vec!["-f", "json"];
        a.extend(templates.iter().map(String::as_str));
        let out = run(&tool("cfn-lint"), &a, all.path());
        let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let mut levels: BTreeMap<String, usize> = BTreeMap::new();
        for m in found.as_array().into_iter().flatten() {
            let level = m["Level"].as_str().unwrap_or("?").to_string();
            if level == "Error" {
                failures.push(format!(
                    "cfn-lint {} {}:{}: {}",
                    m["Rule"]["Id"], m["Filename"], m["Location"]["Start"]["LineNumber"], m["Message"]
                ));
            }
            *levels
                .entry(format!("{level} {}", m["Rule"]["Id"].as_str().unwrap_or("?")))
                .or_default() += 1;
        }
        if found.is_null() {
            failures.push(format!(
                "cfn-lint did not answer in JSON: {}{}",
                stdout(&out),
                stderr(&out)
            ));
        }
        let largest = templates
            .iter()
            .map(|t| std::fs::metadata(all.path().join(t)).map(|m| m.len()).unwrap_or(0))
            .max()
            .unwrap_or(0);
        eprintln!(
            "cfn-lint: {} templates of {projects} projects, {levels:?}; the largest {largest} bytes (CloudFormation takes 51,200 inline)",
            templates.len()
        );
    }

    // The pipelines that plan and apply it: actionlint (with shellcheck on every script) and
    // zizmor, offline, find nothing.
    let wf: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let out = run(&tool("actionlint"), &wf, all.path());
    eprintln!("actionlint: {} workflows, exit {:?}", wf.len(), out.status.code());
    if !out.status.success() || !out.stdout.is_empty() {
        failures.push(format!("actionlint reports:\n{}", stdout(&out)));
    }
    let mut z = vec!["--offline", "--no-progress", "--format", "json-v1"];
    z.extend(wf.iter().copied());
    let out = run(&tool("zizmor"), &z, all.path());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    eprintln!("zizmor: {} workflows, findings {found}", wf.len());
    if found != Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }

    // python-hcl2 and checkov, every project's stacks.
    let mut files = tf_files.clone();
    files.extend(templates.iter().cloned());
    eprintln!("{} files of {projects} projects ({cloud})", files.len());
    failures.extend(hcl2_and_checkov(
        all.path(),
        &tf_files,
        framework,
        covered,
        cloud,
        projects as u64 * resources_per_project,
    ));
    totals.sort_by(|a, b| a.total_cmp(b));
    eprintln!(
        "cost estimates ({cloud}): {} projects, from {:.2} to {:.2} USD a month (median {:.2})",
        totals.len(),
        totals.first().copied().unwrap_or(0.0),
        totals.last().copied().unwrap_or(0.0),
        totals.get(totals.len() / 2).copied().unwrap_or(0.0)
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// python-hcl2 (the parser checkov reads Terraform with) on every file of `tf_files`, then
/// checkov's `framework` checks on `dir`: what fails a `covered` check (or checks too few
/// resources) is returned; the figures are printed under `label`.
fn hcl2_and_checkov(
    dir: &Path,
    tf_files: &[String],
    framework: &str,
    covered: &[(&str, &str)],
    label: &str,
    least_resources: u64,
) -> Vec<String> {
    let mut failures = Vec::new();
    if framework == "terraform" {
        let script = "import sys, hcl2\nbad = 0\nfor f in sys.argv[1:]:\n    try:\n        hcl2.load(open(f))\n    except Exception as e:\n        bad += 1\n        print(f, e)\nprint(len(sys.argv) - 1, 'files', bad, 'errors')\nsys.exit(1 if bad else 0)\n";
        let mut a = vec!["-c", script];
        a.extend(tf_files.iter().map(String::as_str));
        let out = run(&tool("python"), &a, dir);
        eprintln!("python-hcl2 ({label}): {}", stdout(&out).lines().last().unwrap_or(""));
        if !out.status.success() {
            failures.push(format!("python-hcl2: {}{}", stdout(&out), stderr(&out)));
        }
    }
    let out = run(
        &tool("checkov"),
        &[
            "-d",
            ".",
            "--framework",
            framework,
            "--skip-download",
            "--compact",
            "--quiet",
            "-o",
            "json",
        ],
        dir,
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let reports = match report {
        Value::Array(a) => a,
        Value::Object(_) => vec![report],
        _ => vec![],
    };
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    let (mut passed, mut resources) = (0, 0);
    for r in &reports {
        passed += r["summary"]["passed"].as_u64().unwrap_or(0);
        resources += r["summary"]["resource_count"].as_u64().unwrap_or(0);
        for f in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            let id = f["check_id"].as_str().unwrap_or("").to_string();
            if covered.iter().any(|(c, _)| *c == id) {
                failures.push(format!(
                    "checkov {id} ({}) fails {} {}",
                    f["check_name"], f["file_path"], f["resource"]
                ));
            }
            *failed.entry(id).or_default() += 1;
        }
    }
    let total: usize = failed.values().sum();
    eprintln!(
        "checkov {framework} ({label}): {resources} resources; {passed} checks passed, {total} findings ({:.2} per resource), none of the {} covered: {failed:?}",
        total as f64 / resources.max(1) as f64,
        covered.len()
    );
    if passed == 0 || resources < least_resources {
        failures.push(format!(
            "checkov checked {resources} resources ({label}), fewer than {least_resources}"
        ));
    }
    failures
}

/// The acceptance case: a FastAPI service with PostgreSQL to ECS Fargate with RDS in
/// Terraform, shipped by the pipeline. The port, the health paths, the image and the secret
/// names agree across the Dockerfile, the Terraform and the workflow; backups keep the asked
/// days with deletion protection; the pipeline signs in through OIDC with the roles the
/// bootstrap stack creates, each trusting the subject its job presents; no access key anywhere.
#[test]
fn a_fastapi_postgres_service_agrees_across_dockerfile_terraform_and_pipeline() {
    let p = Project::repo("python-fastapi-k8s");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/shop.git"],
    );
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "set up CI/CD to AWS with Terraform on api.example.com, keep 21 days of backups",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let svc = &report["spec"]["services"][0];
    let port = svc["port"].as_u64().unwrap();
    let health = svc["healthPath"].as_str().unwrap();
    let ready = svc["readinessPath"].as_str().unwrap();
    let secrets: Vec<&str> = svc["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["secret"] == true)
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        (port, health, ready),
        (8000, "/health", "/ready"),
        "what the analysis found"
    );
    assert!(secrets.contains(&"DATABASE_URL"), "{secrets:?}");

    let dockerfile = p.read("Dockerfile");
    let services = p.read("infra/aws/services.tf");
    let lb = p.read("infra/aws/load-balancer.tf");
    let db = p.read("infra/aws/databases.tf");
    let vars = p.read("infra/aws/variables.tf");
    let boot = p.read("infra/aws/bootstrap/main.tf");
    let wf = p.read(".github/workflows/ci-cd.yml");
    let runbook = p.read("docs/aws.md");

    // The port: the image exposes it, the task maps it, the load balancer sends to it.
    assert!(dockerfile.contains(&format!("EXPOSE {port}")));
    assert!(services.contains(&format!("containerPort = {port}")), "{services}");
    assert!(
        lb.contains(&format!("port                 = {port}")),
        "the target group: {lb}"
    );
    // The health paths: the image's check calls the liveness path; the load balancer waits on
    // readiness, which may call the database, so a slow dependency drains a task, not restarts it.
    assert!(dockerfile.contains(&format!("'{health}'")) || dockerfile.contains(health));
    assert!(lb.contains(&format!("path                = \"{ready}\"")), "{lb}");
    // The image: what the image job pushes, to the repository the bootstrap creates, reaches
    // the task through var.images by digest.
    assert!(
        boot.contains("name                 = \"shop\""),
        "the repository is named like the GitHub one"
    );
    assert!(wf.contains("amazonaws.com/${{ github.event.repository.name }}"), "{wf}");
    assert!(wf
        .contains("IMAGE_CATALOG: ${{ needs.image-catalog.outputs.image }}@${{ needs.image-catalog.outputs.digest }}"));
    assert!(wf.contains("--arg catalog \"$IMAGE_CATALOG\""));
    assert!(services.contains("image                  = var.images[\"catalog\"]"));
    assert!(vars.contains("@sha256:[a-f0-9]{64}$"), "only digests are taken");
    // The secrets, by name: the task reads each from the entry Terraform makes, and the runbook
    // says how to fill that entry.
    for s in &secrets {
        assert!(services.contains(&format!("name      = \"{s}\"")), "{s} in the task");
        assert!(services.contains(&format!("/catalog/{s}\"")), "{s}'s entry");
        assert!(
            runbook.contains(&format!("/catalog/{s} --secret-string")),
            "{s} in the runbook"
        );
    }
    // Backups: the asked days, point-in-time recovery with them, kept when the instance goes.
    assert!(vars.contains("default     = 21"), "{vars}");
    assert!(db.contains("backup_retention_period             = var.backup_days"));
    assert!(db.contains("delete_automated_backups            = false"));
    assert!(db.contains("deletion_protection                 = true"));
    // OIDC: each job assumes its role; each role trusts exactly the subject that job presents.
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    assert!(wf.contains("id-token: write"));
    assert!(
        boot.contains("default     = \"acme/shop\""),
        "the repository the roles trust"
    );
    for (job, role, subject) in [
        (
            "plan-aws",
            "AWS_PLAN_ROLE_ARN",
            "repo:${var.github_repository}:pull_request",
        ),
        (
            "image-catalog",
            "AWS_ROLE_ARN",
            "repo:${var.github_repository}:ref:refs/heads/main",
        ),
        (
            "deploy-aws",
            "AWS_DEPLOY_ROLE_ARN",
            "repo:${var.github_repository}:environment:production",
        ),
    ] {
        let body = &doc["jobs"][job];
        let assumed: Vec<&str> = body["steps"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{job} in the workflow"))
            .iter()
            .filter_map(|s| s["with"]["role-to-assume"].as_str())
            .collect();
        assert_eq!(assumed, [format!("${{{{ vars.{role} }}}}")], "{job}");
        assert!(
            boot.contains(&format!("values   = [\"{subject}\"]")),
            "{job}'s subject {subject}"
        );
        if job == "deploy-aws" {
            assert_eq!(body["environment"]["name"].as_str(), Some("production"));
        }
    }
    let requirements = report["requirements"].as_array().unwrap();
    for subject in [
        "repo:acme/shop:pull_request",
        "repo:acme/shop:ref:refs/heads/main",
        "repo:acme/shop:environment:production",
    ] {
        assert!(
            requirements
                .iter()
                .any(|r| r["why"].as_str().unwrap().contains(subject)),
            "the app shows the subject {subject}"
        );
    }
    for (path, text) in [("workflow", &wf), ("bootstrap", &boot), ("services", &services)] {
        for key in [
            "aws-access-key-id",
            "AWS_SECRET_ACCESS_KEY",
            "aws_access_key_id",
            "AKIA",
        ] {
            assert!(!text.contains(key), "{path} holds no access key ({key})");
        }
    }
}

/// The acceptance case on Google Cloud: the FastAPI service with PostgreSQL to Cloud Run with
/// Cloud SQL in Terraform, shipped by the pipeline. The port, the probes, the image and the
/// secret names agree across the Dockerfile, the Terraform and the workflow; backups keep the
/// asked count with point-in-time recovery and deletion protection; each job signs in through
/// workload identity as the service account that admits exactly its subject; no key anywhere.
/// The acceptance case in CloudFormation: the same FastAPI service with PostgreSQL to ECS
/// Fargate with RDS. The templates are read as YAML: the port, the health paths, the image
/// parameter and the secret names agree with the Dockerfile and the workflow; the database keeps
/// the asked days of backups, takes a snapshot before it goes and has deletion protection; each
/// pipeline job assumes the role that trusts exactly its subject, and the deploy hands
/// CloudFormation its own role; no access key anywhere.
#[test]
fn a_fastapi_postgres_service_agrees_across_dockerfile_cloudformation_and_pipeline() {
    let p = Project::repo("python-fastapi-k8s");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/shop.git"],
    );
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "set up CI/CD to AWS with CloudFormation on api.example.com, keep 21 days of backups",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert!(
        !p.work.join("infra/aws/main.tf").exists() && !p.work.join("infra/aws/services.tf").exists(),
        "CloudFormation, not Terraform"
    );
    let dockerfile = p.read("Dockerfile");
    let wf = p.read(".github/workflows/ci-cd.yml");
    let runbook = p.read("docs/aws.md");
    let stack_text = p.read("infra/aws/stack.yaml");
    let boot_text = p.read("infra/aws/bootstrap.yaml");
    let stack: serde_yaml_ng::Value = serde_yaml_ng::from_str(&stack_text).unwrap();
    let boot: serde_yaml_ng::Value = serde_yaml_ng::from_str(&boot_text).unwrap();
    let r = &stack["Resources"];

    // The port: the image exposes it, the task maps it, the target group sends to it, and the
    // tasks' group lets the load balancer reach it and nothing else.
    assert!(dockerfile.contains("EXPOSE 8000"));
    let container = &r["CatalogTaskDefinition"]["Properties"]["ContainerDefinitions"][0];
    assert_eq!(container["PortMappings"][0]["ContainerPort"].as_u64(), Some(8000));
    let tg = &r["CatalogTargetGroup"]["Properties"];
    assert_eq!(tg["Port"].as_u64(), Some(8000));
    assert_eq!(r["CatalogFromAlb"]["Properties"]["FromPort"].as_u64(), Some(8000));
    assert_eq!(
        r["CatalogFromAlb"]["Properties"]["SourceSecurityGroupId"]["Ref"].as_str(),
        Some("AlbSecurityGroup")
    );
    // The health paths: the image checks liveness; the load balancer waits on readiness.
    assert!(dockerfile.contains("/health"));
    assert_eq!(tg["HealthCheckPath"].as_str(), Some("/ready"));
    // The image: the pipeline's digest reaches the task through its parameter, which takes
    // digests only; the repository is named like the GitHub one.
    assert_eq!(container["Image"]["Ref"].as_str(), Some("ImageCatalog"));
    assert_eq!(
        stack["Parameters"]["ImageCatalog"]["AllowedPattern"].as_str(),
        Some("^.+@sha256:[a-f0-9]{64}$")
    );
    assert_eq!(
        boot["Resources"]["CatalogRepository"]["Properties"]["RepositoryName"].as_str(),
        Some("shop")
    );
    assert!(wf
        .contains("IMAGE_CATALOG: ${{ needs.image-catalog.outputs.image }}@${{ needs.image-catalog.outputs.digest }}"));
    assert!(
        wf.contains(r#"[ "$IMAGE_CATALOG" = "@" ] || overrides+=("ImageCatalog=$IMAGE_CATALOG")"#),
        "{wf}"
    );
    assert!(wf.contains("--template-file infra/aws/stack.yaml"));
    // The secrets, by name: the task reads each from its entry, the execution role may read
    // exactly those, and the runbook says how to fill each.
    let secrets: Vec<&str> = report["spec"]["services"][0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["secret"] == true)
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(secrets.contains(&"DATABASE_URL"), "{secrets:?}");
    let read: Vec<&str> = container["Secrets"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| s["Name"].as_str().unwrap())
        .collect();
    assert_eq!(read, secrets);
    for s in &secrets {
        let id = container["Secrets"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|x| x["Name"].as_str() == Some(s))
            .unwrap()["ValueFrom"]["Ref"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            r[id.as_str()]["Properties"]["Name"]["Fn::Sub"].as_str(),
            Some(format!("${{Project}}-${{Environment}}/catalog/{s}").as_str())
        );
        assert_eq!(r[id.as_str()]["DeletionPolicy"].as_str(), Some("Retain"));
        assert!(
            runbook.contains(&format!("/catalog/{s} --secret-string")),
            "{s} in the runbook"
        );
    }
    // Backups: the asked days, point-in-time recovery with them, a snapshot before the instance
    // goes or is replaced, deletion protection, private and encrypted.
    assert_eq!(stack["Parameters"]["BackupDays"]["Default"].as_u64(), Some(21));
    let db = &r["Postgres"];
    assert_eq!(db["DeletionPolicy"].as_str(), Some("Snapshot"));
    assert_eq!(db["UpdateReplacePolicy"].as_str(), Some("Snapshot"));
    let db = &db["Properties"];
    assert_eq!(db["BackupRetentionPeriod"]["Ref"].as_str(), Some("BackupDays"));
    for (key, want) in [
        ("DeletionProtection", true),
        ("DeleteAutomatedBackups", false),
        ("StorageEncrypted", true),
        ("PubliclyAccessible", false),
        ("ManageMasterUserPassword", true),
    ] {
        assert_eq!(db[key].as_bool(), Some(want), "{key}");
    }
    // OIDC: each job assumes its role; each role trusts exactly the subject that job presents.
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    assert!(wf.contains("id-token: write"));
    assert_eq!(
        boot["Parameters"]["GitHubRepository"]["Default"].as_str(),
        Some("acme/shop")
    );
    for (job, var, role, subject) in [
        (
            "plan-aws",
            "AWS_PLAN_ROLE_ARN",
            "PlanRole",
            "repo:${GitHubRepository}:pull_request",
        ),
        (
            "image-catalog",
            "AWS_ROLE_ARN",
            "PushRole",
            "repo:${GitHubRepository}:ref:refs/heads/main",
        ),
        (
            "deploy-aws",
            "AWS_DEPLOY_ROLE_ARN",
            "DeployRole",
            "repo:${GitHubRepository}:environment:production",
        ),
    ] {
        let body = &doc["jobs"][job];
        let assumed: Vec<&str> = body["steps"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{job} in the workflow"))
            .iter()
            .filter_map(|s| s["with"]["role-to-assume"].as_str())
            .collect();
        assert_eq!(assumed, [format!("${{{{ vars.{var} }}}}")], "{job}");
        let trusted = &boot["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
            ["StringEquals"]["token.actions.githubusercontent.com:sub"];
        assert_eq!(trusted[0]["Fn::Sub"].as_str(), Some(subject), "{job}");
        assert_eq!(trusted.as_sequence().map(Vec::len), Some(1), "{job} trusts one subject");
    }
    let deploy = &doc["jobs"]["deploy-aws"];
    assert_eq!(deploy["environment"]["name"].as_str(), Some("production"));
    let script: String = deploy["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        script.contains(r#"--role-arn "$AWS_CLOUDFORMATION_ROLE_ARN""#),
        "{script}"
    );
    assert_eq!(
        boot["Resources"]["CloudFormationRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
            ["Service"]
            .as_str(),
        Some("cloudformation.amazonaws.com")
    );
    // The deploy role may pass that role to CloudFormation only, and hold no power beyond
    // reading and running change sets of the project's stacks.
    let deploy_role = &boot["Resources"]["DeployRole"]["Properties"];
    let statements = deploy_role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    let pass = statements
        .iter()
        .find(|s| s["Sid"].as_str() == Some("PassTheStackRole"))
        .unwrap();
    assert_eq!(
        pass["Condition"]["StringEquals"]["iam:PassedToService"].as_str(),
        Some("cloudformation.amazonaws.com")
    );
    assert!(!boot_text.contains("AdministratorAccess"));
    let requirements = report["requirements"].as_array().unwrap();
    for subject in [
        "repo:acme/shop:pull_request",
        "repo:acme/shop:ref:refs/heads/main",
        "repo:acme/shop:environment:production",
    ] {
        assert!(
            requirements
                .iter()
                .any(|r| r["why"].as_str().unwrap().contains(subject)),
            "the app shows the subject {subject}"
        );
    }
    assert!(requirements.iter().any(|r| r["name"] == "AWS_CLOUDFORMATION_ROLE_ARN"));
    for (path, text) in [("workflow", &wf), ("bootstrap", &boot_text), ("stack", &stack_text)] {
        for key in [
            "aws-access-key-id",
            "AWS_SECRET_ACCESS_KEY",
            "aws_access_key_id",
            "AKIA",
        ] {
            assert!(!text.contains(key), "{path} holds no access key ({key})");
        }
    }
    for (id, res) in r.as_mapping().unwrap() {
        assert!(
            res["Properties"]["SecretString"].is_null() && res["Properties"]["MasterUserPassword"].is_null(),
            "{id:?} holds no secret value"
        );
    }
}

#[test]
fn a_fastapi_postgres_service_agrees_across_dockerfile_cloud_run_terraform_and_pipeline() {
    let p = Project::repo("python-fastapi-k8s");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/shop.git"],
    );
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "set up CI/CD to Cloud Run with Terraform in europe-west1 on api.example.com, keep 21 days of backups",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let svc = &report["spec"]["services"][0];
    let port = svc["port"].as_u64().unwrap();
    let health = svc["healthPath"].as_str().unwrap();
    let ready = svc["readinessPath"].as_str().unwrap();
    let secrets: Vec<&str> = svc["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["secret"] == true)
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(secrets.contains(&"DATABASE_URL"), "{secrets:?}");

    let dockerfile = p.read("Dockerfile");
    let services = p.read("infra/gcp/services.tf");
    let db = p.read("infra/gcp/database.tf");
    let vars = p.read("infra/gcp/variables.tf");
    let boot = p.read("infra/gcp/bootstrap/main.tf");
    let wf = p.read(".github/workflows/ci-cd.yml");
    let runbook = p.read("docs/gcp.md");

    // The port: the image exposes it and Cloud Run sends requests to it.
    assert!(dockerfile.contains(&format!("EXPOSE {port}")));
    assert!(services.contains(&format!("container_port = {port}")), "{services}");
    // The probes: a new revision takes requests once readiness answers; liveness stays shallow.
    let startup = services
        .split("startup_probe {")
        .nth(1)
        .unwrap()
        .split("liveness_probe")
        .next()
        .unwrap();
    assert!(startup.contains(&format!("path = \"{ready}\"")), "{startup}");
    let liveness = services
        .split("liveness_probe {")
        .nth(1)
        .unwrap()
        .split("env {")
        .next()
        .unwrap();
    assert!(liveness.contains(&format!("path = \"{health}\"")), "{liveness}");
    assert!(dockerfile.contains(health));
    // The image: pushed to the bootstrap's repository, passed by digest into var.images.
    assert!(boot.contains("resource \"google_artifact_registry_repository\" \"images\""));
    assert!(boot.contains("immutable_tags = true"));
    assert!(
        wf.contains("${{ vars.GAR_LOCATION }}-docker.pkg.dev/${{ vars.GCP_PROJECT }}/${{ vars.GAR_REPOSITORY }}/${{ github.event.repository.name }}"),
        "{wf}"
    );
    assert!(wf
        .contains("IMAGE_CATALOG: ${{ needs.image-catalog.outputs.image }}@${{ needs.image-catalog.outputs.digest }}"));
    assert!(wf.contains("--arg catalog \"$IMAGE_CATALOG\""));
    assert!(services.contains("image = var.images[\"catalog\"]"), "{services}");
    assert!(vars.contains("@sha256:[a-f0-9]{64}$"), "only digests are taken");
    // The secrets, by name: each read from the Secret Manager secret Terraform makes, and the
    // runbook says how to add its value.
    for s in &secrets {
        assert!(services.contains(&format!("name = \"{s}\"")), "{s} in the service");
        assert!(services.contains(&format!("-catalog-{s}\"")), "{s}'s secret");
        assert!(
            runbook.contains(&format!("gcloud secrets versions add shop-production-catalog-{s}"))
                || runbook.contains(&format!("-production-catalog-{s} --data-file=-")),
            "{s} in the runbook"
        );
    }
    // Backups: the asked count, point-in-time recovery, kept when the instance goes, protected.
    assert!(vars.contains("default     = 21"), "{vars}");
    for want in [
        "retained_backups = var.backup_days",
        "point_in_time_recovery_enabled = true",
        "retain_backups_on_delete    = true",
        "deletion_protection_enabled = true",
        "deletion_protection = true",
        "ipv4_enabled    = false",
    ] {
        assert!(db.contains(want), "the database: {want}");
    }
    // OIDC: each job signs in as its service account; each admits exactly that job's subject.
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    for (job, account, subject) in [
        ("plan-gcp", "GCP_PLAN_SERVICE_ACCOUNT", "repo:acme/shop:pull_request"),
        (
            "image-catalog",
            "GCP_PUSH_SERVICE_ACCOUNT",
            "repo:acme/shop:ref:refs/heads/main",
        ),
        (
            "deploy-gcp",
            "GCP_DEPLOY_SERVICE_ACCOUNT",
            "repo:acme/shop:environment:production",
        ),
    ] {
        let body = &doc["jobs"][job];
        let used: Vec<&str> = body["steps"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{job} in the workflow"))
            .iter()
            .filter_map(|s| s["with"]["service_account"].as_str())
            .collect();
        assert_eq!(used, [format!("${{{{ vars.{account} }}}}")], "{job}");
        assert_eq!(body["permissions"]["id-token"].as_str(), Some("write"), "{job}");
        assert!(
            boot.contains(&format!("/subject/{subject}\"")),
            "{job}'s subject {subject} is admitted"
        );
        assert!(
            report["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == account && r["why"].as_str().unwrap().contains(subject)),
            "the app shows {account} with {subject}"
        );
    }
    assert_eq!(
        doc["jobs"]["deploy-gcp"]["environment"]["name"].as_str(),
        Some("production")
    );
    for (path, text) in [("workflow", &wf), ("bootstrap", &boot), ("services", &services)] {
        for key in [
            "credentials_json",
            "google_service_account_key",
            "private_key",
            "GOOGLE_CREDENTIALS",
        ] {
            assert!(!text.contains(key), "{path} holds no key ({key})");
        }
    }
    // The plan the person sees: a cost, a picture from the address to the database.
    let kinds: Vec<&str> = report["cloud"]["picture"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "DNS",
            "Load balancer",
            "Cloud Run service",
            "PostgreSQL (Cloud SQL)",
            "Redis (Memorystore)"
        ]
    );
}

/// A person's own Terraform is improved in place, beside the new stack: the state lock, the
/// provider pins and the database's backups are added under comments, every line of
/// theirs stays, python-hcl2 reads the result, the reflection no longer reports what was
/// added, and a second run leaves the file alone.
#[test]
fn the_persons_own_terraform_gets_what_it_lacks_in_place() {
    let p = Project::plain("python-fastapi-k8s");
    let theirs = "# Ask #infra before changing.\nterraform {\n  backend \"s3\" {\n    bucket = \"acme-state\"\n    key    = \"shop.tfstate\"\n    region = \"eu-west-1\"\n  }\n\n  required_providers {\n    aws = {\n      source = \"hashicorp/aws\"\n    }\n  }\n}\n\nresource \"aws_db_instance\" \"main\" {\n  identifier        = \"shop\"\n  engine            = \"postgres\"\n  instance_class    = \"db.t4g.micro\" # small on purpose\n  storage_encrypted = true\n}\n";
    std::fs::create_dir_all(p.work.join("terraform")).unwrap();
    std::fs::write(p.work.join("terraform/main.tf"), theirs).unwrap();
    git(&p.work, &["init", "-q", "-b", "main"]);
    let task = ["run", p.path(), "--task", "put this on AWS with Terraform", "--json"];
    let mut args = task.to_vec();
    args.push("--apply");
    let out = slipway(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let after = p.read("terraform/main.tf");
    for line in theirs.lines() {
        assert!(after.contains(line), "{line:?} is kept:\n{after}");
    }
    for want in [
        "use_lockfile = true",
        "version = \"~> 6.0\"",
        "backup_retention_period = 7",
        "deletion_protection = true",
        "delete_automated_backups = false",
        "# Slipway: ",
    ] {
        assert!(after.contains(want), "{want} added:\n{after}");
    }
    let parsed = Command::new(tool("python"))
        .args([
            "-c",
            "import sys, hcl2; hcl2.load(open(sys.argv[1]))",
            "terraform/main.tf",
        ])
        .current_dir(&p.work)
        .output()
        .unwrap();
    assert!(
        parsed.status.success(),
        "python-hcl2: {}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let said: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "terraform/main.tf")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(said.is_empty(), "the reflection finds nothing left in it: {said:?}");
    // Again: nothing more to add, so the file is not proposed.
    let out = slipway(&task);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = json(&out);
    assert!(
        !again["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "terraform/main.tf"),
        "a second run leaves it alone"
    );
}

/// Every fixture to Cloud Run as a Pulumi program in TypeScript: both programs (the bootstrap
/// and the environment) of every project type-check with `tsc --noEmit` against the real
/// @pulumi/pulumi and @pulumi/gcp packages from npm, at the versions the programs pin, under
/// their own strict tsconfig; no Terraform is left beside them; the pipeline that previews and
/// applies them passes actionlint and zizmor.
#[test]
fn google_cloud_pulumi_typescript_type_checks_on_every_fixture() {
    let all = tempfile::tempdir().unwrap();
    let modules = repo_root().join(".tools/pulumi/node_modules");
    assert!(
        modules.join("@pulumi/gcp").exists(),
        "Pulumi's packages are not installed: run scripts/test, which installs them into .tools/pulumi"
    );
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut programs = Vec::new();
    let mut workflows = Vec::new();
    let mut tsconfig: Option<Value> = None;
    for name in &names {
        let p = Project::repo(name);
        let host = format!("{}.example.com", name.replace('_', "-"));
        let out = slipway(&[
            "run",
            p.path(),
            "--task",
            &format!("deploy this to Cloud Run with Pulumi on {host}"),
            "--apply",
            "--json",
        ]);
        if !out.status.success() {
            let why = stderr(&out);
            if why.contains("found no service")
                || why.contains("cannot containerize")
                || why.contains("Slipway cannot")
                || why.contains("in Terraform only")
            {
                continue;
            }
            failures.push(format!("{name}: the run failed: {why}"));
            continue;
        }
        for c in json(&out)["changes"].as_array().unwrap() {
            let w = c["path"].as_str().unwrap();
            if w.ends_with(".tf") {
                failures.push(format!("{name}: {w} is Terraform beside the Pulumi program"));
            }
            if !(w.starts_with("infra/") || w.starts_with(".github/workflows/")) {
                continue;
            }
            let to = all.path().join(name).join(w);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(p.work.join(w), &to).unwrap();
            if w.ends_with("index.ts") {
                programs.push(format!("{name}/{w}"));
            }
            if w.starts_with(".github/workflows/") {
                workflows.push(format!("{name}/{w}"));
            }
            if w == "infra/gcp/package.json" {
                // The versions the program pins are the ones it is checked against.
                let pinned: Value = serde_json::from_str(&p.read(w)).unwrap();
                for section in ["dependencies", "devDependencies"] {
                    for (package, version) in pinned[section].as_object().unwrap() {
                        let installed: Value = serde_json::from_str(
                            &std::fs::read_to_string(modules.join(package).join("package.json")).unwrap(),
                        )
                        .unwrap();
                        if installed["version"] != *version {
                            failures.push(format!(
                                "{package} is pinned at {version}, checked at {}",
                                installed["version"]
                            ));
                        }
                    }
                }
            }
            if w == "infra/gcp/tsconfig.json" && tsconfig.is_none() {
                tsconfig = Some(serde_json::from_str(&p.read(w)).unwrap());
            }
        }
    }
    assert!(programs.len() >= 140, "only {} programs were written", programs.len());
    // One compiler run over every program, with the programs' own options.
    let mut config = tsconfig.expect("a tsconfig.json is written");
    config.as_object_mut().unwrap().remove("files");
    config["include"] = serde_json::json!(programs);
    std::fs::write(all.path().join("tsconfig.json"), config.to_string()).unwrap();
    std::os::unix::fs::symlink(&modules, all.path().join("node_modules")).unwrap();
    let tsc = modules.join(".bin/tsc");
    let out = run(&tsc, &["--noEmit", "-p", "tsconfig.json"], all.path());
    eprintln!(
        "tsc: {} Pulumi programs of {} projects, exit {:?}",
        programs.len(),
        programs.len() / 2,
        out.status.code()
    );
    if !out.status.success() {
        failures.push(format!("tsc reports:\n{}{}", stdout(&out), stderr(&out)));
    }
    let wf: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let out = run(&tool("actionlint"), &wf, all.path());
    eprintln!("actionlint: {} workflows, exit {:?}", wf.len(), out.status.code());
    if !out.status.success() {
        failures.push(format!("actionlint reports:\n{}", stdout(&out)));
    }
    let mut z = vec!["--offline", "--no-progress", "--format", "json-v1"];
    z.extend(wf.iter().copied());
    let out = run(&tool("zizmor"), &z, all.path());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    if found != Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The acceptance case in Pulumi: the FastAPI service with PostgreSQL to Cloud Run as a
/// TypeScript program. The port, probes, image and secrets agree with the Dockerfile and the
/// Terraform of the same service; the pipeline previews on pull requests and applies with the
/// tested digests as the same service accounts; the program type-checks in its own folder
/// with its own tsconfig.json.
#[test]
fn a_fastapi_postgres_service_on_cloud_run_in_pulumi_agrees_with_its_terraform() {
    let p = Project::repo("python-fastapi-k8s");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/shop.git"],
    );
    let task = "set up CI/CD to Cloud Run with Pulumi in europe-west1 on api.example.com, keep 21 days of backups";
    let out = slipway(&["run", p.path(), "--task", task, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let program = p.read("infra/gcp/index.ts");
    let dockerfile = p.read("Dockerfile");
    let wf = p.read(".github/workflows/ci-cd.yml");
    let runbook = p.read("docs/gcp.md");
    assert!(dockerfile.contains("EXPOSE 8000"));
    for want in [
        "containerPort: 8000,",
        "path: \"/ready\",",
        "path: \"/health\",",
        "image: imagesConfig[\"catalog\"],",
        "const backupDays = config.getNumber(\"backup_days\") ?? 21;",
        "retainedBackups: backupDays,",
        "pointInTimeRecoveryEnabled: true,",
        "retainBackupsOnDelete: true,",
        "deletionProtectionEnabled: true,",
        "ipv4Enabled: false,",
        "const regionConfig = config.get(\"region\") ?? \"europe-west1\";",
    ] {
        assert!(program.contains(want), "the program holds {want}");
    }
    for s in ["DATABASE_URL", "REDIS_URL"] {
        assert!(program.contains(&format!("name: \"{s}\"")), "{s} is read");
        assert!(program.contains(&format!("-catalog-{s}`")), "{s}'s secret");
    }
    // The same service in Terraform, from the same spec, says the same.
    let q = Project::repo("python-fastapi-k8s");
    let out = slipway(&[
        "run",
        q.path(),
        "--task",
        &task.replace("Pulumi", "Terraform"),
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tf = q.read("infra/gcp/services.tf");
    for (hcl, ts) in [
        ("container_port = 8000", "containerPort: 8000"),
        ("path = \"/ready\"", "path: \"/ready\""),
        ("failure_threshold = 12", "failureThreshold: 12"),
    ] {
        assert!(tf.contains(hcl) && program.contains(ts), "{hcl} / {ts}");
    }
    // The pipeline previews and applies the program, as the plan and deploy service accounts.
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    for (job, account, command) in [
        ("plan-gcp", "GCP_PLAN_SERVICE_ACCOUNT", "pulumi preview --diff"),
        ("deploy-gcp", "GCP_DEPLOY_SERVICE_ACCOUNT", "pulumi up --yes"),
    ] {
        let steps = doc["jobs"][job]["steps"].as_sequence().unwrap();
        let used: Vec<&str> = steps
            .iter()
            .filter_map(|s| s["with"]["service_account"].as_str())
            .collect();
        assert_eq!(used, [format!("${{{{ vars.{account} }}}}")], "{job}");
        let script: String = steps.iter().filter_map(|s| s["run"].as_str()).collect();
        assert!(script.contains(command), "{job} runs {command}");
        assert!(script.contains("sha256sum -c -"), "{job} checks the CLI it downloads");
    }
    assert!(
        wf.contains("--arg catalog \"$IMAGE_CATALOG\""),
        "the tested digest reaches the stack"
    );
    assert!(
        runbook.contains("pulumi up") && !runbook.contains("terraform -chdir"),
        "the runbook speaks Pulumi"
    );
    for key in ["credentials_json", "private_key", "GOOGLE_CREDENTIALS"] {
        assert!(!wf.contains(key) && !program.contains(key), "no key ({key})");
    }
    // The program type-checks where it lies, with its own tsconfig.json.
    let modules = repo_root().join(".tools/pulumi/node_modules");
    for dir in ["infra/gcp", "infra/gcp/bootstrap"] {
        std::os::unix::fs::symlink(&modules, p.work.join(dir).join("node_modules")).unwrap();
        let out = run(
            &modules.join(".bin/tsc"),
            &["--noEmit", "-p", "tsconfig.json"],
            &p.work.join(dir),
        );
        assert!(out.status.success(), "{dir}: {}{}", stdout(&out), stderr(&out));
    }
}

/// checkov's Azure checks for what the reflection and the generator claim: no public blobs,
/// storage reached over TLS 1.2 with Entra ID and no shared keys, soft delete and versioning,
/// Key Vault purge protection, no admin user or anonymous pulls on the registry, no port open
/// to the internet, a network security group on every subnet.
const COVERED_AZURE: &[(&str, &str)] = &[
    ("CKV_AZURE_3", "storage over HTTPS only"),
    ("CKV_AZURE_9", "no RDP from the internet"),
    ("CKV_AZURE_10", "no SSH from the internet"),
    ("CKV_AZURE_34", "blob containers private"),
    ("CKV_AZURE_42", "Key Vault recoverable"),
    ("CKV_AZURE_44", "storage on TLS 1.2"),
    ("CKV_AZURE_77", "no UDP from the internet"),
    ("CKV_AZURE_110", "Key Vault purge protection"),
    ("CKV_AZURE_111", "Key Vault soft delete"),
    ("CKV_AZURE_137", "no registry admin user"),
    ("CKV_AZURE_138", "no anonymous pulls"),
    ("CKV_AZURE_160", "no HTTP from the internet"),
    ("CKV_AZURE_190", "blobs not public"),
    ("CKV_AZURE_206", "state storage replicated"),
    ("CKV_AZURE_244", "no local storage users"),
    ("CKV2_AZURE_8", "the state container not public"),
    ("CKV2_AZURE_31", "a network security group on every subnet"),
    ("CKV2_AZURE_38", "storage soft delete"),
    ("CKV2_AZURE_40", "no shared key authorization"),
    ("CKV2_AZURE_41", "SAS expiry policy"),
    ("CKV2_AZURE_47", "no anonymous blob access"),
];

#[test]
fn azure_terraform_parses_and_passes_checkov_on_every_fixture() {
    on_every_fixture(
        "azure",
        "put this on Azure Container Apps with Terraform on {host}",
        COVERED_AZURE,
        15,
    );
}

/// Every fixture put on Azure as a Pulumi program in Python: every program compiles, and
/// pyright finds no error against the real `pulumi`, `pulumi_azure` and `pulumi_random`
/// packages at the versions `requirements.txt` pins (a misspelt argument, a wrong type or an
/// unknown key of a nested block is an error there); the pipeline passes actionlint and zizmor.
#[test]
fn azure_pulumi_python_type_checks_on_every_fixture() {
    let all = tempfile::tempdir().unwrap();
    let root = repo_root().join(".tools/pulumi-py");
    let python = root.join("venv/bin/python");
    let pyright = root.join("node_modules/.bin/pyright");
    assert!(
        pyright.exists() && python.exists(),
        "Pulumi's Python packages are not installed: run scripts/test, which installs them into .tools/pulumi-py"
    );
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("tests/fixtures"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut programs = Vec::new();
    let mut workflows = Vec::new();
    let mut pins: BTreeMap<String, String> = BTreeMap::new();
    for name in &names {
        let p = Project::repo(name);
        let host = format!("{}.example.com", name.replace('_', "-"));
        let out = slipway(&[
            "run",
            p.path(),
            "--task",
            &format!("deploy this to Azure Container Apps with Pulumi on {host}"),
            "--apply",
            "--json",
        ]);
        if !out.status.success() {
            let why = stderr(&out);
            if why.contains("found no service")
                || why.contains("cannot containerize")
                || why.contains("Slipway cannot")
                || why.contains("in Terraform only")
            {
                continue;
            }
            failures.push(format!("{name}: the run failed: {why}"));
            continue;
        }
        for c in json(&out)["changes"].as_array().unwrap() {
            let w = c["path"].as_str().unwrap();
            if w.ends_with(".tf") {
                failures.push(format!("{name}: {w} is Terraform beside the Pulumi program"));
            }
            if !(w.starts_with("infra/") || w.starts_with(".github/workflows/")) {
                continue;
            }
            let to = all.path().join(name).join(w);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(p.work.join(w), &to).unwrap();
            if w.ends_with("__main__.py") {
                programs.push(format!("{name}/{w}"));
            }
            if w.starts_with(".github/workflows/") {
                workflows.push(format!("{name}/{w}"));
            }
            if w.ends_with("requirements.txt") {
                for line in p.read(w).lines() {
                    let (package, version) = line.split_once("==").expect("an exact pin");
                    pins.insert(package.to_string(), version.to_string());
                }
            }
        }
    }
    assert!(programs.len() >= 140, "only {} programs were written", programs.len());
    // The versions the programs pin are the ones they are checked against.
    let out = run(&python, &["-m", "pip", "list", "--format", "json"], all.path());
    let installed: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (package, version) in &pins {
        let have = installed
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str().is_some_and(|n| pep503(n) == pep503(package)))
            .map(|p| p["version"].as_str().unwrap_or("").to_string());
        if have.as_deref() != Some(version.as_str()) {
            failures.push(format!("{package} is pinned at {version}, checked at {have:?}"));
        }
    }
    let mut args = vec!["-m", "py_compile"];
    args.extend(programs.iter().map(String::as_str));
    let out = run(&python, &args, all.path());
    if !out.status.success() {
        failures.push(format!("py_compile: {}", stderr(&out)));
    }
    let config = serde_json::json!({
        "venvPath": root.to_string_lossy(),
        "venv": "venv",
        "typeCheckingMode": "standard",
        "pythonVersion": "3.11",
        "include": programs,
    });
    std::fs::write(all.path().join("pyrightconfig.json"), config.to_string()).unwrap();
    let out = run(&pyright, &["--outputjson", "-p", "pyrightconfig.json"], all.path());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    eprintln!(
        "pyright: {} Pulumi programs in Python, {} files analysed, {} errors, {} warnings",
        programs.len(),
        report["summary"]["filesAnalyzed"],
        report["summary"]["errorCount"],
        report["summary"]["warningCount"]
    );
    if report["summary"]["errorCount"] != 0 || report["summary"]["filesAnalyzed"].as_u64() < Some(programs.len() as u64)
    {
        failures.push(format!("pyright reports:\n{}", stdout(&out)));
    }
    let wf: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let out = run(&tool("actionlint"), &wf, all.path());
    eprintln!("actionlint: {} workflows, exit {:?}", wf.len(), out.status.code());
    if !out.status.success() {
        failures.push(format!("actionlint reports:\n{}", stdout(&out)));
    }
    let mut z = vec!["--offline", "--no-progress", "--format", "json-v1"];
    z.extend(wf.iter().copied());
    let out = run(&tool("zizmor"), &z, all.path());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    if found != Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A Python package's name as the index compares it (PEP 503): case and the separators `-`,
/// `_` and `.` do not matter, so `pulumi-azure` pins what pip lists as `pulumi_azure`.
fn pep503(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The acceptance case on Azure: the FastAPI service with PostgreSQL to Container Apps as a
/// Pulumi program in Python. The port and health paths agree with the Dockerfile, the image
/// comes from the pipeline by digest, the secret names the app reads are the ones the program
/// fetches from Key Vault; backups keep the asked 21 days; the pipeline signs in through OIDC
/// as the identities the bootstrap program creates, each trusting its job's subject; no
/// client secret, password or access key anywhere.
#[test]
fn a_fastapi_postgres_service_on_container_apps_in_pulumi_python_agrees() {
    let p = Project::repo("python-fastapi-k8s");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/shop.git"],
    );
    let task =
        "set up CI/CD to Azure Container Apps with Pulumi in westeurope on api.example.com, keep 21 days of backups";
    let out = slipway(&["run", p.path(), "--task", task, "--apply", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let svc = &report["spec"]["services"][0];
    let port = svc["port"].as_u64().unwrap();
    let health = svc["healthPath"].as_str().unwrap();
    let program = p.read("infra/azure/__main__.py");
    let bootstrap = p.read("infra/azure/bootstrap/__main__.py");
    let dockerfile = p.read("Dockerfile");
    let wf = p.read(".github/workflows/ci-cd.yml");
    let runbook = p.read("docs/azure.md");
    assert!(dockerfile.contains(&format!("EXPOSE {port}")), "{dockerfile}");
    for want in [
        format!("\"target_port\": {port},"),
        format!("\"path\": \"{health}\","),
        "\"transport\": \"HTTP\",".to_string(),
        "backup_days = config.get_int(\"backup_days\", 21)".to_string(),
        "backup_retention_days=backup_days,".to_string(),
        "public_network_access_enabled=False,".to_string(),
        "\"image\": images_config[\"catalog\"],".to_string(),
        "location = config.get(\"location\", \"westeurope\")".to_string(),
        "protect=True".to_string(),
        "\"allow_insecure_connections\": False,".to_string(),
    ] {
        assert!(program.contains(&want), "{want}\n---\n{program}");
    }
    // The secrets the app reads come from Key Vault through the app's own identity.
    for e in svc["env"].as_array().unwrap().iter().filter(|e| e["secret"] == true) {
        let name = e["name"].as_str().unwrap();
        let vault = format!("catalog-{}", name.to_ascii_lowercase().replace('_', "-"));
        assert!(
            program.contains(&format!(
                "\"name\": \"{name}\",\n                \"secret_name\": \"{vault}\","
            )),
            "{name}"
        );
        assert!(program.contains(&format!("\"secrets/{vault}\"")), "{vault}");
        assert!(runbook.contains(&format!("--name {vault}")), "{vault}");
    }
    // The pipeline: OIDC sign-in as the plan and deploy identities, the image by digest.
    for want in [
        "id-token: write",
        "  plan-azure:",
        "  deploy-azure:",
        "ARM_USE_OIDC: \"true\"",
        "ARM_CLIENT_ID: ${{ vars.AZURE_PLAN_CLIENT_ID }}",
        "ARM_CLIENT_ID: ${{ vars.AZURE_DEPLOY_CLIENT_ID }}",
        "IMAGE_CATALOG: ${{ needs.image-catalog.outputs.image }}@${{ needs.image-catalog.outputs.digest }}",
        "pulumi preview --diff",
        "pulumi up --yes",
        "--secrets-provider \"azurekeyvault://",
        "environment:\n      name: production",
    ] {
        assert!(wf.contains(want), "{want}\n---\n{wf}");
    }
    // Each identity trusts exactly its job's subject.
    for want in [
        "subject=\"repo:acme/shop:pull_request\"",
        "subject=\"repo:acme/shop:ref:refs/heads/main\"",
        "subject=\"repo:acme/shop:environment:production\"",
        "audience=\"api://AzureADTokenExchange\"",
    ] {
        assert!(bootstrap.contains(want), "{want}\n---\n{bootstrap}");
    }
    // The state's storage account takes no shared keys at all: sign-ins only.
    assert!(bootstrap.contains("shared_access_key_enabled=False,"), "{bootstrap}");
    for text in [&program, &bootstrap, &wf, &runbook] {
        for bad in [
            "client_secret",
            "AZURE_CLIENT_SECRET",
            "ARM_ACCESS_KEY",
            "AZURE_STORAGE_KEY",
            "--account-key",
            "administrator_password=\"",
        ] {
            assert!(!text.contains(bad), "{bad}");
        }
    }
}

/// A blue-green or canary asked on a cloud runtime that does not do it yet is that runtime's way
/// of deploying, said in words: no Kubernetes manifests appear beside the cloud's code because
/// the word "canary" was read as a cluster.
#[test]
fn a_strategy_on_a_cloud_runtime_is_said_not_turned_into_a_cluster() {
    for (task, runtime, dir) in [
        ("a canary on Cloud Run with Pulumi", "Cloud Run", "infra/gcp/"),
        ("Terraform for ECS with a blue-green deploy", "ECS", "infra/aws/"),
    ] {
        let p = Project::repo("python-fastapi-k8s");
        let out = slipway(&["run", p.path(), "--task", task, "--json"]);
        assert!(out.status.success(), "{task}: {}", stderr(&out));
        let report = json(&out);
        let paths: Vec<&str> = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["path"].as_str())
            .collect();
        assert!(paths.iter().any(|p| p.starts_with(dir)), "{task}: {paths:?}");
        assert!(
            !paths.iter().any(|p| p.starts_with("k8s/") || p.starts_with("charts/")),
            "{task}: {paths:?}"
        );
        let said: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "cloud/strategy")
            .filter_map(|f| f["message"].as_str())
            .collect();
        assert_eq!(said.len(), 1, "{task}: {said:?}");
        assert!(
            said[0].contains(runtime) && said[0].contains("is not written yet"),
            "{task}: {}",
            said[0]
        );
    }
}

/// Blue-green and canary on Cloud Run in Terraform: the stack leaves the traffic to the deploy
/// job, which pins every request to the serving revision before the apply, then tags the new
/// one, calls its readiness path on the tag's address when the service answers on run.app
/// (behind the load balancer the startup probe is the check), and moves the requests: all at
/// once for blue-green, a tenth and a half while it stays ready for a canary, back to the old
/// one when it does not. The workflow passes actionlint with shellcheck; no "not written" warning.
#[test]
fn cloud_run_moves_requests_between_tagged_revisions_for_blue_green_and_canary() {
    for (task, canary, public) in [
        ("a blue-green deploy to Cloud Run on api.example.com", false, false),
        ("a canary deploy to Cloud Run with Terraform", true, true),
    ] {
        let p = Project::repo("python-fastapi-k8s");
        let out = slipway(&["run", p.path(), "--task", task, "--apply", "--json"]);
        assert!(out.status.success(), "{task}: {}", stderr(&out));
        let report = json(&out);
        assert!(
            !report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "cloud/strategy"),
            "{task}: {}",
            report["findings"]
        );
        assert!(!p.work.join("k8s").exists(), "{task}: no cluster");
        let services = p.read("infra/gcp/services.tf");
        assert!(services.contains("ignore_changes = [traffic]"), "{task}: {services}");
        let wf = p.read(".github/workflows/ci-cd.yml");
        let pin = wf
            .find("--to-revisions \"$old_catalog=100\"")
            .expect("every request pinned to the serving revision");
        let apply = wf.find("tf apply -input=false").expect("the apply");
        let shift = wf
            .find("shift_traffic \"$service\" \"$region\" \"$old_catalog\" \"$created\"")
            .expect("the move");
        assert!(pin < apply && apply < shift, "{task}: pin, apply, move in that order");
        let tag = if canary { "canary" } else { "green" };
        assert!(wf.contains(&format!("--update-tags \"{tag}=$new\"")), "{task}: {wf}");
        assert!(
            wf.contains(&format!(" {} {}", "/ready", if public { "yes" } else { "no" })),
            "{task}: the readiness path, and whether run.app answers: {wf}"
        );
        if canary {
            assert!(wf.contains("\"$new=$weight,$old=$((100 - weight))\""), "{wf}");
            assert!(
                wf.contains("select(.type == \"Ready\")"),
                "a revision that stops being ready sends the requests back"
            );
        } else {
            assert!(!wf.contains("for weight in"), "blue-green moves all at once");
        }
        let runbook = p.read("docs/gcp.md");
        assert!(
            runbook.contains(if canary {
                "Each deploy is a canary"
            } else {
                "Each deploy is a blue-green"
            }),
            "{runbook}"
        );
        let lint = run(&tool("actionlint"), &[".github/workflows/ci-cd.yml"], &p.work);
        assert!(lint.status.success(), "{task}: actionlint: {}", stdout(&lint));
    }
}

/// Blue-green and canary on Container Apps: the apps keep several revisions and the stack
/// leaves the traffic to the deploy job (in Terraform and in the Pulumi program alike), which
/// pins the requests to the serving revision before the apply and then moves them: blue-green
/// after the new revision answers on its label's address, canary by a tenth and a half while it
/// stays healthy. The workflow passes actionlint (with shellcheck on its scripts) and the
/// program pyright; no Kubernetes, no "not written" warning.
#[test]
fn container_apps_move_requests_between_revisions_for_blue_green_and_canary() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/pulumi-py");
    let pyright = root.join("node_modules/.bin/pyright");
    for (task, pulumi) in [
        ("a blue-green deploy to Azure Container Apps on api.example.com", false),
        ("a canary deploy to Azure Container Apps with Pulumi", true),
    ] {
        let p = Project::repo("python-fastapi-k8s");
        let out = slipway(&["run", p.path(), "--task", task, "--apply", "--json"]);
        assert!(out.status.success(), "{task}: {}", stderr(&out));
        let report = json(&out);
        let health = report["spec"]["services"][0]["healthPath"]
            .as_str()
            .unwrap()
            .to_string();
        let ready = report["spec"]["services"][0]["readinessPath"]
            .as_str()
            .map_or(health.clone(), str::to_string);
        assert!(
            !report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "cloud/strategy"),
            "{task}"
        );
        assert!(!p.work.join("k8s").exists(), "{task}: no cluster");
        let wf = p.read(".github/workflows/ci-cd.yml");
        let runbook = p.read("docs/azure.md");
        if pulumi {
            let program = p.read("infra/azure/__main__.py");
            assert!(program.contains("revision_mode=\"Multiple\","), "{program}");
            assert!(
                program.contains("ignore_changes=[\"ingress.trafficWeights\"]"),
                "{program}"
            );
            std::fs::write(
                p.work.join("infra/azure/pyrightconfig.json"),
                serde_json::json!({"venvPath": root.to_string_lossy(), "venv": "venv", "typeCheckingMode": "standard"})
                    .to_string(),
            )
            .unwrap();
            let checked = run(
                &pyright,
                &["--outputjson", "-p", "pyrightconfig.json"],
                &p.work.join("infra/azure"),
            );
            let found: Value = serde_json::from_slice(&checked.stdout).unwrap_or(Value::Null);
            assert_eq!(found["summary"]["errorCount"], 0, "{}", stdout(&checked));
            assert!(
                wf.contains("--revision-weight \"$old=$((100 - weight))\" \"$new=$weight\""),
                "{wf}"
            );
            assert!(wf.contains("restartCount"), "a restart sends the requests back");
            assert!(runbook.contains("a tenth of the requests"), "{runbook}");
        } else {
            let apps = p.read("infra/azure/apps.tf");
            assert!(
                apps.lines()
                    .any(|l| l.trim_start().starts_with("revision_mode ") && l.ends_with("= \"Multiple\"")),
                "{apps}"
            );
            assert!(apps.contains("ignore_changes = [ingress[0].traffic_weight]"), "{apps}");
            let parsed = std::process::Command::new(tool("python"))
                .args([
                    "-c",
                    "import sys, hcl2; hcl2.load(open(sys.argv[1]))",
                    "infra/azure/apps.tf",
                ])
                .current_dir(&p.work)
                .output()
                .unwrap();
            assert!(
                parsed.status.success(),
                "python-hcl2: {}",
                String::from_utf8_lossy(&parsed.stderr)
            );
            assert!(wf.contains("--label green"), "{wf}");
            assert!(
                wf.contains(&format!("\"$old_catalog\" \"$latest\" {ready}")),
                "the label is called on the readiness path {ready}: {wf}"
            );
            assert!(runbook.contains("(blue-green)"), "{runbook}");
        }
        // Before the apply, every request is pinned to the serving revision.
        let pin = wf.find("--revision-weight \"$old_catalog=100\"").expect("the pin");
        let apply = wf
            .find(if pulumi {
                "pulumi up --yes"
            } else {
                "tf apply -input=false"
            })
            .expect("the apply");
        assert!(pin < apply, "the pin comes before the apply");
        assert!(
            wf.contains("az containerapp revision deactivate"),
            "the old revision stops once the new one has everything"
        );
        let lint = run(&tool("actionlint"), &[".github/workflows/ci-cd.yml"], &p.work);
        assert!(lint.status.success(), "{task}: actionlint: {}", stdout(&lint));
    }
}

/// A single-page app to S3 behind CloudFront: no network, load balancer, image or repository;
/// the bucket is private and read by its own distribution only; the browser's routes fall back
/// to index.html; the pipeline checks, builds the site with the analysis's commands, uploads the
/// hashed assets before the pages (and never deletes them), clears the cache and calls the
/// site, signed in through OIDC with a deploy role that holds no IAM rights.
#[test]
fn a_single_page_app_goes_to_a_private_bucket_behind_cloudfront() {
    let p = Project::repo("node-vite-react");
    git(
        &p.work,
        &["remote", "set-url", "origin", "https://github.com/acme/shop.git"],
    );
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "deploy this site to S3 with CloudFront on www.example.com",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let svc = &report["spec"]["services"][0];
    assert_eq!(svc["kind"], "static");
    let build = svc["build"].as_str().unwrap();
    let output = svc["output"].as_str().unwrap();
    assert_eq!((build, output), ("npm run build", "dist"), "what the analysis found");
    for f in report["findings"].as_array().unwrap() {
        assert!(
            !f["path"].as_str().unwrap_or("").starts_with("infra/") || f["severity"] == "info",
            "the reflection on its own files: {f}"
        );
    }

    let site = p.read("infra/aws/site.tf");
    let boot = p.read("infra/aws/bootstrap/main.tf");
    let wf = p.read(".github/workflows/ci-cd.yml");
    let runbook = p.read("docs/aws.md");
    let written: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    for absent in [
        "infra/aws/network.tf",
        "infra/aws/load-balancer.tf",
        "infra/aws/services.tf",
    ] {
        assert!(!written.contains(&absent), "{absent} written for a static site");
    }
    assert!(
        !boot.contains("aws_ecr_repository") && !boot.contains("ci_push"),
        "{boot}"
    );
    assert!(
        !boot.contains("PowerUserAccess") && !boot.contains("\"iam:"),
        "the deploy role holds IAM rights: {boot}"
    );
    assert!(
        boot.contains("resources = [\"arn:aws:s3:::project-*-site-*\"]"),
        "the deploy role's buckets are the project's sites: {boot}"
    );
    assert!(site.contains("bucket        = \"${local.name}-site-${data.aws_caller_identity.current.account_id}\""));

    // Private: every public door shut, only this distribution reads, TLS only.
    for a in [
        "block_public_acls       = true",
        "restrict_public_buckets = true",
        "object_ownership = \"BucketOwnerEnforced\"",
    ] {
        assert!(site.contains(a), "{a}: {site}");
    }
    assert!(site.contains("identifiers = [\"cloudfront.amazonaws.com\"]"));
    assert!(site.contains("variable = \"AWS:SourceArn\""));
    assert!(
        site.contains("values   = [aws_cloudfront_distribution.site.arn]"),
        "{site}"
    );
    assert!(
        site.contains("signing_behavior                  = \"always\""),
        "{site}"
    );
    // HTTPS on the host, the browser's routes to index.html.
    assert!(
        site.contains("viewer_protocol_policy     = \"redirect-to-https\""),
        "{site}"
    );
    assert!(site.contains("minimum_protocol_version = \"TLSv1.2_2021\""));
    assert!(site.contains("aliases             = [\"www.example.com\"]"), "{site}");
    assert!(
        site.contains("provider          = aws.us_east_1"),
        "the certificate in us-east-1: {site}"
    );
    assert!(site.contains("response_page_path    = \"/index.html\"") && site.contains("response_code         = 200"));
    assert!(
        !written.contains(&"infra/aws/functions/index.js"),
        "a single-page app needs no index function"
    );

    // The pipeline: no image; the deploy waits for the checks, sets up Node.js, builds with the
    // analysis's commands, uploads assets/ first with a year's cache, then the rest with --delete
    // that leaves assets/ alone, clears the cache and calls the site.
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    let jobs = doc["jobs"].as_mapping().unwrap();
    assert!(!jobs.keys().any(|k| k.as_str().unwrap().starts_with("image-")), "{wf}");
    let deploy = &doc["jobs"]["deploy-aws"];
    // The project has no linters or tests, so the deploy waits for nothing but the push.
    let needs: Vec<&str> = deploy["needs"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        needs.iter().all(|n| n.starts_with("lint-") || n.starts_with("test-")),
        "{needs:?}"
    );
    assert_eq!(deploy["environment"]["name"], "production", "{deploy:?}");
    let steps = serde_yaml_ng::to_string(&deploy["steps"]).unwrap();
    assert!(steps.contains("actions/setup-node@"), "{steps}");
    assert!(
        steps.contains("role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}"),
        "{steps}"
    );
    let script = deploy["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("tf apply"))
        .expect("the apply step")
        .to_string();
    let at = |needle: &str| {
        script
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in: {script}"))
    };
    let assets = at("--exclude '*' --include 'assets/*' --cache-control 'public, max-age=31536000, immutable'");
    let rest =
        at("--delete --only-show-errors --exclude 'assets/*' --cache-control 'public, max-age=0, must-revalidate'");
    // Built before anything changes, uploaded after the apply.
    assert!(at("(cd . && npm ci && npm run build)") < at("tf apply"));
    assert!(at("tf apply") < assets && assets < rest && rest < at("create-invalidation"));
    assert!(at("aws cloudfront wait invalidation-completed") < at("$(tf output -raw site_url)/"));
    assert!(script.contains("aws s3 sync dist \"s3://$bucket\""), "{script}");
    assert!(wf.contains("id-token: write"));
    for needle in ["AKIA", "aws_access_key_id", "aws-secret-access-key"] {
        assert!(
            !wf.contains(needle) && !site.contains(needle) && !boot.contains(needle),
            "{needle}"
        );
    }
    // The runbook and the window's picture and cost.
    assert!(
        runbook.contains("## Rolling back") && runbook.contains("old_versions_days"),
        "{runbook}"
    );
    let picture: Vec<&str> = report["cloud"]["picture"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert_eq!(picture, ["DNS", "CDN (CloudFront)", "Bucket (S3)"]);
    let total: f64 = report["cloud"]["cost"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["monthly"].as_f64())
        .sum();
    assert!(total < 1.0, "a site of files costs cents a month, not {total}");

    // A site with a linter: the deploy waits for it, as it would for an image.
    let p = Project::repo("node-vue-cli");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "deploy this to CloudFront",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&p.read(".github/workflows/ci-cd.yml")).unwrap();
    let needs: Vec<&str> = doc["jobs"]["deploy-aws"]["needs"]
        .as_sequence()
        .expect("the deploy waits for the checks")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(
        !needs.is_empty() && needs.iter().all(|n| n.starts_with("lint-")),
        "{needs:?}"
    );
    assert!(doc["jobs"]
        .as_mapping()
        .unwrap()
        .keys()
        .all(|k| !k.as_str().unwrap().starts_with("image-")));
}

/// moto's server on a free port of 127.0.0.1: S3 and CloudFront as their HTTP APIs answer. It
/// stops when dropped.
struct AwsStandIn {
    child: std::process::Child,
    endpoint: String,
    home: tempfile::TempDir,
}

impl AwsStandIn {
    fn start() -> AwsStandIn {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(tool("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "moto_server did not listen on {port}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        AwsStandIn {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// A command with the AWS CLI pointed at the stand-in (its fixed test credentials, which
    /// the stand-in takes and no AWS account has).
    fn command(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        let bin = tool("aws").parent().unwrap().to_path_buf();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        c.env("PATH", path)
            .env("HOME", self.home.path())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1");
        c
    }

    fn aws(&self, args: &[&str]) -> String {
        let out = self.command(&tool("aws")).args(args).output().unwrap();
        assert!(out.status.success(), "aws {args:?}: {}", stderr(&out));
        stdout(&out)
    }
}

impl Drop for AwsStandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The deploy job's upload lines for the first site: what follows `tf apply` in the apply step,
/// the build left out (the project's own command; here the files are laid out by hand).
fn upload_lines(wf: &str) -> String {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(wf).unwrap();
    let script = doc["jobs"]["deploy-aws"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("tf apply"))
        .expect("the apply step")
        .to_string();
    let after: Vec<&str> = script
        .lines()
        .skip_while(|l| !l.starts_with("tf apply"))
        .skip(1)
        .filter(|l| !l.starts_with("(cd "))
        .collect();
    after.join("\n")
}

/// Runs the upload lines in `dir` with Terraform's outputs as `tf output -raw` gives them.
fn upload(aws: &AwsStandIn, dir: &Path, lines: &str, bucket: &str, distribution: &str) {
    let script = format!(
        "set -eu\ntf() {{ case \"$*\" in\n  'output -raw site_bucket') echo {bucket} ;;\n  'output -raw site_distribution') echo {distribution} ;;\n  'output -raw site_url') echo {endpoint}/{bucket} ;;\n  *) echo \"tf $*: not an output\" >&2; return 1 ;;\nesac; }}\n{lines}\n",
        endpoint = aws.endpoint
    );
    let out = aws
        .command(Path::new("bash"))
        .args(["-c", &script])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "the upload failed: {}\n{script}", stderr(&out));
}

fn keys(aws: &AwsStandIn, bucket: &str) -> Vec<String> {
    let mut k: Vec<String> = aws
        .aws(&[
            "s3api",
            "list-objects-v2",
            "--bucket",
            bucket,
            "--query",
            "Contents[].Key",
            "--output",
            "text",
        ])
        .split_whitespace()
        .map(str::to_string)
        .collect();
    k.sort();
    k
}

fn cache_control(aws: &AwsStandIn, bucket: &str, key: &str) -> String {
    aws.aws(&[
        "s3api",
        "head-object",
        "--bucket",
        bucket,
        "--key",
        key,
        "--query",
        "CacheControl",
        "--output",
        "text",
    ])
    .trim()
    .to_string()
}

fn distribution(aws: &AwsStandIn, bucket: &str) -> String {
    let config = format!(
        r#"{{"CallerReference":"{bucket}","Comment":"","Enabled":true,"Origins":{{"Quantity":1,"Items":[{{"Id":"site","DomainName":"{bucket}.s3.us-east-1.amazonaws.com","S3OriginConfig":{{"OriginAccessIdentity":""}}}}]}},"DefaultCacheBehavior":{{"TargetOriginId":"site","ViewerProtocolPolicy":"redirect-to-https","ForwardedValues":{{"QueryString":false,"Cookies":{{"Forward":"none"}}}},"MinTTL":0}}}}"#
    );
    aws.aws(&[
        "cloudfront",
        "create-distribution",
        "--distribution-config",
        &config,
        "--query",
        "Distribution.Id",
        "--output",
        "text",
    ])
    .trim()
    .to_string()
}

/// The uploads a deploy job makes, run for real with the AWS CLI against S3 and CloudFront's
/// APIs (moto's server on 127.0.0.1). A single-page app deployed twice: its hashed assets are
/// cached for a year and outlive the deploy that replaced them, the pages are revalidated,
/// what the new build dropped is removed, and each deploy clears the cache. A site served from
/// its source folder: only the files a browser asks for reach the bucket, never the
/// repository's workflows, infrastructure code, runbooks or Dockerfile; and a 404 page is
/// there for CloudFront's answer to a missing one.
#[test]
fn the_deploy_uploads_sites_to_s3_and_clears_cloudfront_as_it_says() {
    let aws = AwsStandIn::start();

    // A single-page app, deployed twice.
    let p = Project::repo("node-vite-react");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "deploy this site to S3 with CloudFront",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = upload_lines(&p.read(".github/workflows/ci-cd.yml"));
    let bucket = "shop-production-site-123456789012";
    aws.aws(&["s3", "mb", &format!("s3://{bucket}")]);
    let id = distribution(&aws, bucket);
    let dist = p.work.join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), "<script src=\"/assets/app-1.js\"></script>v1").unwrap();
    std::fs::write(dist.join("assets/app-1.js"), "console.log(1)").unwrap();
    std::fs::write(dist.join("old.html"), "old").unwrap();
    upload(&aws, &p.work, &lines, bucket, &id);
    assert_eq!(keys(&aws, bucket), ["assets/app-1.js", "index.html", "old.html"]);
    assert_eq!(
        cache_control(&aws, bucket, "assets/app-1.js"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        cache_control(&aws, bucket, "index.html"),
        "public, max-age=0, must-revalidate"
    );

    std::fs::remove_dir_all(&dist).unwrap();
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), "<script src=\"/assets/app-2.js\"></script>v2").unwrap();
    std::fs::write(dist.join("assets/app-2.js"), "console.log(2)").unwrap();
    upload(&aws, &p.work, &lines, bucket, &id);
    assert_eq!(
        keys(&aws, bucket),
        ["assets/app-1.js", "assets/app-2.js", "index.html"],
        "the old asset stays for pages loaded before; the page the build dropped is gone"
    );
    let page = aws
        .command(&tool("aws"))
        .args(["s3", "cp", &format!("s3://{bucket}/index.html"), "-"])
        .output()
        .unwrap();
    assert!(stdout(&page).ends_with("v2"), "{}", stdout(&page));
    let invalidations = aws.aws(&[
        "cloudfront",
        "list-invalidations",
        "--distribution-id",
        &id,
        "--query",
        "length(InvalidationList.Items)",
        "--output",
        "text",
    ]);
    assert_eq!(invalidations.trim(), "2", "one invalidation per deploy");

    // A site served from its source folder, in a repository that now holds the deployment too.
    let p = Project::repo("static-site");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "deploy this static site to CloudFront",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for written in [
        ".github/workflows/ci-cd.yml",
        "infra/aws/functions/index.js",
        "docs/aws.md",
    ] {
        assert!(p.work.join(written).exists(), "{written} is in the repository");
    }
    let lines = upload_lines(&p.read(".github/workflows/ci-cd.yml"));
    let bucket = "static-production-site-123456789012";
    aws.aws(&["s3", "mb", &format!("s3://{bucket}")]);
    let id = distribution(&aws, bucket);
    upload(&aws, &p.work, &lines, bucket, &id);
    assert_eq!(
        keys(&aws, bucket),
        ["404.html", "about/index.html", "index.html", "style.css"],
        "only the site's files, and a 404 page for CloudFront"
    );
    let missing = aws
        .command(&tool("aws"))
        .args(["s3", "cp", &format!("s3://{bucket}/404.html"), "-"])
        .output()
        .unwrap();
    assert!(stdout(&missing).contains("<h1>Not found</h1>"));
}

/// A static frontend beside a service, on AWS: the frontend goes to its bucket behind CloudFront
/// on the main host, with its own certificate in us-east-1; the load balancer answers only the
/// service's host; the pipeline builds no image for the frontend and its deploy job waits for
/// ECS, then uploads the site.
#[test]
fn a_static_frontend_beside_a_service_goes_to_cloudfront_and_the_service_to_ecs() {
    let p = Project::repo("mono-npm-workspaces");
    let out = slipway(&[
        "run",
        p.path(),
        "--task",
        "put this on AWS with Terraform on shop.example.com",
        "--apply",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let statics: Vec<&str> = report["spec"]["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "static")
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(statics.len(), 1, "the fixture has one static frontend");
    let site = p.read("infra/aws/site.tf");
    let lb = p.read("infra/aws/load-balancer.tf");
    assert!(site.contains("aliases             = [\"shop.example.com\"]"), "{site}");
    assert!(site.contains("resource \"aws_acm_certificate\" \"site\""));
    assert!(site.contains("acm_certificate_arn      = aws_acm_certificate_validation.site.certificate_arn"));
    assert!(
        !lb.contains("name    = \"shop.example.com\""),
        "the front host is not on the load balancer: {lb}"
    );
    assert!(p.read("infra/aws/providers.tf").contains("alias  = \"us_east_1\""));
    let wf = p.read(".github/workflows/ci-cd.yml");
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf).unwrap();
    let jobs: Vec<&str> = doc["jobs"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(|k| k.as_str())
        .collect();
    let front = statics[0];
    assert!(
        !jobs.iter().any(|j| j.starts_with("image-") && j.contains(front)),
        "no image for {front}: {jobs:?}"
    );
    assert!(
        jobs.iter().any(|j| j.starts_with("image-")),
        "the service's image is built: {jobs:?}"
    );
    let script = upload_lines(&wf);
    let at = |needle: &str| {
        script
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not in: {script}"))
    };
    assert!(at("aws ecs wait services-stable") < at("aws s3 sync"), "{script}");
    assert!(at("aws s3 sync") < at("create-invalidation"));
}

/// checkov's checks for what a server on a cloud claims: SSH from the admin ranges only, no
/// port range open, every rule described, IMDSv2, an encrypted EBS-optimized disk, monitoring,
/// a role of its own, rotating keys with a policy, the default security group shut; on Google
/// Cloud a firewall of its own, flow logs, shielded VMs, no serial port, no project-wide keys,
/// no default service account; on Azure key-only logins, an NSG on the subnet, a vault with an
/// identity. None may fail on Slipway's output.
const COVERED_SERVERS: &[(&str, &str)] = &[
    ("CKV_AWS_7", "KMS keys rotate"),
    ("CKV_AWS_8", "the instance's disk encrypted"),
    ("CKV_AWS_23", "every security group rule described"),
    ("CKV_AWS_24", "no SSH from anywhere"),
    ("CKV_AWS_25", "no RDP from anywhere"),
    ("CKV_AWS_33", "KMS key policy not open to everyone"),
    ("CKV_AWS_46", "no secrets in user data"),
    ("CKV_AWS_79", "IMDSv1 off"),
    ("CKV_AWS_126", "detailed monitoring"),
    ("CKV_AWS_130", "no public IPs on launch"),
    ("CKV_AWS_135", "EBS optimized"),
    ("CKV_AWS_277", "no port range open to the internet"),
    ("CKV_AWS_382", "no egress to every port"),
    ("CKV_AWS_386", "the image's owner pinned"),
    ("CKV2_AWS_12", "the default security group shut"),
    ("CKV2_AWS_41", "a role attached to the instance"),
    ("CKV2_AWS_64", "KMS key policies defined"),
    ("CKV_GCP_2", "no SSH from anywhere"),
    ("CKV_GCP_3", "no RDP from anywhere"),
    ("CKV_GCP_26", "flow logs"),
    ("CKV_GCP_30", "not the default service account"),
    ("CKV_GCP_32", "project-wide SSH keys blocked"),
    ("CKV_GCP_35", "no serial port"),
    ("CKV_GCP_36", "no IP forwarding"),
    ("CKV_GCP_39", "shielded VM"),
    ("CKV_GCP_74", "private Google access"),
    ("CKV2_GCP_12", "no firewall open on every port"),
    ("CKV2_GCP_18", "the network has a firewall"),
    ("CKV_AZURE_1", "SSH keys, no basic authentication"),
    ("CKV_AZURE_9", "no RDP from the internet"),
    ("CKV_AZURE_10", "no SSH from the internet"),
    ("CKV_AZURE_77", "no UDP from the internet"),
    ("CKV_AZURE_149", "password authentication off"),
    ("CKV_AZURE_178", "SSH keys"),
    ("CKV2_AZURE_31", "an NSG on the subnet"),
    ("CKV2_AZURE_35", "the backup vault has an identity"),
];

/// A server on each cloud from the words people use, through the command: the run writes the
/// cloud's Terraform and the Ansible playbook and nothing of the cloud's containers; the
/// reflection has nothing to say of either; python-hcl2 reads every file; checkov fails none of
/// the covered checks; the window gets the picture and the cost; the playbook's first run logs
/// in as the user the cloud creates. The figures are printed.
#[test]
fn a_server_on_each_cloud_passes_python_hcl2_checkov_and_the_reflection() {
    let all = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut tf_files: Vec<String> = Vec::new();
    let mut costs: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut runs = 0;
    for (provider, task, user) in [
        ("aws", "deploy it to an EC2 instance with Ansible at {host}", "admin"),
        ("gcp", "put it on a VM on Google Cloud at {host}", "admin"),
        ("azure", "deploy it to an Azure VM at {host}, with backups", "azureuser"),
    ] {
        for name in [
            "python-fastapi-k8s",
            "node-express",
            "go-gin",
            "ruby-rails",
            "php-laravel",
            "static-site",
        ] {
            let p = Project::repo(name);
            let host = format!("{}.example.com", name.replace('_', "-"));
            let out = slipway(&[
                "run",
                p.path(),
                "--task",
                &task.replace("{host}", &host),
                "--apply",
                "--json",
            ]);
            if !out.status.success() {
                failures.push(format!("{provider} {name}: the run failed: {}", stderr(&out)));
                continue;
            }
            runs += 1;
            let report = json(&out);
            for f in report["findings"].as_array().unwrap() {
                let path = f["path"].as_str().unwrap_or("");
                if (path.starts_with("infra/") || path.starts_with("ansible/")) && f["severity"] != "info" {
                    failures.push(format!("{provider} {name}: the reflection says of its own {path}: {f}"));
                }
            }
            let total: f64 = report["cloud"]["cost"]["lines"]
                .as_array()
                .map(|l| l.iter().filter_map(|x| x["monthly"].as_f64()).sum())
                .unwrap_or(0.0);
            costs.entry(provider).or_default().push(total);
            let picture = report["cloud"]["picture"].to_string();
            if total <= 0.0 || !picture.contains("Debian 13") {
                failures.push(format!(
                    "{provider} {name}: no cost or machine in the window: {picture}"
                ));
            }
            // The checklist: what Terraform takes, and the playbook's own secrets; never a
            // database URL the playbook builds itself.
            let needs: Vec<(String, String)> = report["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["name"].as_str().unwrap_or("").to_string(),
                        r["place"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            for want in ["ssh_public_key", "admin_cidrs", "DEPLOY_SSH_PUBLIC_KEY"] {
                if !needs.iter().any(|(n, _)| n == want) {
                    failures.push(format!("{provider} {name}: the checklist lacks {want}: {needs:?}"));
                }
            }
            if let Some((n, _)) = needs.iter().find(|(n, _)| n.ends_with("_URL")) {
                failures.push(format!(
                    "{provider} {name}: the checklist asks for {n}, which the playbook builds"
                ));
            }
            let changed: Vec<String> = report["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["path"].as_str().map(str::to_string))
                .collect();
            for want in [
                format!("infra/{provider}/server.tf"),
                "ansible/site.yml".into(),
                format!("docs/{provider}.md"),
            ] {
                if !changed.contains(&want) {
                    failures.push(format!("{provider} {name}: {want} is not written"));
                }
            }
            let vm = p.read("docs/vm.md");
            if !vm.contains(&format!("ansible-playbook site.yml -u {user}"))
                || !vm.contains(&format!("docs/{provider}.md"))
            {
                failures.push(format!(
                    "{provider} {name}: docs/vm.md does not start from the created server as {user}"
                ));
            }
            for w in changed.iter().filter(|w| w.starts_with("infra/") && w.ends_with(".tf")) {
                let text = p.read(w);
                for runtime in [
                    "aws_ecs_",
                    "google_cloud_run",
                    "azurerm_container_app",
                    "aws_db_instance",
                ] {
                    if text.contains(&format!("resource \"{runtime}")) {
                        failures.push(format!("{provider} {name}: a server got {runtime} in {w}"));
                    }
                }
                let to = all.path().join(provider).join(name).join(w);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(&to, text).unwrap();
                tf_files.push(format!("{provider}/{name}/{w}"));
            }
        }
    }
    assert_eq!(runs, 18, "{failures:#?}");
    eprintln!("servers: {} Terraform files of {runs} runs", tf_files.len());
    failures.extend(hcl2_and_checkov(
        all.path(),
        &tf_files,
        "terraform",
        COVERED_SERVERS,
        "servers",
        runs as u64 * 12,
    ));
    for (provider, c) in &costs {
        eprintln!(
            "cost of a server on {provider}: {:.2} to {:.2} USD a month",
            c.iter().cloned().fold(f64::MAX, f64::min),
            c.iter().cloned().fold(0.0, f64::max)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checks a cluster's Terraform never fails: the classes the reflection covers (logs,
/// encryption, private nodes and networks, open ports, admin rights) as checkov names them.
const COVERED_CLUSTERS: &[(&str, &str)] = &[
    ("CKV_AWS_7", "KMS keys rotate"),
    ("CKV_AWS_33", "KMS key policy not open to everyone"),
    ("CKV_AWS_37", "every control-plane log"),
    ("CKV_AWS_58", "Secrets encrypted"),
    ("CKV_AWS_66", "log retention set"),
    ("CKV_AWS_130", "no public IPs on launch"),
    ("CKV_AWS_158", "logs encrypted with KMS"),
    ("CKV_AWS_274", "no AdministratorAccess"),
    ("CKV2_AWS_11", "flow logs"),
    ("CKV2_AWS_12", "the default security group shut"),
    ("CKV2_AWS_64", "KMS key policies defined"),
    ("CKV_GCP_1", "logging"),
    ("CKV_GCP_7", "legacy authorization off"),
    ("CKV_GCP_8", "monitoring"),
    ("CKV_GCP_13", "no client certificates"),
    ("CKV_GCP_18", "the control plane not public"),
    ("CKV_GCP_25", "a private cluster"),
    ("CKV_GCP_26", "flow logs"),
    ("CKV_GCP_43", "KMS keys rotate within 90 days"),
    ("CKV_GCP_64", "private nodes"),
    ("CKV_GCP_66", "Binary Authorization"),
    ("CKV_GCP_70", "a release channel"),
    ("CKV_GCP_71", "shielded nodes"),
    ("CKV_GCP_74", "private Google access"),
    ("CKV_GCP_82", "KMS keys protected from deletion"),
    ("CKV2_GCP_19", "no alpha cluster"),
    ("CKV_AZURE_4", "logs to Azure Monitor"),
    ("CKV_AZURE_5", "RBAC"),
    ("CKV_AZURE_7", "network policies"),
    ("CKV_AZURE_8", "no dashboard"),
    ("CKV_AZURE_9", "no RDP from the internet"),
    ("CKV_AZURE_10", "no SSH from the internet"),
    ("CKV_AZURE_116", "Azure Policy"),
    ("CKV_AZURE_141", "no local admin account"),
    ("CKV_AZURE_143", "no public IPs on nodes"),
    ("CKV_AZURE_170", "the paid tier's SLA"),
    ("CKV_AZURE_171", "an upgrade channel"),
    ("CKV_AZURE_172", "Secrets Store rotation"),
    ("CKV_AZURE_227", "host encryption"),
    ("CKV2_AZURE_31", "an NSG on the subnet"),
];

/// A managed Kubernetes cluster on each cloud from the words people use, through the command:
/// the run writes the manifests and the cloud's cluster in Terraform, and nothing of the cloud's
/// container runtime; the reflection has nothing to say; python-hcl2 reads every file; checkov
/// fails none of the covered checks; actionlint and zizmor find nothing in the workflow, whose
/// rollout signs in to the cloud by OIDC after the cluster's apply and reads no kubeconfig
/// secret; the window gets the picture, the cost and the subjects. The figures are printed.
#[test]
fn a_cluster_on_each_cloud_passes_python_hcl2_checkov_and_the_pipeline_signs_in_by_oidc() {
    let all = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut tf_files: Vec<String> = Vec::new();
    let mut workflows: Vec<String> = Vec::new();
    let mut costs: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut runs = 0;
    for (provider, task, kind, sign_in) in [
        (
            "aws",
            "deploy it to Kubernetes on AWS with autoscaling at {host}",
            "EKS Auto Mode",
            "aws-actions/configure-aws-credentials",
        ),
        (
            "gcp",
            "deploy it to GKE Autopilot at {host}",
            "GKE Autopilot",
            "google-github-actions/auth",
        ),
        ("azure", "deploy it to AKS with Helm at {host}", "AKS", "Azure/login"),
    ] {
        for name in [
            "python-fastapi-k8s",
            "node-express",
            "go-gin",
            "java-spring-maven",
            "mono-pnpm-turbo",
        ] {
            let p = Project::repo(name);
            let host = format!("{}.example.com", name.replace('_', "-"));
            let out = slipway(&[
                "run",
                p.path(),
                "--task",
                &task.replace("{host}", &host),
                "--apply",
                "--json",
            ]);
            if !out.status.success() {
                failures.push(format!("{provider} {name}: the run failed: {}", stderr(&out)));
                continue;
            }
            runs += 1;
            let report = json(&out);
            for f in report["findings"].as_array().unwrap() {
                let path = f["path"].as_str().unwrap_or("");
                if path.starts_with("infra/") && f["severity"] != "info" {
                    failures.push(format!("{provider} {name}: the reflection says of its own {path}: {f}"));
                }
            }
            let total: f64 = report["cloud"]["cost"]["lines"]
                .as_array()
                .map(|l| l.iter().filter_map(|x| x["monthly"].as_f64()).sum())
                .unwrap_or(0.0);
            costs.entry(provider).or_default().push(total);
            let picture = report["cloud"]["picture"].to_string();
            if total <= 0.0 || !picture.contains(kind) {
                failures.push(format!("{provider} {name}: no cost or {kind} in the window: {picture}"));
            }
            let needs: Vec<String> = report["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    format!(
                        "{} {}",
                        r["name"].as_str().unwrap_or(""),
                        r["why"].as_str().unwrap_or("")
                    )
                })
                .collect();
            if needs.iter().any(|n| n.starts_with("KUBE_CONFIG")) {
                failures.push(format!("{provider} {name}: the checklist asks for a kubeconfig"));
            }
            if !needs.iter().any(|n| n.contains("environment:production")) {
                failures.push(format!(
                    "{provider} {name}: the checklist shows no deploy subject: {needs:?}"
                ));
            }
            let changed: Vec<String> = report["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["path"].as_str().map(str::to_string))
                .collect();
            for want in [format!("infra/{provider}/cluster.tf"), format!("docs/{provider}.md")] {
                if !changed.contains(&want) {
                    failures.push(format!("{provider} {name}: {want} is not written"));
                }
            }
            if !changed.iter().any(|c| c.starts_with("k8s/")) {
                failures.push(format!("{provider} {name}: no manifests for the cluster"));
            }
            // The workflow: each rollout into the cluster waits for the cluster's apply, signs in
            // to the cloud with the deploy identity by OIDC, and reads no kubeconfig secret.
            let wf_text = p.read(".github/workflows/ci-cd.yml");
            let wf: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf_text).unwrap();
            let jobs = wf["jobs"].as_mapping().unwrap();
            let rollouts: Vec<_> = jobs
                .iter()
                .filter(|(k, _)| {
                    k.as_str()
                        .is_some_and(|k| k.starts_with("deploy-") && k.ends_with("-kubernetes"))
                })
                .collect();
            if rollouts.is_empty() {
                failures.push(format!("{provider} {name}: no rollout job"));
            }
            for (id, job) in rollouts {
                let needs: Vec<&str> = job["needs"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n.as_str())
                    .collect();
                let steps = serde_yaml_ng::to_string(&job["steps"]).unwrap();
                if !needs.contains(&format!("deploy-{provider}").as_str())
                    || job["permissions"]["id-token"].as_str() != Some("write")
                    || !steps.contains(sign_in)
                    || steps.contains("KUBE_CONFIG")
                    || !steps.contains("$bin/kubeconfig")
                {
                    failures.push(format!(
                        "{provider} {name}: {id:?} does not sign in by OIDC after the apply:\n{steps}"
                    ));
                }
            }
            if !jobs.contains_key(format!("plan-{provider}").as_str()) {
                failures.push(format!(
                    "{provider} {name}: the cluster is not planned on pull requests"
                ));
            }
            let to = all.path().join(provider).join(name).join(".github/workflows/ci-cd.yml");
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(&to, &wf_text).unwrap();
            workflows.push(format!("{provider}/{name}/.github/workflows/ci-cd.yml"));
            for w in changed.iter().filter(|w| w.starts_with("infra/") && w.ends_with(".tf")) {
                let text = p.read(w);
                for runtime in ["aws_ecs_", "google_cloud_run", "azurerm_container_app", "aws_lb\""] {
                    if text.contains(&format!("resource \"{runtime}")) {
                        failures.push(format!("{provider} {name}: a cluster got {runtime} in {w}"));
                    }
                }
                let to = all.path().join(provider).join(name).join(w);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(&to, text).unwrap();
                tf_files.push(format!("{provider}/{name}/{w}"));
            }
        }
    }
    assert_eq!(runs, 15, "{failures:#?}");
    eprintln!(
        "clusters: {} Terraform files and {} workflows of {runs} runs",
        tf_files.len(),
        workflows.len()
    );
    failures.extend(hcl2_and_checkov(
        all.path(),
        &tf_files,
        "terraform",
        COVERED_CLUSTERS,
        "clusters",
        runs as u64 * 15,
    ));
    let wf: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let out = run(&tool("actionlint"), &wf, all.path());
    eprintln!(
        "actionlint (clusters): {} workflows, exit {:?}",
        wf.len(),
        out.status.code()
    );
    if !out.status.success() || !out.stdout.is_empty() {
        failures.push(format!("actionlint reports:\n{}", stdout(&out)));
    }
    let mut z = vec!["--offline", "--no-progress", "--format", "json-v1"];
    z.extend(wf.iter().copied());
    let out = run(&tool("zizmor"), &z, all.path());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    eprintln!("zizmor (clusters): {} workflows, findings {found}", wf.len());
    if found != Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }
    for (provider, c) in &costs {
        eprintln!(
            "cost of a cluster on {provider}: {:.2} to {:.2} USD a month",
            c.iter().cloned().fold(f64::MAX, f64::min),
            c.iter().cloned().fold(0.0, f64::max)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Static sites on Azure Static Web Apps, through the command, on every static fixture: the
/// reflection says nothing of its own files; python-hcl2 reads them and checkov fails none of
/// the covered checks; actionlint (with shellcheck) and zizmor find nothing in the workflow,
/// which builds no image and fetches the upload token with its own OIDC credentials. Then the
/// upload's staging runs for real on a site served from its sources: the browser's files go,
/// the repository's other files (infra/, docs/, the workflow) never do.
#[test]
fn static_sites_go_to_azure_static_web_apps_and_publish_only_the_sites_files() {
    let all = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut tf_files: Vec<String> = Vec::new();
    let mut workflows: Vec<String> = Vec::new();
    let mut runs = 0;
    for name in [
        "static-site",
        "node-vite-react",
        "node-astro-static",
        "node-nextjs-export",
        "node-angular",
    ] {
        let p = Project::repo(name);
        let out = slipway(&[
            "run",
            p.path(),
            "--task",
            "deploy this site to Azure at www.example.com",
            "--apply",
            "--json",
        ]);
        if !out.status.success() {
            failures.push(format!("{name}: the run failed: {}", stderr(&out)));
            continue;
        }
        runs += 1;
        let report = json(&out);
        for f in report["findings"].as_array().unwrap() {
            if f["path"].as_str().unwrap_or("").starts_with("infra/") && f["severity"] != "info" {
                failures.push(format!("{name}: the reflection says of its own files: {f}"));
            }
        }
        let picture = report["cloud"]["picture"].to_string();
        if !picture.contains("Static Web App") || picture.contains("Container App") {
            failures.push(format!("{name}: the window's picture is not the site's: {picture}"));
        }
        let wf_text = p.read(".github/workflows/ci-cd.yml");
        let wf: serde_yaml_ng::Value = serde_yaml_ng::from_str(&wf_text).unwrap();
        let jobs = wf["jobs"].as_mapping().unwrap();
        if jobs.keys().any(|k| k.as_str().is_some_and(|k| k.starts_with("image-"))) {
            failures.push(format!("{name}: a site got an image job"));
        }
        let deploy = serde_yaml_ng::to_string(&wf["jobs"]["deploy-azure"]).unwrap();
        if !(deploy.contains("az staticwebapp secrets list")
            && deploy.contains("static-web-apps-cli@")
            && deploy.contains("id-token: write"))
        {
            failures.push(format!(
                "{name}: the deploy does not upload with a fetched token:\n{deploy}"
            ));
        }
        if wf_text.contains("secrets.") {
            failures.push(format!("{name}: the workflow reads a stored secret"));
        }
        let to = all.path().join(name).join(".github/workflows/ci-cd.yml");
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, &wf_text).unwrap();
        workflows.push(format!("{name}/.github/workflows/ci-cd.yml"));
        for c in report["changes"].as_array().unwrap() {
            let w = c["path"].as_str().unwrap_or("");
            if w.starts_with("infra/") && w.ends_with(".tf") {
                let to = all.path().join(name).join(w);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::write(&to, p.read(w)).unwrap();
                tf_files.push(format!("{name}/{w}"));
            }
        }
        if name == "static-site" {
            // The staging lines, run in the project as the job would.
            let script = wf["jobs"]["deploy-azure"]["steps"]
                .as_sequence()
                .unwrap()
                .iter()
                .filter_map(|s| s["run"].as_str())
                .find(|r| r.contains("tf apply"))
                .unwrap()
                .to_string();
            let staging: Vec<&str> = script
                .lines()
                .skip_while(|l| !l.starts_with("site=$(mktemp -d)"))
                .take_while(|l| !l.starts_with("SWA_CLI_DEPLOYMENT_TOKEN="))
                .collect();
            let out = Command::new("bash")
                .args([
                    "-euc",
                    &format!("{}\ncd \"$site\" && find . -type f | sort", staging.join("\n")),
                ])
                .current_dir(&p.work)
                .output()
                .unwrap();
            let staged = stdout(&out);
            eprintln!("staged for upload: {}", staged.lines().collect::<Vec<_>>().join(" "));
            if !out.status.success() || !staged.contains("./index.html") || !staged.contains("./404.html") {
                failures.push(format!("the staging did not stage the site: {staged}{}", stderr(&out)));
            }
            for never in [
                "./infra/",
                "./docs/",
                "./.github/",
                "Dockerfile",
                "./staticwebapp.config.json",
                ".tf",
            ] {
                if staged.contains(never) {
                    failures.push(format!("the upload would publish {never}: {staged}"));
                }
            }
        }
    }
    assert_eq!(runs, 5, "{failures:#?}");
    failures.extend(hcl2_and_checkov(
        all.path(),
        &tf_files,
        "terraform",
        COVERED_SITES_AZURE,
        "Static Web Apps",
        runs as u64 * 4,
    ));
    let wf: Vec<&str> = workflows.iter().map(String::as_str).collect();
    let out = run(&tool("actionlint"), &wf, all.path());
    if !out.status.success() || !out.stdout.is_empty() {
        failures.push(format!("actionlint reports:\n{}", stdout(&out)));
    }
    let mut z = vec!["--offline", "--no-progress", "--format", "json-v1"];
    z.extend(wf.iter().copied());
    let out = run(&tool("zizmor"), &z, all.path());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    eprintln!(
        "actionlint and zizmor (Static Web Apps): {} workflows, zizmor findings {found}",
        wf.len()
    );
    if found != Value::Array(vec![]) {
        failures.push(format!("zizmor reports: {found:#}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checks a static site's Azure stack never fails.
const COVERED_SITES_AZURE: &[(&str, &str)] = &[
    ("CKV_AZURE_3", "the state's storage account takes HTTPS only"),
    ("CKV_AZURE_44", "TLS 1.2 on the state's storage account"),
    ("CKV_AZURE_190", "no public blob access"),
    ("CKV2_AZURE_40", "no shared keys on the state's storage account"),
];
