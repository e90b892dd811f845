//! Task sentences to deployment specs: the parameters the built-in brain reads from the words
//! (targets, CI systems, registries, strategies, numbers, hosts, environments, approvals,
//! branches), the ones it refuses in words, and the order of trust between `slipway.toml`, the
//! task and the project.

use slipway_engine::params::{CiSystem, Registry, Strategy, Target, TaskParams};
use slipway_engine::spec;
use slipway_engine::task::{understand, TaskError};

#[derive(Default)]
struct Want {
    targets: &'static [Target],
    ci: Option<CiSystem>,
    registry: Option<Registry>,
    strategy: Option<Strategy>,
    replicas: Option<(u32, u32)>,
    cpu: Option<u32>,
    host: Option<&'static str>,
    environments: &'static [&'static str],
    approval: bool,
    branch: Option<&'static str>,
}

fn table() -> Vec<(&'static str, Want)> {
    use Target::*;
    vec![
        ("set up CI/CD for this FastAPI project and deploy it to Railway", Want { targets: &[Railway], ..Default::default() }),
        ("set up CI/CD to Railway for this FastAPI service", Want { targets: &[Railway], ..Default::default() }),
        ("deploy it to Fly.io", Want { targets: &[Fly], ..Default::default() }),
        ("ship it to fly.io.", Want { targets: &[Fly], ..Default::default() }),
        ("deploy to fly with a canary", Want { targets: &[Fly], strategy: Some(Strategy::Canary), ..Default::default() }),
        ("host it on Render with its Postgres", Want { targets: &[Render], ..Default::default() }),
        ("deploy the frontend to Vercel", Want { targets: &[Vercel], ..Default::default() }),
        ("publish the docs site on Netlify", Want { targets: &[Netlify], ..Default::default() }),
        ("deploy to Heroku with the container stack", Want { targets: &[Heroku], ..Default::default() }),
        ("set up CI with GitLab", Want { ci: Some(CiSystem::Gitlab), ..Default::default() }),
        ("add a GitHub Actions workflow", Want { ci: Some(CiSystem::Github), ..Default::default() }),
        ("write a Jenkinsfile for it", Want { ci: Some(CiSystem::Jenkins), ..Default::default() }),
        ("set up CircleCI", Want { ci: Some(CiSystem::Circleci), ..Default::default() }),
        ("build with GitLab CI and push to the GitLab registry", Want { ci: Some(CiSystem::Gitlab), registry: Some(Registry::Gitlab), ..Default::default() }),
        ("CI/CD that pushes to ECR", Want { registry: Some(Registry::Ecr), ..Default::default() }),
        ("build the image and push it to Docker Hub", Want { registry: Some(Registry::Dockerhub), ..Default::default() }),
        ("pipeline pushing to ghcr", Want { registry: Some(Registry::Ghcr), ..Default::default() }),
        ("push images to Artifact Registry", Want { registry: Some(Registry::Gar), ..Default::default() }),
        ("a pipeline that pushes to ACR", Want { registry: Some(Registry::Acr), ..Default::default() }),
        ("deploy to Fly.io blue-green", Want { targets: &[Fly], strategy: Some(Strategy::BlueGreen), ..Default::default() }),
        ("rolling deploys to Railway", Want { targets: &[Railway], strategy: Some(Strategy::Rolling), ..Default::default() }),
        ("deploy to Kubernetes with autoscaling from 2 to 10 replicas at 70% CPU", Want { targets: &[Kubernetes], replicas: Some((2, 10)), cpu: Some(70), ..Default::default() }),
        ("run 3 replicas on Fly.io", Want { targets: &[Fly], replicas: Some((3, 3)), ..Default::default() }),
        ("scale 2-6 instances at 60% cpu on Railway", Want { targets: &[Railway], replicas: Some((2, 6)), cpu: Some(60), ..Default::default() }),
        ("deploy to Render on api.example.com", Want { targets: &[Render], host: Some("api.example.com"), ..Default::default() }),
        ("containerize this Next.js app and serve it at shop.example.org", Want { host: Some("shop.example.org"), ..Default::default() }),
        ("CI/CD with staging and production with approval", Want { environments: &["staging", "production"], approval: true, ..Default::default() }),
        ("deploy to production from the release branch", Want { environments: &["production"], branch: Some("release"), ..Default::default() }),
        ("deploy to Railway only on main", Want { targets: &[Railway], branch: Some("main"), ..Default::default() }),
        (
            "set up CI/CD with GitLab, push to ECR and deploy to Fly.io with a canary, from 2 to 10 replicas at 70% CPU, on api.example.com, staging and production with approval",
            Want {
                targets: &[Fly],
                ci: Some(CiSystem::Gitlab),
                registry: Some(Registry::Ecr),
                strategy: Some(Strategy::Canary),
                replicas: Some((2, 10)),
                cpu: Some(70),
                host: Some("api.example.com"),
                environments: &["staging", "production"],
                approval: true,
                ..Default::default()
            },
        ),
        ("deploy to Railway and Netlify", Want { targets: &[Railway, Netlify], ..Default::default() }),
        ("deploy it to Cloud Run", Want { targets: &[CloudRun], ..Default::default() }),
        ("put it on AWS ECS Fargate", Want { targets: &[Ecs], ..Default::default() }),
        ("render the Helm templates and deploy to Kubernetes", Want { targets: &[Kubernetes], ..Default::default() }),
        ("containerize this app", Want::default()),
    ]
}

#[test]
fn sentences_become_parameters() {
    let cases = table();
    assert!(cases.len() >= 30, "a table of at least 30 sentences");
    for (text, want) in cases {
        let task = understand(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let p = &task.params;
        assert_eq!(p.targets, want.targets, "targets of {text:?}");
        assert_eq!(p.ci, want.ci, "CI system of {text:?}");
        assert_eq!(p.registry, want.registry, "registry of {text:?}");
        assert_eq!(p.strategy, want.strategy, "strategy of {text:?}");
        assert_eq!(
            p.min_replicas.zip(p.max_replicas),
            want.replicas,
            "replicas of {text:?}"
        );
        assert_eq!(p.cpu_percent, want.cpu, "CPU of {text:?}");
        assert_eq!(p.host.as_deref(), want.host, "host of {text:?}");
        assert_eq!(p.environments, want.environments, "environments of {text:?}");
        assert_eq!(p.approval, want.approval, "approval of {text:?}");
        assert_eq!(p.branch.as_deref(), want.branch, "branch of {text:?}");
    }
}

#[test]
fn unknown_targets_and_ci_systems_are_refused_naming_the_known_ones() {
    for (text, names) in [
        ("deploy it to Zeabur", "Railway"),
        ("deploy to DigitalOcean", "Fly.io"),
        ("deploy it to App Runner", "Railway"),
        ("set up CI with Travis", "GitHub Actions"),
        ("add Bitbucket Pipelines", "GitLab CI"),
        ("set up CI/CD with Azure Pipelines and deploy", "Jenkins"),
    ] {
        match understand(text) {
            Err(TaskError::Unknown(why)) => assert!(why.contains(names), "{text:?}: {why}"),
            other => panic!("{text:?} must be refused in words, got {other:?}"),
        }
    }
    match understand("scale from 10 to 2 replicas on Fly.io") {
        Err(TaskError::Unknown(why)) => assert!(why.contains("smaller number"), "{why}"),
        other => panic!("an inverted range is refused, got {other:?}"),
    }
}

fn profile(files: &[(&str, &str)]) -> slipway_scan::ProjectProfile {
    let view = slipway_scan::ProjectView::in_memory(files.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())));
    let mut warnings = Vec::new();
    let view = view.indexed(&mut warnings);
    slipway_scan::scan_view(&view, warnings)
}

const APP: (&str, &str) = (
    "package.json",
    r#"{"name":"api","scripts":{"start":"node server.js","test":"node --test"},"dependencies":{"express":"4","pg":"8"}}"#,
);

#[test]
fn slipway_toml_wins_over_the_task_which_wins_over_the_project() {
    let p = profile(&[
        APP,
        ("server.js", "require('express')().listen(3000)"),
        ("fly.toml", "app = \"api\"\n"),
        (
            "slipway.toml",
            "[deploy]\nci = \"gitlab\"\nstrategy = \"blue-green\"\nbranch = \"trunk\"\n",
        ),
    ]);
    let params = understand("set up CI/CD with GitHub Actions and deploy to Railway with a canary")
        .unwrap()
        .params;
    let s = spec::build(&p, &params);
    assert_eq!(s.ci, CiSystem::Gitlab, "slipway.toml beats the task");
    assert_eq!(s.strategy, Strategy::BlueGreen, "slipway.toml beats the task");
    assert_eq!(s.branch, "trunk");
    assert_eq!(
        s.targets,
        [Target::Railway],
        "the task beats the fly.toml the project has"
    );
    assert_eq!(
        s.registry,
        Registry::Gitlab,
        "GitLab CI pushes to its own registry by default"
    );
    let ci = s.fields.iter().find(|f| f.field == "ci").unwrap();
    assert_eq!(ci.source, "slipway.toml");
    assert_eq!(ci.why, "line 2 of slipway.toml");
    // Without a task target, the project's platform file picks it.
    let s = spec::build(&p, &TaskParams::default());
    assert_eq!(s.targets, [Target::Fly]);
    assert_eq!(
        s.fields.iter().find(|f| f.field == "targets").unwrap().source,
        "project"
    );
    // The service: its port, health, secrets and backing services decided once.
    let svc = &s.services[0];
    assert_eq!(svc.port, Some(3000));
    assert_eq!(svc.backing_services, ["postgres"]);
    let db = svc
        .env
        .iter()
        .find(|e| e.name == "DATABASE_URL")
        .expect("the URL pg reads");
    assert!(db.secret && db.backing.as_deref() == Some("postgres"));
}

#[test]
fn a_deploy_table_with_a_wrong_type_warns_naming_the_line_and_the_rest_applies() {
    let p = profile(&[
        APP,
        ("server.js", "require('express')().listen(3000)"),
        (
            "slipway.toml",
            "# deployment settings\n[deploy]\nci = \"gitlab\"\nmin_replicas = \"two\"\ntargets = [\"railway\", \"zeabur\"]\ncolour = \"blue\"\napproval = true\n",
        ),
    ]);
    let warnings: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("line 4: deploy.min_replicas must be a whole number")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("line 6: deploy.colour is not a field Slipway knows")),
        "{warnings:?}"
    );
    let s = spec::build(&p, &TaskParams::default());
    assert_eq!(s.ci, CiSystem::Gitlab, "the rest of the table applies");
    assert_eq!(s.targets, [Target::Railway]);
    assert!(
        s.notes.iter().any(|n| n.contains("line 5") && n.contains("zeabur")),
        "an unknown target is named with its line: {:?}",
        s.notes
    );
    assert!(s.environments.last().unwrap().approval, "approval guards production");
    assert_eq!(s.scaling.min_replicas, 2, "the wrong value falls back to the default");
}

/// The project's own Ingress decides the class a new one uses (its controller is the one the
/// cluster runs); a Helm expression says nothing, slipway.toml and the task still win, and a
/// Gateway route does not take an Ingress class for its GatewayClass.
#[test]
fn the_ingress_class_comes_from_the_projects_own_manifests() {
    let ingress = |class: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\nspec:\n  ingressClassName: {class}\n  rules: []\n"
        )
    };
    let class_of = |files: &[(&str, &str)], task: &str| {
        let s = spec::build(&profile(files), &understand(task).unwrap().params);
        let f = s.fields.iter().find(|f| f.field == "ingress_class").cloned();
        (s.kube.ingress_class, f.map(|f| (f.source, f.why)))
    };
    let task = "deploy it to Kubernetes on api.example.com";
    let haproxy = ingress("\"haproxy\"  # the cluster's controller");
    let (class, field) = class_of(&[APP, ("server.js", "x"), ("k8s/ingress.yaml", &haproxy)], task);
    assert_eq!(class, "haproxy");
    let (source, why) = field.unwrap();
    assert_eq!(source, "project");
    assert!(why.contains("k8s/ingress.yaml line 6"), "{why}");

    let nginx = ingress("nginx");
    let (class, field) = class_of(&[APP, ("k8s/ingress.yaml", &nginx)], task);
    assert_eq!(class, "nginx", "the person's controller is kept");
    assert!(field.unwrap().1.contains("retired"), "the retirement is said");

    let old = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    kubernetes.io/ingress.class: contour\nspec: {}\n";
    assert_eq!(class_of(&[APP, ("deploy/ingress.yaml", old)], task).0, "contour");

    let templated = ingress("{{ .Values.ingress.className }}");
    let (class, field) = class_of(&[APP, ("k8s/ingress.yaml", &templated)], task);
    assert_eq!((class.as_str(), field.unwrap().0.as_str()), ("traefik", "default"));

    let toml = "[deploy]\ningress_class = \"kong\"\n";
    let files = [APP, ("k8s/ingress.yaml", haproxy.as_str()), ("slipway.toml", toml)];
    assert_eq!(class_of(&files, task).0, "kong", "slipway.toml wins");
    let files = [APP, ("k8s/ingress.yaml", haproxy.as_str())];
    assert_eq!(
        class_of(
            &files,
            "deploy it to Kubernetes on api.example.com with the Gateway API"
        )
        .0,
        "traefik",
        "an Ingress class is no GatewayClass"
    );
}
