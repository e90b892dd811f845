//! The cloud family on every fixture project: AWS and Google Cloud in Terraform. Each generated
//! file must match
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
    on(Target::Ecs, host)
}

fn on(target: Target, host: Option<&str>) -> TaskParams {
    TaskParams {
        targets: vec![target],
        host: host.map(str::to_string),
        ..Default::default()
    }
}

/// "A VM on `provider`": the server the cloud creates and Ansible configures.
fn on_server(provider: &str, host: Option<&str>) -> TaskParams {
    TaskParams {
        server_cloud: Some(provider.into()),
        ..on(Target::Vm, host)
    }
}

/// Kubernetes on `provider`: the cluster the cloud creates and the manifests run in.
fn on_cluster(provider: &str, host: Option<&str>) -> TaskParams {
    TaskParams {
        cluster_cloud: Some(provider.into()),
        ..on(Target::Kubernetes, host)
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
    problems.extend(undeclared(&g.artifacts));
    if problems.is_empty() {
        Ok(g.artifacts.into_iter().map(|a| (a.path, a.content)).collect())
    } else {
        Err(problems.join("\n"))
    }
}

/// The code parts of a Terraform text: outside strings, and inside a string's `${...}`.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    let mut depth = 0;
    while let Some(c) = chars.next() {
        if in_string && depth == 0 {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                '$' if chars.peek() == Some(&'{') => {
                    chars.next();
                    depth = 1;
                    out.push(' ');
                }
                _ => {}
            }
            continue;
        }
        match c {
            '#' if !in_string => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                out.push('\n');
            }
            '"' if depth == 0 => in_string = true,
            '{' if depth > 0 => {
                depth += 1;
                out.push(c);
            }
            '}' if depth > 0 => {
                depth -= 1;
                out.push(if depth == 0 { ' ' } else { c });
            }
            _ => out.push(c),
        }
    }
    out
}

/// References to variables, locals, data sources and resources that no file of the same stack
/// declares: `terraform validate` would refuse them, and it cannot run here without providers.
fn undeclared(artifacts: &[slipway_engine::Artifact]) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut stacks: BTreeMap<String, Vec<&slipway_engine::Artifact>> = BTreeMap::new();
    for a in artifacts.iter().filter(|a| a.path.ends_with(".tf")) {
        let dir = a.path.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
        stacks.entry(dir).or_default().push(a);
    }
    let reference = regex_lite::Regex::new(
        r"\b(var\.[a-z0-9_-]+|local\.[a-z0-9_-]+|data\.[a-z0-9_]+\.[a-z0-9_-]+|(?:aws|google|random|azurerm)_[a-z0-9_]+\.[a-z0-9_-]+)",
    )
    .unwrap();
    let mut problems = Vec::new();
    for (dir, files) in stacks {
        let mut declared = BTreeSet::new();
        for a in &files {
            let Ok(body) = a.content.parse::<hcl::Body>() else {
                continue;
            };
            for b in body.blocks() {
                let l: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
                match (b.identifier.as_str(), l.as_slice()) {
                    ("variable", [n]) => {
                        declared.insert(format!("var.{n}"));
                    }
                    ("resource", [t, n]) => {
                        declared.insert(format!("{t}.{n}"));
                    }
                    ("data", [t, n]) => {
                        declared.insert(format!("data.{t}.{n}"));
                    }
                    ("locals", []) => {
                        for at in b.body.attributes() {
                            declared.insert(format!("local.{}", at.key.as_str()));
                        }
                    }
                    _ => {}
                }
            }
        }
        for a in &files {
            let code = code_of(&a.content);
            for m in reference.find_iter(&code) {
                let r = m.as_str();
                // `aws_x.y` right after `data.` is the data source's own name.
                if code[..m.start()].ends_with("data.") {
                    continue;
                }
                if !declared.contains(r) {
                    problems.push(format!("{}: {r} is not declared in {dir}/", a.path));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn check(name: &str) -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join(name)).map_err(|e| e.to_string())?;
    if profile.services.is_empty() {
        return Ok(());
    }
    let host = format!("{}.example.com", slipway_engine::kube::name_of(name));
    // A server on each cloud: whatever runs on it, its Terraform parses, is its own fixed point,
    // declares what it references and passes the reflection; one project's is kept as snapshots.
    for provider in ["aws", "gcp", "azure"] {
        let files = generate_and_check(&profile, &on_server(provider, Some(&host)))
            .map_err(|e| format!("a server on {provider}: {e}"))?;
        if name == "python-fastapi-k8s" {
            for (path, text) in &files {
                compare(&snapshots().join(name).join("server").join(path), text)?;
            }
        }
    }
    // A managed cluster on each cloud, the same checks; one project's kept as snapshots.
    for provider in ["aws", "gcp", "azure"] {
        let files = generate_and_check(&profile, &on_cluster(provider, Some(&host)))
            .map_err(|e| format!("a cluster on {provider}: {e}"))?;
        if name == "python-fastapi-k8s" {
            for (path, text) in &files {
                compare(&snapshots().join(name).join("cluster").join(path), text)?;
            }
        }
    }
    let mut files = generate_and_check(&profile, &params(Some(&host)))?;
    if profile.services.iter().all(|s| s.kind == "static") {
        // Files for a CDN get no container stack: on AWS a bucket behind CloudFront, no network,
        // no load balancer, no image repository; Google Cloud refuses in words.
        for (path, text) in &files {
            for thing in [
                "aws_vpc",
                "aws_lb",
                "aws_ecs_",
                "aws_ecr_repository",
                "aws_nat_gateway",
                "aws_iam_role_policy_attachment\" \"ci_deploy_power",
            ] {
                if text.contains(&format!("resource \"{thing}")) {
                    return Err(format!("a static site got {thing} in {path}").into());
                }
            }
        }
        if !files
            .iter()
            .any(|(p, t)| p == "infra/aws/site.tf" && t.contains("resource \"aws_cloudfront_distribution\""))
        {
            return Err("a static site got no CloudFront distribution".into());
        }
        // On Azure, Azure Static Web Apps: kept beside AWS's files.
        files.extend(
            generate_and_check(&profile, &on(Target::AzureContainerApps, Some(&host)))
                .map_err(|e| format!("Azure Static Web Apps: {e}"))?,
        );
        match generate_and_check(&profile, &on(Target::CloudRun, Some(&host))) {
            Err(why) if why.contains("cannot put a static site on Google Cloud yet") => {}
            Err(why) => return Err(format!("Google Cloud refused for the wrong reason: {why}").into()),
            Ok(files) => return Err(format!("Google Cloud got {} files for a static site", files.len()).into()),
        }
        let mut errors = Vec::new();
        for (path, text) in &files {
            if let Err(e) = compare(&snapshots().join(name).join(path), text) {
                errors.push(e);
            }
        }
        return if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n").into())
        };
    }
    // Google Cloud: Cloud Run keeps no data on disk and runs only what answers HTTP, so those
    // projects are refused in words, with nothing written.
    let keeps_data = profile
        .services
        .iter()
        .any(|s| s.data_path.is_some() && s.kind != "static");
    let answers = profile
        .services
        .iter()
        .any(|s| s.kind != "worker" && s.kind != "static" && s.port.is_some());
    match generate_and_check(&profile, &on(Target::CloudRun, Some(&host))) {
        Ok(gcp) if !keeps_data && answers => {
            files.extend(gcp);
            // The same as a Pulumi program, its files kept apart from Terraform's.
            let pulumi = TaskParams {
                iac: Some("pulumi".into()),
                ..on(Target::CloudRun, Some(&host))
            };
            let spec = spec::build(&profile, &pulumi);
            let g = cloud::generate(
                &spec,
                &slipway_engine::kube::image_facts(&profile),
                Some("git@github.com:acme/shop.git"),
            )
            .map_err(|e| format!("Pulumi: {e}"))?;
            if let Some(f) = g.findings.iter().find(|f| f.rule != "cloud/not-placed") {
                return Err(format!("Pulumi: the reflection says {}: {}", f.path, f.message).into());
            }
            files.extend(
                g.artifacts
                    .into_iter()
                    .map(|a| (format!("pulumi/{}", a.path), a.content)),
            );
        }
        Err(why) if keeps_data && why.contains("Cloud Run's disk") || why.contains("instance's disk is memory") => {}
        Err(why) if !answers && why.contains("none of its services answers HTTP") => {}
        Ok(gcp) => return Err(format!("Cloud Run got {} files for a project it cannot run", gcp.len()).into()),
        Err(why) => return Err(format!("Google Cloud: {why}").into()),
    }
    // The same AWS stacks as CloudFormation templates, kept apart from Terraform's.
    let cfn = TaskParams {
        iac: Some("cloudformation".into()),
        ..params(Some(&host))
    };
    let spec = spec::build(&profile, &cfn);
    let g = cloud::generate(
        &spec,
        &slipway_engine::kube::image_facts(&profile),
        Some("git@github.com:acme/shop.git"),
    )
    .map_err(|e| format!("CloudFormation: {e}"))?;
    if let Some(f) = g.findings.iter().find(|f| f.rule != "cloud/not-placed") {
        return Err(format!("CloudFormation: the reflection says {}: {}", f.path, f.message).into());
    }
    if g.artifacts.iter().any(|a| a.path.ends_with(".tf")) {
        return Err("CloudFormation was asked and Terraform written".into());
    }
    files.extend(
        g.artifacts
            .into_iter()
            .map(|a| (format!("cloudformation/{}", a.path), a.content)),
    );
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

/// The seed's example on Google Cloud: the same service to Cloud Run with Cloud SQL, "keep 21
/// days of backups", in europe-west1. The port, probes, secrets and image agree with the
/// analysis; the database is private, TLS only, backed up as asked and protected; the pipeline's
/// identities admit exactly its subjects; no key anywhere.
fn seed_gcp() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let task = slipway_engine::task::understand(
        "deploy this to Cloud Run with Terraform in europe-west1 on api.example.com, keep 21 days of backups",
    )
    .map_err(|e| e.to_string())?;
    if !task.wants_cloud() || !task.params.targets.contains(&Target::CloudRun) {
        return Err(format!("the task is not read as Cloud Run: {:?}", task.params.targets).into());
    }
    let files = generate_and_check(&profile, &task.params)?;
    let svc = &profile.services[0];
    let text = |p: &str| {
        files
            .iter()
            .find(|(f, _)| f == p)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let mut wrong = Vec::new();
    let services = text("infra/gcp/services.tf");
    let port = svc.port.unwrap_or_default();
    if !services.contains(&format!("container_port = {port}")) {
        wrong.push(format!("Cloud Run does not send requests to {port}"));
    }
    let dockerfile = slipway_engine::generate::image(svc).map_err(|e| e.to_string())?.image;
    if dockerfile.port() != svc.port {
        wrong.push(format!("the Dockerfile exposes {:?}", dockerfile.port()));
    }
    // The startup probe waits on readiness; liveness asks the shallow health path.
    let startup = services.split("startup_probe").nth(1).unwrap_or("");
    let liveness = services.split("liveness_probe").nth(1).unwrap_or("");
    if !startup.starts_with(" {")
        || !startup[..startup.find("liveness").unwrap_or(startup.len())].contains("path = \"/ready\"")
    {
        wrong.push("the startup probe does not ask /ready".into());
    }
    if !liveness[..liveness.find("env").unwrap_or(liveness.len())].contains("path = \"/health\"") {
        wrong.push("the liveness probe does not ask /health".into());
    }
    for name in ["DATABASE_URL", "REDIS_URL"] {
        if !services.contains(&format!("name = \"{name}\"")) || !services.contains(&format!("-catalog-{name}\"")) {
            wrong.push(format!("the service does not read {name} from Secret Manager"));
        }
    }
    let vars = body_of(&files, "infra/gcp/variables.tf");
    let days = attr(&vars, &["backup_days"], "default");
    let region = attr(&vars, &["region"], "default");
    if days.as_deref() != Some("21") || region.as_deref() != Some("\"europe-west1\"") {
        wrong.push(format!("backups {days:?} in {region:?}, not 21 in europe-west1"));
    }
    let db = text("infra/gcp/database.tf");
    for want in [
        "deletion_protection = true",
        "deletion_protection_enabled = true",
        "retain_backups_on_delete    = true",
        "ipv4_enabled    = false",
        "ssl_mode        = \"ENCRYPTED_ONLY\"",
        "point_in_time_recovery_enabled = true",
        "retained_backups = var.backup_days",
    ] {
        if !db.contains(want) {
            wrong.push(format!("the database lacks {want}"));
        }
    }
    let boot = text("infra/gcp/bootstrap/main.tf");
    if !boot.contains("repository_id          = \"python-fastapi-k8s\"") && !boot.contains("repository_id = ") {
        wrong.push("no image repository".into());
    }
    for subject in [
        "repo:acme/shop:pull_request",
        "repo:acme/shop:ref:refs/heads/main",
        "repo:acme/shop:environment:production",
    ] {
        if !boot.contains(&format!("subject/{subject}\"")) {
            wrong.push(format!("no service account admits exactly {subject}"));
        }
    }
    let backend = text("infra/gcp/backend.tf");
    if !backend.contains("backend \"gcs\"") {
        wrong.push("the state is not in Cloud Storage".into());
    }
    for (path, text) in &files {
        for needle in [
            "private_key",
            "credentials =",
            "google_service_account_key",
            "\"type\": \"service_account\"",
        ] {
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

/// Values Google Cloud does not take are refused in words before anything is written.
fn refusals_gcp() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for (task, want) in [
        ("deploy it to Cloud Run in europe-west99", "Google Cloud does not have"),
        ("deploy it to Cloud Run in us-east-1", "Google Cloud does not have"),
        (
            "deploy it to Cloud Run, keep 400 days of backups",
            "1 to 365 daily backups",
        ),
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
        ("vpc_cidr = \"10.0.0.0/8\"", "is not an IPv4 range"),
        ("region = \"eu-west-1\"", "is not a Google Cloud region"),
        ("task_cpu = 512", "is not a Cloud Run size"),
        ("task_memory = 8192", "does not go with task_cpu = 1024 on Cloud Run"),
        ("db_class = \"db.t4g.small\"", "is not a Cloud SQL tier"),
        ("db_storage = 5", "Cloud SQL takes for SSD storage"),
        ("log_days = 4000", "Cloud Logging keeps"),
    ] {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("p");
        slipway_engine_test_copy(&fixtures().join("python-fastapi-k8s"), &root);
        std::fs::write(
            root.join("slipway.toml"),
            format!("[deploy]\ntargets = [\"cloud-run\"]\n{toml}\n"),
        )
        .map_err(|e| e.to_string())?;
        let p = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
        let spec = spec::build(&p, &TaskParams::default());
        if !spec
            .errors
            .iter()
            .any(|e| e.contains(want) && e.contains("line 3 of slipway.toml"))
        {
            wrong.push(format!(
                "{toml:?} is not refused with its line and {want:?}: {:?}",
                spec.errors
            ));
        }
    }
    // AWS and Google Cloud at once is one cloud too many.
    let t =
        slipway_engine::task::understand("deploy it to AWS and Cloud Run with Terraform").map_err(|e| e.to_string())?;
    let spec = spec::build(&profile, &t.params);
    if !spec
        .errors
        .iter()
        .any(|e| e.contains("one cloud's infrastructure at a time"))
    {
        wrong.push(format!("two clouds are not refused: {:?}", spec.errors));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Values Azure does not take are refused in words before anything is written.
fn refusals_azure() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for (task, want) in [
        ("deploy it to Azure Container Apps in marswest3", "Azure does not have"),
        (
            "deploy it to Azure Container Apps, keep 3 days of backups",
            "PostgreSQL Flexible Server keeps backups for 7 to 35 days",
        ),
        (
            "deploy it to Azure Container Apps, keep 60 days of backups",
            "PostgreSQL Flexible Server keeps backups for 7 to 35 days",
        ),
        (
            "Pulumi in TypeScript for Azure Container Apps",
            "not Pulumi in typescript",
        ),
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
        ("vpc_cidr = \"10.0.0/16\"", "is not an IPv4 range"),
        ("region = \"eu-west-1\"", "is not an Azure region"),
        (
            "backup_region = \"eastus\"\nregion = \"westeurope\"",
            "northeurope, the region Azure pairs with westeurope",
        ),
        ("task_cpu = 300", "is not a Container Apps size"),
        (
            "task_memory = 4096",
            "does not go with task_cpu = 512 on Container Apps",
        ),
        (
            "db_class = \"db.t4g.small\"",
            "is not a PostgreSQL Flexible Server size",
        ),
        ("db_class = \"B_Standard_B2s\"\nmulti_az = true", "is a burstable size"),
        ("log_days = 7", "is not a retention Log Analytics keeps"),
    ] {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("p");
        slipway_engine_test_copy(&fixtures().join("python-fastapi-k8s"), &root);
        std::fs::write(
            root.join("slipway.toml"),
            format!("[deploy]\ntargets = [\"azure-container-apps\"]\n{toml}\n"),
        )
        .map_err(|e| e.to_string())?;
        let p = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
        let spec = spec::build(&p, &TaskParams::default());
        if !spec
            .errors
            .iter()
            .any(|e| e.contains(want) && e.contains("line 3 of slipway.toml"))
        {
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
        ("iac = \"pulumi\"", "Terraform or CloudFormation so far"),
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

/// An attribute's text without its layout.
fn flat(text: Option<String>) -> String {
    text.unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A server on each cloud, from the words people use: the machine and nothing of the cloud's
/// container runtime; SSH from the admin ranges only; the disk encrypted, snapshotted daily for
/// the days asked and protected from deletion; DNS for the host at the static address; no key or
/// password anywhere. Values a cloud does not take are refused with their line.
fn servers() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for (task, provider, server) in [
        (
            "deploy it to an EC2 instance with Ansible at api.example.com, keep 10 days of backups",
            "aws",
            "server.tf",
        ),
        (
            "put it on a VM on Google Cloud with Terraform and Ansible at api.example.com, keep 10 days of backups",
            "gcp",
            "server.tf",
        ),
        (
            "deploy it to an Azure VM at api.example.com, keep 10 days of backups",
            "azure",
            "server.tf",
        ),
    ] {
        let t = slipway_engine::task::understand(task).map_err(|e| e.to_string())?;
        if t.params.server_cloud.as_deref() != Some(provider) || t.params.targets != [Target::Vm] {
            wrong.push(format!(
                "{task:?} is read as {:?} on {:?}",
                t.params.targets, t.params.server_cloud
            ));
            continue;
        }
        if !(t.wants_server_on_cloud() && t.wants_vm() && t.wants_cloud()) {
            wrong.push(format!("{task:?} does not ask for both the server and its playbook"));
        }
        let files = match generate_and_check(&profile, &t.params) {
            Ok(f) => f,
            Err(e) => {
                wrong.push(format!("{task:?}: {e}"));
                continue;
            }
        };
        let dir = format!("infra/{provider}");
        let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
        for runtime in [
            "aws_ecs_",
            "aws_lb\"",
            "google_cloud_run",
            "azurerm_container_app",
            "aws_db_instance",
            "google_sql_",
            "azurerm_postgresql",
        ] {
            if all.contains(&format!("resource \"{runtime}")) {
                wrong.push(format!("{provider}: a server got {runtime}"));
            }
        }
        let vars = body_of(&files, &format!("{dir}/variables.tf"));
        if attr(&vars, &["snapshot_days"], "default").as_deref() != Some("10") {
            wrong.push(format!("{provider}: snapshots are not kept the 10 days asked"));
        }
        if attr(&vars, &["ssh_public_key"], "default").is_some() || attr(&vars, &["admin_cidrs"], "default").is_some() {
            wrong.push(format!("{provider}: the key or the admin ranges have a default"));
        }
        let net = &files.iter().find(|(p, _)| *p == format!("{dir}/network.tf")).unwrap().1;
        let srv = body_of(&files, &format!("{dir}/{server}"));
        match provider {
            "aws" => {
                let n = body_of(&files, &format!("{dir}/network.tf"));
                if attr(&n, &["aws_vpc_security_group_ingress_rule", "ssh"], "cidr_ipv4").as_deref()
                    != Some("each.value")
                    || attr(&n, &["aws_vpc_security_group_ingress_rule", "ssh"], "for_each").as_deref()
                        != Some("toset(var.admin_cidrs)")
                {
                    wrong.push("aws: SSH is not let in from the admin ranges alone".into());
                }
                for (name, want) in [
                    ("disable_api_termination", "true"),
                    ("instance_type", "var.server_size"),
                ] {
                    let got = attr(&srv, &["aws_instance", "server"], name);
                    if got.as_deref() != Some(want) {
                        wrong.push(format!("aws: the instance's {name} is {got:?}"));
                    }
                }
                let text = &files.iter().find(|(p, _)| *p == format!("{dir}/server.tf")).unwrap().1;
                for needle in [
                    "http_tokens                 = \"required\"",
                    "encrypted   = true",
                    "prevent_destroy = true",
                ] {
                    if !text.contains(needle) {
                        wrong.push(format!("aws: the server lacks {needle}"));
                    }
                }
                let snaps = body_of(&files, &format!("{dir}/snapshots.tf"));
                if attr(&snaps, &["aws_dlm_lifecycle_policy", "server"], "state").as_deref() != Some("\"ENABLED\"") {
                    wrong.push("aws: the snapshot policy is not enabled".into());
                }
                let dns = body_of(&files, &format!("{dir}/dns.tf"));
                if flat(attr(&dns, &["aws_route53_record", "api_example_com"], "records"))
                    != "[aws_eip.server.public_ip]"
                {
                    wrong.push("aws: api.example.com does not point at the server's address".into());
                }
            }
            "gcp" => {
                if !net.contains("source_ranges = var.admin_cidrs") {
                    wrong.push("gcp: SSH is not let in from the admin ranges alone".into());
                }
                for (name, want) in [("deletion_protection", "true"), ("machine_type", "var.server_size")] {
                    let got = attr(&srv, &["google_compute_instance", "server"], name);
                    if got.as_deref() != Some(want) {
                        wrong.push(format!("gcp: the VM's {name} is {got:?}"));
                    }
                }
                if flat(attr(&srv, &["google_compute_disk", "system"], "resource_policies"))
                    != "[google_compute_resource_policy.snapshots.id]"
                {
                    wrong.push("gcp: the disk is not snapshotted".into());
                }
                let dns = body_of(&files, &format!("{dir}/dns.tf"));
                if flat(attr(&dns, &["google_dns_record_set", "api_example_com"], "rrdatas"))
                    != "[google_compute_address.server.address]"
                {
                    wrong.push("gcp: api.example.com does not point at the server's address".into());
                }
            }
            _ => {
                if !net.contains("source_address_prefixes    = var.admin_cidrs") {
                    wrong.push("azure: SSH is not let in from the admin ranges alone".into());
                }
                if attr(
                    &srv,
                    &["azurerm_linux_virtual_machine", "server"],
                    "disable_password_authentication",
                )
                .as_deref()
                    != Some("true")
                {
                    wrong.push("azure: password logins are not off".into());
                }
                let b = body_of(&files, &format!("{dir}/backups.tf"));
                if attr(&b, &["azurerm_backup_protected_vm", "server"], "source_vm_id").as_deref()
                    != Some("azurerm_linux_virtual_machine.server.id")
                {
                    wrong.push("azure: the VM is not backed up".into());
                }
                let dns = body_of(&files, &format!("{dir}/dns.tf"));
                if attr(&dns, &["azurerm_dns_a_record", "api_example_com"], "name").as_deref() != Some("\"api\"") {
                    wrong.push("azure: api.example.com has no record in example.com".into());
                }
            }
        }
        let doc = &files.iter().find(|(p, _)| *p == format!("docs/{provider}.md"));
        match doc {
            Some((_, d)) if d.contains("ansible-playbook site.yml -u") && d.contains("| **Total** |") => {}
            _ => wrong.push(format!(
                "{provider}: docs/{provider}.md does not give the first run and the cost"
            )),
        }
        for (path, text) in &files {
            for needle in ["BEGIN OPENSSH PRIVATE KEY", "admin_password", "AKIA"] {
                if text.contains(needle) {
                    wrong.push(format!("{path} holds {needle}"));
                }
            }
        }
    }
    for (toml, want) in [
        ("disk_size = 4", "disk_size = \"4\" is not a disk size"),
        ("server_size = \"large\"", "is not a machine size"),
        ("backup_days = 400", "kept 1 to 365 days"),
    ] {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("p");
        slipway_engine_test_copy(&fixtures().join("python-fastapi-k8s"), &root);
        std::fs::write(root.join("slipway.toml"), format!("[deploy]\n{toml}\n")).map_err(|e| e.to_string())?;
        let p = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
        let spec = spec::build(&p, &on_server("aws", None));
        if !spec
            .errors
            .iter()
            .any(|e| e.contains(want) && e.contains("line 2 of slipway.toml"))
        {
            wrong.push(format!(
                "{toml:?} is not refused with its line and {want:?}: {:?}",
                spec.errors
            ));
        }
    }
    for (task, want) in [
        ("put it on a VM on AWS with Pulumi", None),
        (
            "deploy it to an EC2 instance in us-east-1, copy backups to us-west-2",
            Some("stay in its region"),
        ),
    ] {
        let t = slipway_engine::task::understand(task).map_err(|e| e.to_string())?;
        match want {
            None if t.wants_cloud() => wrong.push(format!("{task:?} is carried out")),
            None => {}
            Some(w) => {
                let spec = spec::build(&profile, &t.params);
                if !spec.errors.iter().any(|e| e.contains(w)) {
                    wrong.push(format!("{task:?} is not refused with {w:?}: {:?}", spec.errors));
                }
            }
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// A managed Kubernetes cluster on each cloud, from the words people use: the cluster and
/// nothing of the cloud's container runtime; Secrets encrypted, the control plane's logs kept,
/// deletion guarded, the nodes private; the pipeline's deploy identity admitted to the app's
/// namespace (EKS, AKS) or the cluster (GKE, whose IAM is the project's); no key anywhere.
/// Values a cloud's cluster does not take are refused with their line.
fn clusters() -> Result<(), Failed> {
    let profile = slipway_scan::scan(&fixtures().join("python-fastapi-k8s")).map_err(|e| e.to_string())?;
    let mut wrong = Vec::new();
    for (task, provider) in [
        ("deploy it to Kubernetes on AWS with autoscaling", "aws"),
        ("put this on EKS", "aws"),
        ("deploy it to Kubernetes with Terraform", "aws"),
        ("deploy to GKE Autopilot", "gcp"),
        ("run it on Kubernetes on Google Cloud", "gcp"),
        ("deploy it to AKS with Terraform", "azure"),
        ("deploy it to Kubernetes on Azure", "azure"),
    ] {
        let t = slipway_engine::task::understand(task).map_err(|e| e.to_string())?;
        if t.params.cluster_cloud.as_deref() != Some(provider) || t.params.targets != [Target::Kubernetes] {
            wrong.push(format!(
                "{task:?} is read as {:?} on {:?}",
                t.params.targets, t.params.cluster_cloud
            ));
            continue;
        }
        if !(t.wants_cluster_on_cloud() && t.wants_cloud() && t.declined().is_empty()) {
            wrong.push(format!(
                "{task:?} does not ask for the cluster, or declines {:?}",
                t.declined()
            ));
        }
        let files = match generate_and_check(&profile, &t.params) {
            Ok(f) => f,
            Err(e) => {
                wrong.push(format!("{task:?}: {e}"));
                continue;
            }
        };
        let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
        for runtime in [
            "aws_ecs_",
            "aws_lb\"",
            "google_cloud_run",
            "azurerm_container_app",
            "aws_instance",
            "google_compute_instance",
        ] {
            if all.contains(&format!("resource \"{runtime}")) {
                wrong.push(format!("{provider}: a cluster got {runtime}"));
            }
        }
        let dir = format!("infra/{provider}");
        let c = body_of(&files, &format!("{dir}/cluster.tf"));
        let text = &files.iter().find(|(p, _)| *p == format!("{dir}/cluster.tf")).unwrap().1;
        match provider {
            "aws" => {
                for (name, want) in [
                    ("name", "local.name"),
                    ("version", "var.kubernetes_version"),
                    ("bootstrap_self_managed_addons", "false"),
                ] {
                    let got = attr(&c, &["aws_eks_cluster", "main"], name);
                    if got.as_deref() != Some(want) {
                        wrong.push(format!("aws: the cluster's {name} is {got:?}"));
                    }
                }
                for needle in [
                    "authentication_mode                         = \"API\"",
                    "bootstrap_cluster_creator_admin_permissions = false",
                    "node_pools    = [\"general-purpose\", \"system\"]",
                    "resources = [\"secrets\"]",
                    "public_access_cidrs     = var.api_cidrs",
                    "prevent_destroy = true",
                ] {
                    if !text.contains(needle) {
                        wrong.push(format!("aws: the cluster lacks {needle}"));
                    }
                }
                let access = &files.iter().find(|(p, _)| *p == format!("{dir}/access.tf")).unwrap().1;
                let namespace = format!("production = \"{}\"", spec::build(&profile, &t.params).kube.namespace);
                if !(access.contains("AmazonEKSEditPolicy")
                    && access.contains("namespaces = [local.namespaces[var.environment]]")
                    && access.contains(&namespace))
                {
                    wrong.push(format!(
                        "aws: the deploy role is not held to the app's namespace:\n{access}"
                    ));
                }
                let vars = body_of(&files, &format!("{dir}/variables.tf"));
                if attr(&vars, &["api_cidrs"], "default").is_some()
                    || attr(&vars, &["admin_role_arns"], "default").is_some()
                {
                    wrong.push("aws: who may reach the API has a default".into());
                }
            }
            "gcp" => {
                for (name, want) in [
                    ("enable_autopilot", "true"),
                    ("deletion_protection", "true"),
                    ("location", "var.region"),
                ] {
                    let got = attr(&c, &["google_container_cluster", "main"], name);
                    if got.as_deref() != Some(want) {
                        wrong.push(format!("gcp: the cluster's {name} is {got:?}"));
                    }
                }
                for needle in [
                    "enable_private_nodes = true",
                    "issue_client_certificate = false",
                    "state    = \"ENCRYPTED\"",
                    "channel = \"REGULAR\"",
                ] {
                    if !text.contains(needle) {
                        wrong.push(format!("gcp: the cluster lacks {needle}"));
                    }
                }
                if !text.contains("ip_endpoints_config {\n      enabled = false") {
                    wrong.push("gcp: the API keeps an IP endpoint".into());
                }
                let boot = &files.iter().find(|(p, _)| p.ends_with("bootstrap/main.tf")).unwrap().1;
                if !boot.contains("container.googleapis.com") || boot.contains("run.googleapis.com") {
                    wrong.push("gcp: the bootstrap enables Cloud Run's APIs, or not GKE's".into());
                }
                if !boot.contains("roles/artifactregistry.reader") {
                    wrong.push("gcp: the nodes cannot pull from the repository".into());
                }
            }
            _ => {
                for (name, want) in [
                    ("local_account_disabled", "true"),
                    ("workload_identity_enabled", "true"),
                    ("oidc_issuer_enabled", "true"),
                    ("sku_tier", "\"Standard\""),
                ] {
                    let got = attr(&c, &["azurerm_kubernetes_cluster", "main"], name);
                    if got.as_deref() != Some(want) {
                        wrong.push(format!("azure: the cluster's {name} is {got:?}"));
                    }
                }
                for needle in [
                    "azure_rbac_enabled     = true",
                    "authorized_ip_ranges = var.api_cidrs",
                    "zones                       = [\"1\", \"2\", \"3\"]",
                    "network_policy      = \"cilium\"",
                ] {
                    if !text.contains(needle) {
                        wrong.push(format!("azure: the cluster lacks {needle}"));
                    }
                }
                let boot = &files.iter().find(|(p, _)| p.ends_with("bootstrap/main.tf")).unwrap().1;
                for role in [
                    "AcrPull",
                    "Azure Kubernetes Service RBAC Writer",
                    "Managed Identity Operator",
                ] {
                    if !boot.contains(role) {
                        wrong.push(format!("azure: the bootstrap grants no {role}"));
                    }
                }
                if boot.contains("Azure Kubernetes Service RBAC Cluster Admin") {
                    wrong.push("azure: the deploy identity administers the cluster".into());
                }
            }
        }
        match files.iter().find(|(p, _)| *p == format!("docs/{provider}.md")) {
            Some((_, d)) if d.contains("kubectl apply -f k8s/namespace.yaml") && d.contains("| **Total** |") => {}
            _ => wrong.push(format!(
                "{provider}: docs/{provider}.md does not give the administrator's first step and the cost"
            )),
        }
        for (path, text) in &files {
            for needle in ["BEGIN", "client_secret", "AKIA", "kube_config_raw"] {
                if text.contains(needle) {
                    wrong.push(format!("{path} holds {needle}"));
                }
            }
        }
    }
    for (toml, provider, want) in [
        (
            "node_size = \"m5.large\"",
            "aws",
            "node_size = \"m5.large\": EKS Auto Mode picks",
        ),
        ("kubernetes_version = \"1.20\"", "aws", "is not a version EKS supports"),
        ("kubernetes_version = \"1.35\"", "gcp", "follows its release channel"),
        ("max_nodes = 2", "azure", "it takes 3 to 1000"),
        ("node_size = \"big\"", "azure", "is not an Azure VM size"),
        ("vpc_cidr = \"10.0.0.0/22\"", "gcp", "a cluster's nodes and pods need"),
    ] {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path().join("p");
        slipway_engine_test_copy(&fixtures().join("python-fastapi-k8s"), &root);
        std::fs::write(root.join("slipway.toml"), format!("[deploy]\n{toml}\n")).map_err(|e| e.to_string())?;
        let p = slipway_scan::scan(&root).map_err(|e| e.to_string())?;
        let spec = spec::build(&p, &on_cluster(provider, None));
        if !spec
            .errors
            .iter()
            .any(|e| e.contains(want) && e.contains("line 2 of slipway.toml"))
        {
            wrong.push(format!(
                "{toml:?} on {provider} is not refused with its line and {want:?}: {:?}",
                spec.errors
            ));
        }
    }
    let t = slipway_engine::task::understand("put it on EKS with Pulumi").map_err(|e| e.to_string())?;
    if t.wants_cloud() {
        wrong.push("EKS in Pulumi is carried out".into());
    }
    let spec = spec::build(&profile, &t.params);
    if !spec
        .errors
        .iter()
        .any(|e| e.contains("creates a Kubernetes cluster on AWS in Terraform so far"))
    {
        wrong.push(format!("EKS in Pulumi is not refused in words: {:?}", spec.errors));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// Static sites on Azure Static Web Apps, field by field: no registry, no push identity and no
/// container; the Standard plan with preview environments off; a subdomain validated by its
/// CNAME, an apex by a TXT token and an alias record; a single-page app's routes to index.html,
/// a site of pages' 404.html; the upload token fetched by the deploy job, never stored.
fn static_web_apps() -> Result<(), Failed> {
    let mut wrong = Vec::new();
    for (fixture, host, single) in [
        ("node-vite-react", "app.example.com", true),
        ("static-site", "example.com", false),
    ] {
        let profile = slipway_scan::scan(&fixtures().join(fixture)).map_err(|e| e.to_string())?;
        let files = generate_and_check(&profile, &on(Target::AzureContainerApps, Some(host)))?;
        let all: String = files.iter().map(|(_, t)| t.as_str()).collect();
        for thing in [
            "azurerm_container_registry",
            "azurerm_container_app",
            "azurerm_virtual_network",
            "azurerm_user_assigned_identity\" \"ci_push",
        ] {
            if all.contains(&format!("resource \"{thing}")) {
                wrong.push(format!("{fixture}: a static site got {thing}"));
            }
        }
        let site = body_of(&files, "infra/azure/site.tf");
        for (name, want) in [
            ("sku_tier", "\"Standard\""),
            ("preview_environments_enabled", "false"),
            ("location", "var.site_region"),
        ] {
            let got = attr(&site, &["azurerm_static_web_app", "site"], name);
            if got.as_deref() != Some(want) {
                wrong.push(format!("{fixture}: the app's {name} is {got:?}"));
            }
        }
        let validation = attr(
            &site,
            &["azurerm_static_web_app_custom_domain", "site"],
            "validation_type",
        );
        let want = if host.split('.').count() > 2 {
            "\"cname-delegation\""
        } else {
            "\"dns-txt-token\""
        };
        if validation.as_deref() != Some(want) {
            wrong.push(format!("{fixture}: {host} is validated by {validation:?}"));
        }
        if host.split('.').count() == 2
            && attr(&site, &["azurerm_dns_a_record", "site"], "target_resource_id").as_deref()
                != Some("azurerm_static_web_app.site.id")
        {
            wrong.push(format!("{fixture}: the apex has no alias record to the app"));
        }
        let config = files
            .iter()
            .find(|(p, _)| p.ends_with("staticwebapp.config.json"))
            .map(|(_, t)| serde_json::from_str::<serde_json::Value>(t).unwrap_or_default())
            .unwrap_or_default();
        if single != config["navigationFallback"]["rewrite"].is_string()
            || single == config["responseOverrides"]["404"].is_object()
            || config["globalHeaders"]["Strict-Transport-Security"].as_str().is_none()
        {
            wrong.push(format!(
                "{fixture}: staticwebapp.config.json does not fit the site: {config}"
            ));
        }
        let spec = spec::build(&profile, &on(Target::AzureContainerApps, Some(host)));
        let deploy = cloud::swa::apply_commands(&spec, "production").join("\n");
        if !deploy.contains("az staticwebapp secrets list")
            || !deploy.contains("::add-mask::")
            || !deploy.contains("deploy \"$site\" --env production")
        {
            wrong.push(format!(
                "{fixture}: the deploy does not fetch its token and upload the staged files:\n{deploy}"
            ));
        }
        for (path, text) in &files {
            for needle in ["deployment_token", "api_key"] {
                if text.contains(needle) {
                    wrong.push(format!("{path} holds {needle}"));
                }
            }
        }
    }
    let profile = slipway_scan::scan(&fixtures().join("static-site")).map_err(|e| e.to_string())?;
    let p = TaskParams {
        iac: Some("pulumi".into()),
        ..on(Target::AzureContainerApps, None)
    };
    match cloud::generate(&spec::build(&profile, &p), &[], None) {
        Err(why) if why.contains("in Terraform only") => {}
        other => wrong.push(format!(
            "a static site on Azure in Pulumi is not refused in words: {:?}",
            other.map(|g| g.artifacts.len())
        )),
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
        Trial::test("the seed's service on Cloud Run, field by field", seed_gcp),
        Trial::test("values Google Cloud does not take are refused in words", refusals_gcp),
        Trial::test("values Azure does not take are refused in words", refusals_azure),
        Trial::test("a server on each cloud, field by field", servers),
        Trial::test("a Kubernetes cluster on each cloud, field by field", clusters),
        Trial::test("static sites on Azure Static Web Apps, field by field", static_web_apps),
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
