//! The built-in brain: task sentences to the intents, todo lists and generators they select,
//! and the parts it declines in words.

use slipway_engine::task::{understand, TaskError};
use slipway_engine::{Intent, Plan, TodoKind, TodoStatus};

struct Case {
    text: &'static str,
    intents: &'static [Intent],
    generates: &'static [&'static str],
    declines: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        text: "set up CI/CD with GitLab, containerize it and deploy to Kubernetes",
        intents: &[Intent::CiCd, Intent::Containerize, Intent::Kubernetes],
        generates: &["Dockerfile", "compose.yaml", "pipeline", "k8s/"],
        declines: &[],
    },
    Case {
        text: "deploy it to Cloud Run",
        intents: &[Intent::PlatformDeploy, Intent::InfrastructureAsCode],
        // Cloud Run is deployed by applying its infrastructure, which the pipeline ships.
        generates: &["Dockerfile", "pipeline", "docs/deploy.md", "infra/gcp/"],
        declines: &[],
    },
    Case {
        text: "containerize this Next.js app",
        intents: &[Intent::Containerize],
        generates: &["Dockerfile", ".dockerignore", "compose.yaml"],
        declines: &[],
    },
    Case {
        text: "Dockerize it and add docker compose with postgres",
        intents: &[Intent::Containerize],
        generates: &["Dockerfile", ".dockerignore", "compose.yaml"],
        declines: &[],
    },
    Case {
        text: "containerize it and deploy to Kubernetes with a canary",
        intents: &[Intent::Containerize, Intent::Kubernetes],
        generates: &["Dockerfile", ".dockerignore", "compose.yaml", "k8s/"],
        declines: &[],
    },
    Case {
        text: "set up CI/CD to Railway for this FastAPI service",
        intents: &[Intent::CiCd, Intent::PlatformDeploy],
        generates: &["Dockerfile", "pipeline", "platform", "docs/deploy.md"],
        declines: &[],
    },
    Case {
        text: "deploy it to Kubernetes with autoscaling",
        intents: &[Intent::Kubernetes],
        generates: &["Dockerfile", "k8s/"],
        declines: &[],
    },
    Case {
        text: "write a Helm chart with ingress and TLS",
        intents: &[Intent::Kubernetes],
        generates: &["Dockerfile", "k8s/"],
        declines: &[],
    },
    Case {
        text: "add a GitHub Actions workflow that builds and pushes the Docker image",
        intents: &[Intent::CiCd, Intent::Containerize],
        // Four work steps fit: the runbook joins the pipeline step.
        generates: &["Dockerfile", ".dockerignore", "compose.yaml", "pipeline"],
        declines: &[],
    },
    Case {
        text: "containerize this app with nightly database backups",
        intents: &[Intent::Containerize, Intent::Backup],
        generates: &["Dockerfile", ".dockerignore", "compose.yaml", "backup/"],
        declines: &[],
    },
    Case {
        text: "deploy to Kubernetes with database backups",
        intents: &[Intent::Kubernetes, Intent::Backup],
        generates: &["Dockerfile", "k8s/"],
        declines: &["back up the database"],
    },
    Case {
        text: "Terraform for an ECS service",
        intents: &[Intent::InfrastructureAsCode, Intent::PlatformDeploy],
        // The infrastructure ships through the pipeline: plans on pull requests, applies.
        generates: &["Dockerfile", "pipeline", "docs/deploy.md", "infra/aws/"],
        declines: &[],
    },
    Case {
        text: "Pulumi for Cloud Run",
        intents: &[Intent::InfrastructureAsCode, Intent::PlatformDeploy],
        generates: &["Dockerfile", "pipeline", "docs/deploy.md", "infra/gcp/"],
        declines: &[],
    },
    Case {
        text: "deploy it to a VM with Ansible",
        intents: &[Intent::PlatformDeploy, Intent::InfrastructureAsCode],
        // The server runs the images the pipeline builds and pushes.
        generates: &["Dockerfile", "pipeline", "docs/deploy.md", "ansible/"],
        declines: &[],
    },
    Case {
        text: "put it on a VM on AWS",
        // The cloud creates the machine in Terraform, the playbook sets it up; no ECS.
        intents: &[Intent::PlatformDeploy, Intent::InfrastructureAsCode],
        // Ten steps: the runbook joins the pipeline step.
        generates: &["Dockerfile", "pipeline", "infra/aws/", "ansible/"],
        declines: &[],
    },
    Case {
        text: "run it on a Compute Engine VM with Terraform and Ansible",
        intents: &[Intent::PlatformDeploy, Intent::InfrastructureAsCode],
        generates: &["Dockerfile", "pipeline", "infra/gcp/", "ansible/"],
        declines: &[],
    },
    Case {
        text: "put it on a VM on Azure with Pulumi",
        intents: &[Intent::PlatformDeploy, Intent::InfrastructureAsCode],
        // Nothing half-done: no playbook for a machine nobody creates.
        generates: &[],
        declines: &["configure a cloud or PaaS deployment", "write infrastructure as code in Pulumi for a server (it writes AWS, Google Cloud and Azure in Terraform, Google Cloud and Azure in Pulumi, and AWS in CloudFormation, so far)"],
    },
    Case {
        text: "deploy it to Kubernetes on AWS with autoscaling",
        // The cloud creates the cluster in Terraform, the manifests run in it; no ECS. Ten
        // steps: the runbook joins the pipeline step.
        intents: &[Intent::Kubernetes, Intent::InfrastructureAsCode],
        generates: &["Dockerfile", "pipeline", "k8s/", "infra/aws/"],
        declines: &[],
    },
    Case {
        text: "deploy to GKE",
        intents: &[Intent::Kubernetes, Intent::InfrastructureAsCode],
        generates: &["Dockerfile", "pipeline", "k8s/", "infra/gcp/"],
        declines: &[],
    },
    Case {
        text: "put it on AKS with Helm",
        intents: &[Intent::Kubernetes, Intent::InfrastructureAsCode],
        generates: &["Dockerfile", "pipeline", "k8s/", "infra/azure/"],
        declines: &[],
    },
    Case {
        text: "Pulumi for Azure",
        intents: &[Intent::InfrastructureAsCode, Intent::PlatformDeploy],
        generates: &["Dockerfile", "pipeline", "docs/deploy.md", "infra/azure/"],
        declines: &[],
    },
    Case {
        text: "Pulumi for ECS",
        intents: &[Intent::InfrastructureAsCode, Intent::PlatformDeploy],
        // The deploy needs the infrastructure it would run on: nothing half-done.
        generates: &[],
        declines: &["write infrastructure as code in Pulumi for Amazon ECS (it writes AWS, Google Cloud and Azure in Terraform, Google Cloud and Azure in Pulumi, and AWS in CloudFormation, so far)"],
    },
    Case {
        text: "CloudFormation for this on ECS",
        intents: &[Intent::InfrastructureAsCode, Intent::PlatformDeploy],
        generates: &["Dockerfile", "pipeline", "docs/deploy.md", "infra/aws/"],
        declines: &[],
    },
    Case {
        text: "CloudFormation for Cloud Run",
        intents: &[Intent::InfrastructureAsCode, Intent::PlatformDeploy],
        generates: &[],
        declines: &["write infrastructure as code in CloudFormation for Cloud Run (it writes AWS, Google Cloud and Azure in Terraform, Google Cloud and Azure in Pulumi, and AWS in CloudFormation, so far)"],
    },
    Case {
        text: "a blue-green deploy to Azure Container Apps",
        // "Container Apps" runs containers: the image is part of the work. No cluster.
        intents: &[Intent::PlatformDeploy, Intent::Containerize, Intent::InfrastructureAsCode],
        generates: &["Dockerfile", "compose.yaml", "pipeline", "infra/azure/"],
        declines: &[],
    },
    Case {
        text: "set up Prometheus alerts and a Grafana dashboard",
        intents: &[Intent::Monitoring],
        generates: &[],
        declines: &["set up monitoring and alerting"],
    },
    Case {
        text: "ship it to fly.io in a container",
        intents: &[Intent::PlatformDeploy, Intent::Containerize],
        generates: &["Dockerfile", "compose.yaml", "pipeline", "platform"],
        declines: &[],
    },
];

#[test]
fn sentences_select_intents_todos_and_generators() {
    for c in CASES {
        let task = understand(c.text).unwrap_or_else(|e| panic!("{:?}: {e}", c.text));
        assert_eq!(task.intents, c.intents, "intents of {:?}", c.text);
        let plan = Plan::for_task(&task);
        let n = plan.todos.len();
        assert!((5..=10).contains(&n), "{:?}: {n} steps", c.text);
        assert_eq!(
            plan.todos[..4].iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["analyse", "rules", "research", "context"]
        );
        assert_eq!(plan.todos[n - 2].kind, Some(TodoKind::Reflect), "{:?}", c.text);
        assert_eq!(plan.todos[n - 1].kind, Some(TodoKind::Ship), "{:?}", c.text);
        let generates: Vec<&str> = plan
            .todos
            .iter()
            .filter_map(|t| match &t.kind {
                Some(TodoKind::Generate(p)) => Some(p.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(generates, c.generates, "generators for {:?}", c.text);
        let declined = plan.todos.iter().find(|t| t.kind == Some(TodoKind::Declined));
        if c.declines.is_empty() {
            assert!(declined.is_none(), "{:?} declines nothing", c.text);
        } else {
            let d = declined.unwrap_or_else(|| panic!("{:?} must say what it declines", c.text));
            assert_eq!(d.status, TodoStatus::Skipped, "declined parts are never shown as done");
            let words = d.detail.as_deref().unwrap();
            for part in c.declines {
                assert!(words.contains(part), "{:?}: {words:?} names {part:?}", c.text);
            }
            assert!(words.contains("cannot"), "said plainly: {words}");
        }
    }
}

#[test]
fn words_without_a_deployment_intent_are_refused_in_words() {
    assert_eq!(understand(" \n "), Err(TaskError::Empty));
    for text in [
        "make me a sandwich",
        "social media integration",
        "fix the typo in the footer",
    ] {
        let err = understand(text).unwrap_err();
        assert!(matches!(err, TaskError::NotUnderstood(_)), "{text:?}");
        assert!(err.to_string().contains(text), "the message quotes the task: {err}");
    }
}
