//! AWS in Terraform through the `slipway` command, checked by independent tools: every fixture
//! is put on AWS with Terraform; every `.tf` file written parses with python-hcl2 (the parser
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
    ("CKV_AWS_211", "RDS current CA"),
    ("CKV_AWS_226", "RDS minor upgrades"),
    ("CKV_AWS_277", "no port range open to the internet"),
    ("CKV_AWS_293", "RDS deletion protection"),
    ("CKV_AWS_328", "desync mitigation"),
    ("CKV_AWS_332", "ECS on the latest platform"),
    ("CKV_AWS_333", "ECS tasks get no public IP"),
    ("CKV_AWS_334", "ECS containers not privileged"),
    ("CKV_AWS_336", "ECS read-only root file system"),
    ("CKV_AWS_353", "RDS Performance Insights"),
    ("CKV_AWS_354", "Performance Insights encrypted"),
    ("CKV2_AWS_11", "VPC flow logs"),
    ("CKV2_AWS_12", "default security group closed"),
    ("CKV2_AWS_64", "KMS key policies written"),
];

fn run(tool: &Path, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()))
}

#[test]
fn terraform_parses_and_passes_checkov_on_every_fixture() {
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
    let mut workflows: Vec<String> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    for name in &names {
        let p = Project::repo(name);
        let host = format!("{}.example.com", name.replace('_', "-"));
        let out = slipway(&[
            "run",
            p.path(),
            "--task",
            &format!("put this on AWS with Terraform on {host}"),
            "--apply",
            "--json",
        ]);
        if !out.status.success() {
            let why = stderr(&out);
            if why.contains("found no service") || why.contains("cannot containerize") || why.contains("Slipway cannot")
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
            if path.starts_with("infra/") && f["severity"] != "info" {
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
                if w.ends_with("ci-cd.yml") && !(text.contains("  plan-aws:") && text.contains("  deploy-aws:")) {
                    failures.push(format!("{name}: the pipeline neither plans nor applies infra/aws"));
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
        }
    }
    assert!(projects >= 80, "only {projects} fixtures were put on AWS");

    // python-hcl2, the parser checkov reads Terraform with, on every file.
    let script = "import sys, hcl2\nbad = 0\nfor f in sys.argv[1:]:\n    try:\n        hcl2.load(open(f))\n    except Exception as e:\n        bad += 1\n        print(f, e)\nprint(len(sys.argv) - 1, 'files', bad, 'errors')\nsys.exit(1 if bad else 0)\n";
    let mut a = vec!["-c", script];
    a.extend(tf_files.iter().map(String::as_str));
    let out = run(&tool("python"), &a, all.path());
    eprintln!("python-hcl2: {}", stdout(&out).lines().last().unwrap_or(""));
    if !out.status.success() {
        failures.push(format!("python-hcl2: {}{}", stdout(&out), stderr(&out)));
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

    // checkov's Terraform checks, every project's stacks.
    let out = run(
        &tool("checkov"),
        &[
            "-d",
            ".",
            "--framework",
            "terraform",
            "--skip-download",
            "--compact",
            "--quiet",
            "-o",
            "json",
        ],
        all.path(),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let reports = match report {
        Value::Array(a) => a,
        Value::Object(_) => vec![report],
        _ => vec![],
    };
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    let mut passed = 0;
    let mut resources = 0;
    for r in &reports {
        passed += r["summary"]["passed"].as_u64().unwrap_or(0);
        resources += r["summary"]["resource_count"].as_u64().unwrap_or(0);
        for f in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            let id = f["check_id"].as_str().unwrap_or("").to_string();
            if COVERED.iter().any(|(c, _)| *c == id) {
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
        "checkov terraform: {} files of {projects} projects, {resources} resources; {passed} checks passed, {total} findings ({:.2} per resource), none of the {} covered: {failed:?}",
        tf_files.len(),
        total as f64 / resources.max(1) as f64,
        COVERED.len()
    );
    if passed == 0 || resources < projects as u64 * 30 {
        failures.push(format!("checkov checked {resources} resources in {projects} projects"));
    }
    totals.sort_by(|a, b| a.total_cmp(b));
    eprintln!(
        "cost estimates: {} projects, from {:.2} to {:.2} USD a month (median {:.2})",
        totals.len(),
        totals.first().copied().unwrap_or(0.0),
        totals.last().copied().unwrap_or(0.0),
        totals.get(totals.len() / 2).copied().unwrap_or(0.0)
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
