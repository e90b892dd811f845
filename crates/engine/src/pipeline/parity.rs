//! The parity report: how the chosen CI system carries out each part of the one pipeline
//! model, and where it falls short of the others, so switching CI is a regeneration whose
//! differences are written down rather than found out.

use serde::{Deserialize, Serialize};

use super::{JobKind, Pipeline};
use crate::params::{CiSystem, Registry};
use crate::spec::DeploySpec;

/// One part of the pipeline on one CI system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Parity {
    /// The part: "registry sign-in", "approval", ...
    pub capability: String,
    /// How this CI system does it, in words.
    pub how: String,
    /// True when it does less than the best of the four.
    pub gap: bool,
}

fn item(capability: &str, how: impl Into<String>, gap: bool) -> Parity {
    Parity {
        capability: capability.into(),
        how: how.into(),
        gap,
    }
}

/// What `ci` does for each part of `pipeline` the spec asks for.
pub fn report(spec: &DeploySpec, pipeline: &Pipeline) -> Vec<Parity> {
    let ci = spec.ci;
    let deploys = pipeline.jobs.iter().any(|j| j.kind == JobKind::Deploy);
    let approval = pipeline.jobs.iter().any(|j| j.manual);
    let mut out = Vec::new();

    out.push(match (ci, spec.registry) {
        (CiSystem::Github, Registry::Ghcr) => item(
            "registry sign-in",
            "the workflow's own GITHUB_TOKEN, with packages: write on the image job only",
            false,
        ),
        (CiSystem::Github, Registry::Dockerhub) => item(
            "registry sign-in",
            "a Docker Hub access token from the repository's secrets (Docker Hub offers no OIDC sign-in)",
            false,
        ),
        (CiSystem::Github, _) => item(
            "registry sign-in",
            "OIDC: the image job trades a short-lived GitHub token for cloud credentials; no stored key",
            false,
        ),
        (CiSystem::Gitlab, Registry::Gitlab) => item(
            "registry sign-in",
            "the job's own CI_REGISTRY credentials, which last as long as the job",
            false,
        ),
        (CiSystem::Gitlab, _) => item(
            "registry sign-in",
            "a stored key in a masked, protected variable; GitLab's ID tokens could replace it with OIDC, which Slipway does not write yet",
            true,
        ),
        (CiSystem::Jenkins, _) => item(
            "registry sign-in",
            "a user name and password credential with the id registry, bound only around the push",
            true,
        ),
        (CiSystem::Circleci, _) => item(
            "registry sign-in",
            "a stored key in the registry context, given only to runs on the deploy branch; CircleCI's OIDC token could replace it, which Slipway does not write yet",
            true,
        ),
    });

    out.push(match ci {
        CiSystem::Github => item(
            "one deploy at a time",
            "a concurrency group per environment and service that queues and never cancels",
            false,
        ),
        CiSystem::Gitlab => item(
            "one deploy at a time",
            "a resource group per environment and service; deploy jobs are not interruptible",
            false,
        ),
        CiSystem::Jenkins => item(
            "one deploy at a time",
            "disableConcurrentBuilds queues whole builds of a branch, checks included, not only the deploys",
            true,
        ),
        CiSystem::Circleci => item(
            "one deploy at a time",
            "a serial group per project, environment and service; queued deploys run in order",
            false,
        ),
    });

    if approval {
        out.push(match ci {
            CiSystem::Github => item(
                "approval before a deploy",
                "required reviewers on the environment; a private repository needs GitHub Team or Enterprise for them",
                false,
            ),
            CiSystem::Gitlab => item(
                "approval before a deploy",
                "a manual job: anyone allowed to run pipelines on the deploy branch can start it; approval rules on a protected environment need GitLab Premium",
                true,
            ),
            CiSystem::Jenkins => item(
                "approval before a deploy",
                "an input step; anyone with the Build permission can answer it unless a submitter is named",
                true,
            ),
            CiSystem::Circleci => item(
                "approval before a deploy",
                "an approval job; anyone with write access can approve, and a security group on the deploy context narrows who",
                false,
            ),
        });
    }

    if deploys {
        out.push(match ci {
            CiSystem::Github => item("environments", "GitHub environments, with their own secrets, variables and URL", false),
            CiSystem::Gitlab => item("environments", "GitLab environments with their deployment tier and URL", false),
            CiSystem::Jenkins => item(
                "environments",
                "none: Jenkins has no environments, so a deploy is a stage and its credentials are global unless folders scope them",
                true,
            ),
            CiSystem::Circleci => item(
                "environments",
                "a context per environment holds its secrets and settings; CircleCI shows no environment URL",
                false,
            ),
        });
    }

    if pipeline.routed {
        out.push(match ci {
            CiSystem::Github => item(
                "monorepo routing",
                "a changes job sets one output per service; one aggregate job is the required check",
                false,
            ),
            CiSystem::Gitlab => item(
                "monorepo routing",
                "rules: changes, compared with the deploy branch",
                false,
            ),
            CiSystem::Jenkins => item(
                "monorepo routing",
                "when changeset, which compares with the previous build, not with the deploy branch, so a branch's first build runs every service",
                true,
            ),
            CiSystem::Circleci => item(
                "monorepo routing",
                "a changes job compares with the deploy branch's merge base; the jobs of untouched services end at once with success",
                false,
            ),
        });
    }

    out.push(match ci {
        CiSystem::Circleci => item(
            "time limits",
            "CircleCI has no per-job time limit below the plan's: each step stops after its limit without output",
            true,
        ),
        CiSystem::Github => item("time limits", "timeout-minutes on every job", false),
        CiSystem::Gitlab => item("time limits", "timeout on every job", false),
        CiSystem::Jenkins => item("time limits", "a timeout on every stage and on the whole build", false),
    });

    out.push(match ci {
        CiSystem::Github => item(
            "service containers",
            "services with a health command; the job starts once they are healthy",
            false,
        ),
        CiSystem::Gitlab => item(
            "service containers",
            "services, reached by their alias; the runner waits for their ports",
            false,
        ),
        CiSystem::Jenkins => item(
            "service containers",
            "Docker Pipeline's withRun starts them and the stage waits for their own readiness command",
            false,
        ),
        CiSystem::Circleci => item(
            "service containers",
            "secondary containers on localhost; a step waits for their ports, not for their own readiness command",
            true,
        ),
    });

    out.push(match ci {
        CiSystem::Github => item(
            "version tags",
            "a v1.2.3 tag runs the release workflow, which pushes the image tagged 1.2.3 and 1.2, built without caches; deploys stay on the deploy branch",
            false,
        ),
        CiSystem::Gitlab => item(
            "version tags",
            "a v1.2.3 tag pushes the image tagged 1.2.3 besides the commit; deploys stay on the deploy branch",
            false,
        ),
        CiSystem::Jenkins | CiSystem::Circleci => item(
            "version tags",
            "images are tagged by commit only: a version tag starts no build here",
            true,
        ),
    });

    out.push(match ci {
        CiSystem::Github => item(
            "layer cache",
            "BuildKit's GitHub Actions cache, one scope per service",
            false,
        ),
        _ => item(
            "layer cache",
            "BuildKit's registry cache (the buildcache tag), written only by deploy-branch pushes",
            false,
        ),
    });
    out
}
