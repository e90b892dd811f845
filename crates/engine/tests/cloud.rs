//! The cloud family on every fixture project: AWS in Terraform. Each generated file must match
//! its reviewed snapshot in tests/snapshots-cloud/, every Terraform file must read back as HCL
//! and be written again byte for byte (the writer's own form is `terraform fmt`'s), and the
//! reflection's checks must find nothing to say about it. Then the seed's example field by
//! field, and the refusals of bad input. Run with `UPDATE_SNAPSHOTS=1` to rewrite the
//! snapshots, then review the diff.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use slipway_engine::cloud;
use slipway_engine::params::{Target, TaskParams};
use slipway_engine::spec;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn snapshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots-cloud")
}

fn compare(path: &Path, actual: &str) -> Result<(), String> {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => Ok(()),
        _ if update => {
            std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
            std::fs::write(path, actual).map_err(|e| e.to_string())
        }
        Ok(expected) => Err(format!(
            "{} changed (UPDATE_SNAPSHOTS=1 rewrites it once the change is right):\n{}",
            path.display(),
            similar::TextDiff::from_lines(expected.as_str(), actual)
                .unified_diff()
                .header("snapshot", "now")
        )),
        Err(_) => Err(format!(
            "no snapshot {} yet: run with UPDATE_SNAPSHOTS=1, then review it",
            path.display()
        )),
    }
}

fn params(host: Option<&str>) -> TaskParams {
    TaskParams {
        targets: vec![Target::Ecs],
        host: host.map(str::to_string),
        ..Default::default()
    }
}

/// Generates for `profile` and checks what every generation must hold; returns the files.
fn generate_and_check(profile: &slipway_scan::ProjectProfile, p: &TaskParams) -> Result<Vec<(String, String)>, String> {
    let spec = spec::build(profile, p);
    let g = cloud::generate(
        &spec,
        &slipway_engine::kube::image_facts(profile),
        Some("git@github.com:acme/shop.git"),
    )?;
    let mut problems = Vec::new();
    for a in &g.artifacts {
        if !a.path.ends_with(".tf") {
            continue;
        }
        let body: hcl::Body = match a.content.parse() {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{}: does not parse as HCL: {e}", a.path));
                continue;
            }
        };
        // The writer's output is its own fixed point: read back and written again, it is the
        // same bytes below the header comments.
        let again = slipway_engine::write::hcl::format_body(&body);
        let body_text: String = a
            .content
            .lines()
            .skip_while(|l| l.starts_with('#') || l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        let strip = |t: &str| -> String {
            t.lines()
                .filter(|l| !l.trim_start().starts_with('#') && !l.is_empty())
                .map(|l| format!("{l}\n"))
                .collect()
        };
        if strip(&again) != strip(&body_text) {
            problems.push(format!(
                "{}: written again it differs:\n{}",
                a.path,
                similar::TextDiff::from_lines(strip(&body_text).as_str(), strip(&again).as_str()).unified_diff()
            ));
        }
        for f in slipway_engine::check::check_file(&a.path, &a.content, &profile.services) {
            problems.push(format!("the reflection says of {}: {} {}", a.path, f.rule, f.message));
        }
    }
    if problems.is_empty() {
        Ok(g.artifacts.into_iter().map(|a| (a.path, a.content)).collect())
    } else {
        Err(problems.join("\n"))
    }
}

fn check(name: &str) -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join(name)).map_err(|e| e.to_string())?;
    if profile.services.is_empty() {
        return Ok(());
    }
    let host = format!("{}.example.com", slipway_engine::kube::name_of(name));
    if profile.services.iter().all(|s| s.kind == "static") {
        // Files for a CDN get no container stack: refused in words, nothing written.
        return match generate_and_check(&profile, &params(Some(&host))) {
            Err(why) if why.contains("cannot put a static site on AWS yet") => Ok(()),
            Err(why) => Err(format!("refused for the wrong reason: {why}").into()),
            Ok(files) => Err(format!("a static-only project got {} files", files.len()).into()),
        };
    }
    let files = generate_and_check(&profile, &params(Some(&host)))?;
    let mut errors = Vec::new();
    for (path, text) in &files {
        if let Err(e) = compare(&snapshots().join(name).join(path), text) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n").into())
    }
}

fn body_of(files: &[(String, String)], path: &str) -> hcl::Body {
    files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} is written"))
        .1
        .parse()
        .unwrap()
}

/// The attribute `name` of the top-level block whose labels are `labels`, as HCL text.
fn attr(body: &hcl::Body, labels: &[&str], name: &str) -> Option<String> {
    body.blocks()
        .find(|b| b.labels.iter().map(|l| l.as_str()).collect::<Vec<_>>() == labels)
        .and_then(|b| b.body.attributes().find(|a| a.key.as_str() == name))
        .map(|a| hcl::format::to_string(&a.expr).unwrap_or_default())
}

/// The seed's example on AWS: a FastAPI service with PostgreSQL and Redis, "keep 30 days of
/// backups", in eu-west-1. The port, the readiness path, the secret names and the image
/// repository agree with the analysis, the Dockerfile and the pipeline's image name; the
/// database is private, encrypted and backed up as asked; no access key anywhere.
fn seed() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let task = slipway_engine::task::understand(
        "Put this service on AWS with Terraform in eu-west-1 on api.example.com, keep 30 days of backups",
    )
    .map_err(|e| e.to_string())?;
    if !task.wants_cloud() {
        return Err(format!("the task is not read as AWS: {:?}", task.params.targets).into());
    }
    let files = generate_and_check(&profile, &task.params)?;
    let svc = &profile.services[0];
    let mut wrong = Vec::new();
    let lb = body_of(&files, "infra/aws/load-balancer.tf");
    let port = attr(&lb, &["aws_lb_target_group", "catalog"], "port");
    if port != svc.port.map(|p| p.to_string()) {
        wrong.push(format!(
            "the target group's port is {port:?}, the service's {:?}",
            svc.port
        ));
    }
    let lb_text = &files.iter().find(|(p, _)| p == "infra/aws/load-balancer.tf").unwrap().1;
    if !lb_text.contains("path                = \"/ready\"") {
        wrong.push("the load balancer does not ask the readiness path /ready".into());
    }
    let dockerfile = slipway_engine::generate::image(svc).map_err(|e| e.to_string())?.image;
    if dockerfile.port() != svc.port {
        wrong.push(format!("the Dockerfile exposes {:?}", dockerfile.port()));
    }
    let services = &files.iter().find(|(p, _)| p == "infra/aws/services.tf").unwrap().1;
    for name in ["DATABASE_URL", "REDIS_URL"] {
        if !services.contains(&format!("name      = \"{name}\"")) {
            wrong.push(format!("the container does not read {name} from Secrets Manager"));
        }
    }
    let uid = dockerfile.user_of().unwrap_or_default().to_string();
    if !services.contains(&format!("user                   = \"{uid}\"")) {
        wrong.push(format!("the task does not run as the image's user {uid}"));
    }
    let vars = body_of(&files, "infra/aws/variables.tf");
    let days = attr(&vars, &["backup_days"], "default");
    let region = attr(&vars, &["region"], "default");
    if days.as_deref() != Some("30") || region.as_deref() != Some("\"eu-west-1\"") {
        wrong.push(format!("backups {days:?} days in {region:?}, not 30 in eu-west-1"));
    }
    let db = body_of(&files, "infra/aws/databases.tf");
    for (name, want) in [
        ("publicly_accessible", "false"),
        ("storage_encrypted", "true"),
        ("deletion_protection", "true"),
        ("backup_retention_period", "var.backup_days"),
        ("delete_automated_backups", "false"),
        ("manage_master_user_password", "true"),
    ] {
        let got = attr(&db, &["aws_db_instance", "postgres"], name);
        if got.as_deref() != Some(want) {
            wrong.push(format!("the database's {name} is {got:?}, not {want}"));
        }
    }
    let boot = body_of(&files, "infra/aws/bootstrap/main.tf");
    if attr(&boot, &["aws_ecr_repository", "catalog"], "name").as_deref() != Some("\"shop\"") {
        wrong.push("the image repository is not named as the pipeline pushes (the git repository's name)".into());
    }
    let backend = &files.iter().find(|(p, _)| p == "infra/aws/backend.tf").unwrap().1;
    if !backend.contains("use_lockfile = true") || backend.contains("dynamodb_table") {
        wrong.push("the state is not locked by its lock file".into());
    }
    let trust = &files
        .iter()
        .find(|(p, _)| p == "infra/aws/bootstrap/main.tf")
        .unwrap()
        .1;
    if !trust.contains("repo:${var.github_repository}:environment:production") || !trust.contains("\"acme/shop\"") {
        wrong.push("the deploy role does not trust exactly the production environment of acme/shop".into());
    }
    for (path, text) in &files {
        for needle in ["AKIA", "aws_access_key_id", "secret_key", "access_key ="] {
            if text.contains(needle) {
                wrong.push(format!("{path} holds {needle}"));
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Values no AWS account takes are refused in words before anything is written.
fn refusals() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for (task, want) in [
        ("put it on AWS with Terraform in eu-middle-9", "AWS does not have"),
        ("put it on AWS with Terraform, keep 40 days of backups", "1 to 35 days"),
        ("put it on AWS with Terraform, keep 0 days of backups", "1 to 35 days"),
    ] {
        let t = slipway_engine::task::understand(task).map_err(|e| e.to_string())?;
        let spec = spec::build(&profile, &t.params);
        if !spec.errors.iter().any(|e| e.contains(want)) {
            wrong.push(format!("{task:?} is not refused with {want:?}: {:?}", spec.errors));
        }
        if cloud::generate(&spec, &[], None).is_ok() {
            wrong.push(format!("{task:?} still generates"));
        }
    }
    for (toml, want) in [
        ("vpc_cidr = \"10.0.0.0/33\"", "is not an IPv4 range"),
        ("vpc_cidr = \"10.0.300.0/16\"", "is not an IPv4 range"),
        ("vpc_cidr = \"10.0.1.0/16\"", "is not an IPv4 range"),
        ("region = \"moon-1\"", "is not an AWS region"),
        ("task_cpu = 300", "is not a Fargate size"),
        ("task_memory = 8192", "does not go with task_cpu = 512"),
        ("log_days = 45", "is not a retention CloudWatch Logs offers"),
        ("iac = \"pulumi\"", "Terraform only so far"),
    ] {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("p");
        slipway_engine_test_copy(&fixtures().join("python-fastapi-k8s"), &root);
        std::fs::write(
            root.join("slipway.toml"),
            format!("[deploy]\ntargets = [\"ecs\"]\n{toml}\n"),
        )
        .map_err(|e| e.to_string())?;
        let p = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
        let spec = spec::build(&p, &TaskParams::default());
        let named = spec
            .errors
            .iter()
            .any(|e| e.contains(want) && e.contains("line 3 of slipway.toml"));
        if !named {
            wrong.push(format!(
                "{toml:?} is not refused with its line and {want:?}: {:?}",
                spec.errors
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

fn slipway_engine_test_copy(from: &Path, to: &Path) {
    let ok = std::process::Command::new("cp")
        .args(["-R", &from.to_string_lossy(), &to.to_string_lossy()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "cp -R {} {}", from.display(), to.display());
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![
        Trial::test("the seed's service on AWS, field by field", seed),
        Trial::test("values no AWS account takes are refused in words", refusals),
    ];
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    for n in names {
        let name = n.clone();
        trials.push(Trial::test(name, move || check(&n)));
    }
    libtest_mimic::run(&args, trials).exit_code();
}
