//! GitOps: the cluster pulls the project's Kubernetes files from git instead of the pipeline
//! pushing them. Argo CD `Application`s (`argoproj.io/v1alpha1`), or Flux's `GitRepository`
//! with a `Kustomization` (`kustomize.toolkit.fluxcd.io/v1`) or a `HelmRelease`
//! (`helm.toolkit.fluxcd.io/v2`), one per environment, in `gitops/` (outside `k8s/`, so they
//! are never applied with the app's own objects). The pipeline then only builds, pushes and
//! pins the tested image's digest in git ([`pin_commands`]); the controller rolls it out.
//!
//! The pin lives where nothing else does: with plain manifests the Deployment's image line;
//! with Kustomize a small patch per service in each overlay; with a chart a values file per
//! environment. The pipeline rewrites that one line or file, never a file a person edits.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::{doc, helm, kustomize, name_of, note, s};
use crate::generate::Artifact;
use crate::params::{GitOps, Packaging};
use crate::spec::{DeploySpec, ServiceSpec};
use crate::write::yaml;

/// Where Argo CD runs and reads its Applications from.
const ARGOCD_NAMESPACE: &str = "argocd";
/// Where Flux runs and reads its sources and syncs from.
const FLUX_NAMESPACE: &str = "flux-system";
/// Why a Flux object is suspended (its note, when it is).
const SUSPENDED: &str =
    "auto_sync = false: Flux applies nothing until a person runs\nflux resume (or flux reconcile --force) for it.";
/// The placeholder for a repository Slipway cannot see (no remote, or a local one).
pub const REPO_PLACEHOLDER: &str = "https://git.example.com/OWNER/REPO.git";

/// An object of a GitOps controller: identity and spec.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<S> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: S,
}

/// An Argo CD `Application`'s spec.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplicationSpec {
    project: String,
    source: AppSource,
    destination: Destination,
    sync_policy: SyncPolicy,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct AppSource {
    #[serde(rename = "repoURL")]
    repo_url: String,
    target_revision: String,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    directory: Option<Directory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    helm: Option<AppHelm>,
}

#[derive(Debug, Clone, Serialize)]
struct Directory {
    recurse: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct AppHelm {
    release_name: String,
    value_files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Destination {
    server: String,
    namespace: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SyncPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    automated: Option<Automated>,
    sync_options: Vec<String>,
    retry: Retry,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Automated {
    prune: bool,
    self_heal: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Retry {
    limit: u32,
    backoff: Backoff,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Backoff {
    duration: String,
    factor: u32,
    max_duration: String,
}

/// A Flux `GitRepository`'s spec.
#[derive(Debug, Clone, Serialize)]
struct GitRepositorySpec {
    interval: String,
    url: String,
    #[serde(rename = "ref")]
    reference: BTreeMap<String, String>,
    ignore: String,
}

/// A Flux `Kustomization`'s spec.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct FluxKustomizationSpec {
    interval: String,
    source_ref: SourceRef,
    path: String,
    prune: bool,
    wait: bool,
    timeout: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    suspend: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SourceRef {
    kind: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
}

/// A Flux `HelmRelease`'s spec.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct HelmReleaseSpec {
    interval: String,
    release_name: String,
    target_namespace: String,
    depends_on: Vec<BTreeMap<String, String>>,
    chart: HelmChart,
    install: Remediation,
    upgrade: Remediation,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    suspend: bool,
}

#[derive(Debug, Clone, Serialize)]
struct HelmChart {
    spec: HelmChartSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct HelmChartSpec {
    chart: String,
    source_ref: SourceRef,
    reconcile_strategy: String,
    values_files: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Remediation {
    remediation: RemediationSpec,
}

#[derive(Debug, Clone, Serialize)]
struct RemediationSpec {
    retries: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<String>,
}

/// The HTTPS address a controller clones: the git remote, with SSH forms rewritten and any
/// user or token removed; the placeholder when there is no remote a cluster could reach.
pub fn repo_url(remote: Option<&str>) -> String {
    let Some(r) = remote.map(str::trim).filter(|r| !r.is_empty()) else {
        return REPO_PLACEHOLDER.into();
    };
    let https = if let Some(rest) = r.strip_prefix("ssh://") {
        let rest = rest.split_once('@').map_or(rest, |(_, h)| h);
        // ssh://git@host:22/path: the port is SSH's, not HTTPS's.
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.split(':').next().unwrap_or(host);
        format!("https://{host}/{path}")
    } else if let Some(rest) = r.strip_prefix("https://").or_else(|| r.strip_prefix("http://")) {
        let (auth, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
        format!("https://{host}/{tail}")
    } else if let Some((user_host, path)) = r
        .split_once(':')
        .filter(|(h, p)| !h.contains('/') && !p.starts_with('/'))
    {
        // scp-like: git@github.com:owner/repo.git
        let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
        format!("https://{host}/{path}")
    } else {
        // A path or file:// URL: a clone on this machine, which no cluster can read.
        return REPO_PLACEHOLDER.into();
    };
    if https.ends_with(".git") {
        https
    } else {
        format!("{https}.git")
    }
}

/// One thing a controller syncs: an environment's objects, or (beside a chart) the namespaces
/// and the cluster issuer in `k8s/`.
struct Sync {
    /// The Application's or sync's name.
    name: String,
    /// The environment, or none for `k8s/` beside charts.
    env: Option<String>,
    /// The folder in git.
    path: String,
    /// The namespace its objects go in.
    namespace: String,
    /// A chart's release: its name and values files (relative to the chart).
    chart: Option<(String, Vec<String>)>,
}

/// The environments a GitOps controller syncs: the ones the pipeline deploys to, each with its
/// own pin; with plain manifests only production (they hold one namespace).
pub fn environments(spec: &DeploySpec) -> Vec<String> {
    match spec.kube.packaging {
        Packaging::Manifests => vec![spec.production().to_string()],
        _ => spec.environments.iter().map(|e| e.name.clone()).collect(),
    }
}

fn syncs(spec: &DeploySpec) -> Vec<Sync> {
    let k = &spec.kube;
    let mut out = Vec::new();
    match k.packaging {
        Packaging::Manifests => out.push(Sync {
            name: k.namespace.clone(),
            env: Some(spec.production().to_string()),
            path: s("k8s"),
            namespace: k.namespace.clone(),
            chart: None,
        }),
        Packaging::Kustomize => {
            for env in environments(spec) {
                let ns = kustomize::namespace_for(spec, &env);
                out.push(Sync {
                    name: ns.clone(),
                    path: kustomize::overlay_for(spec, &env),
                    env: Some(env),
                    namespace: ns,
                    chart: None,
                });
            }
        }
        Packaging::Helm => {
            out.push(Sync {
                name: format!("{}-cluster", k.namespace),
                env: None,
                path: s("k8s"),
                namespace: k.namespace.clone(),
                chart: None,
            });
            for env in environments(spec) {
                let ns = kustomize::namespace_for(spec, &env);
                if let Some(u) = helm::umbrella(spec) {
                    // One release of every service, each pinned in its own file.
                    let first = spec.services.first().map(|s| name_of(&s.name)).unwrap_or_default();
                    let mut values = Vec::new();
                    if let Some(v) = helm::values_for(spec, &first, &env) {
                        values.push(v.rsplit('/').next().unwrap_or(&v).to_string());
                    }
                    for svc in &spec.services {
                        let f = pin_file(spec, svc, &env);
                        values.push(f.rsplit('/').next().unwrap_or(&f).to_string());
                    }
                    out.push(Sync {
                        name: if ns == k.namespace {
                            u.clone()
                        } else {
                            format!("{u}-{}", name_of(&env))
                        },
                        env: Some(env.clone()),
                        path: helm::installed_chart(spec, &first),
                        namespace: ns.clone(),
                        chart: Some((u.clone(), values)),
                    });
                    continue;
                }
                for svc in &spec.services {
                    let name = name_of(&svc.name);
                    let mut values = Vec::new();
                    if let Some(v) = helm::values_for(spec, &name, &env) {
                        values.push(v.rsplit('/').next().unwrap_or(&v).to_string());
                    }
                    values.push(pin_file_name(&env, None));
                    out.push(Sync {
                        name: if ns == k.namespace {
                            name.clone()
                        } else {
                            format!("{name}-{}", name_of(&env))
                        },
                        env: Some(env.clone()),
                        path: helm::chart_dir(spec, &name),
                        namespace: ns.clone(),
                        chart: Some((helm::release(spec, &name), values)),
                    });
                }
            }
        }
    }
    out
}

/// The values file of a chart that pins an environment's image: `image-<env>.yaml`, or in an
/// umbrella chart `image-<env>-<service>.yaml` per service.
fn pin_file_name(env: &str, service: Option<&str>) -> String {
    match service {
        Some(s) => format!("image-{}-{s}.yaml", name_of(env)),
        None => format!("image-{}.yaml", name_of(env)),
    }
}

/// The file in git that pins `svc`'s image in `env`, which the pipeline rewrites.
pub fn pin_file(spec: &DeploySpec, svc: &ServiceSpec, env: &str) -> String {
    let name = name_of(&svc.name);
    match spec.kube.packaging {
        Packaging::Manifests => {
            let file = super::workload_of(svc).1;
            if spec.is_monorepo() {
                format!("k8s/{name}/{file}")
            } else {
                format!("k8s/{file}")
            }
        }
        Packaging::Kustomize => format!("{}/image-{name}.yaml", kustomize::overlay_for(spec, env)),
        Packaging::Helm => match helm::umbrella(spec) {
            Some(_) => format!(
                "{}/{}",
                helm::installed_chart(spec, &name),
                pin_file_name(env, Some(&name))
            ),
            None => format!("{}/{}", helm::chart_dir(spec, &name), pin_file_name(env, None)),
        },
    }
}

/// The Kustomize patch that pins `name`'s image in an overlay, with `image` (the placeholder
/// until the pipeline's first pin).
pub fn kustomize_pin(env: &str, image: &str) -> String {
    format!(
        "# Written by Slipway; rewritten by the pipeline: the image {env} runs, by the digest it tested.\n- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: {image}\n"
    )
}

/// A chart's values file that pins an environment's image (empty digest: the tag until the
/// pipeline's first pin); in an umbrella chart, under the service's key (`key` is `<name>.`).
pub fn helm_pin(env: &str, repository: &str, digest: &str, key: &str) -> String {
    let mut out =
        format!("# Written by Slipway; rewritten by the pipeline: the image {env} runs, by the digest it tested.\n");
    let pad = match key.strip_suffix('.') {
        Some(service) => {
            out.push_str(&format!("{service}:\n"));
            "  "
        }
        None => "",
    };
    out.push_str(&format!(
        "{pad}image:\n{pad}  repository: {repository}\n{pad}  digest: \"{digest}\"\n"
    ));
    out
}

/// The Argo CD Applications or the Flux objects, with a note on each.
pub fn generate(spec: &DeploySpec, remote: Option<&str>) -> Vec<Artifact> {
    let k = &spec.kube;
    let url = repo_url(remote);
    let header = |what: &str| {
        format!(
            "Written by Slipway: {what}. Apply once with kubectl apply -f {};\nfrom then on the controller syncs the cluster from git, and the pipeline only pins the\ntested image.",
            match k.gitops {
                GitOps::Flux => "gitops/flux/",
                _ => "gitops/argocd/",
            }
        )
    };
    let placeholder = if url == REPO_PLACEHOLDER {
        "\nNo git remote a cluster can reach: set the repository's HTTPS address here."
    } else {
        ""
    };
    let meta = |name: &str, namespace: &str| ObjectMeta {
        name: Some(s(name)),
        namespace: Some(s(namespace)),
        labels: Some(BTreeMap::from([(s("app.kubernetes.io/part-of"), k.namespace.clone())])),
        ..Default::default()
    };
    let mut out = Vec::new();
    match k.gitops {
        GitOps::None => {}
        GitOps::ArgoCd => {
            for sync in syncs(spec) {
                let app = Object {
                    api_version: "argoproj.io/v1alpha1",
                    kind: "Application",
                    metadata: meta(&sync.name, ARGOCD_NAMESPACE),
                    spec: ApplicationSpec {
                        project: s("default"),
                        source: AppSource {
                            repo_url: url.clone(),
                            target_revision: spec.branch.clone(),
                            path: sync.path.clone(),
                            directory: (sync.chart.is_none() && !sync.path.contains("/overlays/")).then_some(
                                Directory {
                                    recurse: spec.is_monorepo() && sync.env.is_some(),
                                },
                            ),
                            helm: sync.chart.clone().map(|(release, values)| AppHelm {
                                release_name: release,
                                value_files: values,
                            }),
                        },
                        destination: Destination {
                            server: s("https://kubernetes.default.svc"),
                            namespace: sync.namespace.clone(),
                        },
                        sync_policy: SyncPolicy {
                            automated: k.sync.automated.then_some(Automated {
                                prune: k.sync.prune,
                                self_heal: k.sync.self_heal,
                            }),
                            sync_options: vec![s("PruneLast=true")],
                            retry: Retry {
                                limit: 5,
                                backoff: Backoff {
                                    duration: s("10s"),
                                    factor: 2,
                                    max_duration: s("3m"),
                                },
                            },
                        },
                    },
                };
                let mut d = doc(&app);
                note(
                    &mut d,
                    &["spec", "source", "repoURL"],
                    format!(
                        "The {} branch of this repository{}.\nA private repository needs a read-only credential in Argo CD (docs/kubernetes.md).{placeholder}",
                        spec.branch,
                        if sync.path == "k8s" { String::new() } else { format!(", folder {}", sync.path) }
                    ),
                );
                note(&mut d, &["spec", "syncPolicy"], sync_words(spec));
                let what = match &sync.env {
                    Some(env) => format!(
                        "Argo CD keeps {} in the {} namespace as git says ({env})",
                        sync.path, sync.namespace
                    ),
                    None => format!(
                        "Argo CD keeps the namespaces and the cluster issuer of {} as git says",
                        sync.path
                    ),
                };
                out.push(Artifact {
                    path: format!("gitops/argocd/{}.yaml", sync.name),
                    content: yaml::to_string(&d, &header("an Argo CD Application")),
                    purpose: what,
                    step: "kubernetes".into(),
                });
            }
        }
        GitOps::Flux => {
            let source = Object {
                api_version: "source.toolkit.fluxcd.io/v1",
                kind: "GitRepository",
                metadata: meta(&k.namespace, FLUX_NAMESPACE),
                spec: GitRepositorySpec {
                    interval: s("1m"),
                    url: url.clone(),
                    reference: BTreeMap::from([(s("branch"), spec.branch.clone())]),
                    ignore: s("/*\n!/k8s/\n!/charts/\n"),
                },
            };
            let mut d = doc(&source);
            note(
                &mut d,
                &["spec", "url"],
                format!(
                    "The {} branch, read every minute; a private repository needs spec.secretRef.{placeholder}",
                    spec.branch
                ),
            );
            note(
                &mut d,
                &["spec", "ignore"],
                "Only the Kubernetes files: a change elsewhere starts no sync.",
            );
            let mut content = yaml::to_string(&d, &header("Flux's source, this repository"));
            let source_ref = |namespace: Option<&str>| SourceRef {
                kind: s("GitRepository"),
                name: k.namespace.clone(),
                namespace: namespace.map(s),
            };
            let mut cluster_sync = None;
            for sync in syncs(spec) {
                let d = match &sync.chart {
                    None => {
                        let ks = Object {
                            api_version: "kustomize.toolkit.fluxcd.io/v1",
                            kind: "Kustomization",
                            metadata: meta(&sync.name, FLUX_NAMESPACE),
                            spec: FluxKustomizationSpec {
                                interval: s("10m"),
                                source_ref: source_ref(None),
                                path: format!("./{}", sync.path),
                                prune: k.sync.prune,
                                wait: true,
                                timeout: s("10m"),
                                suspend: !k.sync.automated,
                            },
                        };
                        if sync.env.is_none() {
                            cluster_sync = Some(sync.name.clone());
                        }
                        let mut d = doc(&ks);
                        note(
                            &mut d,
                            &["spec", "wait"],
                            "Ready only once every object it applied is: a rollout that never becomes ready shows as\nfailed.",
                        );
                        note(&mut d, &["spec", "suspend"], SUSPENDED);
                        d
                    }
                    Some((release, values)) => {
                        let hr = Object {
                            api_version: "helm.toolkit.fluxcd.io/v2",
                            kind: "HelmRelease",
                            metadata: meta(&sync.name, FLUX_NAMESPACE),
                            spec: HelmReleaseSpec {
                                interval: s("10m"),
                                release_name: release.clone(),
                                target_namespace: sync.namespace.clone(),
                                depends_on: cluster_sync
                                    .iter()
                                    .map(|n| BTreeMap::from([(s("name"), n.clone())]))
                                    .collect(),
                                chart: HelmChart {
                                    spec: HelmChartSpec {
                                        chart: format!("./{}", sync.path),
                                        source_ref: source_ref(Some(FLUX_NAMESPACE)),
                                        reconcile_strategy: s("Revision"),
                                        values_files: std::iter::once(s("values.yaml"))
                                            .chain(values.iter().cloned())
                                            .map(|v| format!("{}/{v}", sync.path))
                                            .collect(),
                                    },
                                },
                                install: Remediation {
                                    remediation: RemediationSpec {
                                        retries: 3,
                                        strategy: None,
                                    },
                                },
                                upgrade: Remediation {
                                    remediation: RemediationSpec {
                                        retries: 3,
                                        strategy: Some(s("rollback")),
                                    },
                                },
                                suspend: !k.sync.automated,
                            },
                        };
                        let mut d = doc(&hr);
                        note(
                            &mut d,
                            &["spec", "upgrade"],
                            "An upgrade that fails (pods never ready) is retried three times, then rolled back to the\nrelease before it.",
                        );
                        note(&mut d, &["spec", "suspend"], SUSPENDED);
                        d
                    }
                };
                content.push_str("---\n");
                content.push_str(&yaml::to_string(&d, ""));
            }
            out.push(Artifact {
                path: s("gitops/flux/sync.yaml"),
                content,
                purpose: format!(
                    "Flux keeps the cluster as the {} branch says: the repository, and one sync per environment",
                    spec.branch
                ),
                step: "kubernetes".into(),
            });
        }
    }
    out
}

fn sync_words(spec: &DeploySpec) -> String {
    let sy = &spec.kube.sync;
    if !sy.automated {
        return "Manual sync (auto_sync = false): Argo CD shows what differs from git, and a person\nsyncs.".into();
    }
    format!(
        "Automated: every commit to the branch is applied{}{}.",
        if sy.prune {
            ";\nobjects removed from git are removed from the cluster (last)"
        } else {
            ";\nobjects removed from git stay until pruned by hand (prune = false)"
        },
        if sy.self_heal {
            ";\na change made in the cluster by hand is reverted"
        } else {
            ";\na change made in the cluster by hand stays until the next commit (self_heal = false)"
        }
    )
}

/// The pipeline's deploy with GitOps: the tested image's digest written into the file that
/// pins it for `env`, committed with `[skip ci]` (so the push starts no pipeline) and pushed to
/// the branch with the `GITOPS_TOKEN` secret, retried over a concurrent push. The controller
/// then rolls it out and rolls back on failure, as its objects say.
pub fn pin_commands(spec: &DeploySpec, svc: &ServiceSpec, env: &str) -> Vec<String> {
    let name = name_of(&svc.name);
    let file = pin_file(spec, svc, env);
    let branch = &spec.branch;
    let mut c = vec![
        r#"case "$IMAGE" in *@sha256:*) ;; *) echo "IMAGE=$IMAGE is not pinned by digest" >&2; exit 1 ;; esac"#
            .to_string(),
    ];
    match spec.kube.packaging {
        Packaging::Manifests => {
            c.push(format!(
                r#"sed -i -E "s|^( *image: )${{IMAGE%@*}}[:@].*\$|\1$IMAGE|" {file}"#
            ));
        }
        Packaging::Kustomize => {
            c.push(format!(
                r#"printf '%s\n' '# Written by Slipway; rewritten by the pipeline: the image {env} runs, by the digest it tested.' '- op: replace' '  path: /spec/template/spec/containers/0/image' "  value: $IMAGE" > {file}"#
            ));
        }
        Packaging::Helm => {
            let key = helm::values_key(spec, &name);
            let (head, pad) = match key.strip_suffix('.') {
                Some(service) => (format!(" '{service}:'"), "  "),
                None => (String::new(), ""),
            };
            c.push(format!(
                r#"printf '%s\n' '# Written by Slipway; rewritten by the pipeline: the image {env} runs, by the digest it tested.'{head} '{pad}image:' "{pad}  repository: ${{IMAGE%@*}}" "{pad}  digest: \"${{IMAGE#*@}}\"" > {file}"#
            ));
        }
    }
    // The pin must have landed: a Deployment whose image line a person changed is not
    // rewritten behind their back, and the job says so.
    let pinned = if spec.kube.packaging == Packaging::Helm {
        r#""${IMAGE#*@}""#
    } else {
        r#""$IMAGE""#
    };
    c.extend([
        format!(r#"grep -qF {pinned} {file} || {{ echo "{file} does not pin $IMAGE: its image line is not the one Slipway wrote" >&2; exit 1; }}"#),
        format!("git add -- {file}"),
        format!(r#"if git diff --cached --quiet; then echo "{env} already runs $IMAGE"; exit 0; fi"#),
        format!(
            r#"git -c user.name="slipway-deploy" -c user.email="deploy@slipway.invalid" commit -q -m "Deploy {name} to {env}: ${{IMAGE##*@}} [skip ci]""#
        ),
        // The checkout's own remote, as HTTPS and without the job's credentials, and the
        // token in a header that git never prints.
        r#"repo=$(git remote get-url origin | sed -E 's#^git@([^:]+):#https://\1/#; s#^ssh://([^@/]+@)?([^/:]+)(:[0-9]+)?/#https://\2/#; s#//[^@/]+@#//#')"#.into(),
        r#"auth="Authorization: Basic $(printf 'x-access-token:%s' "$GITOPS_TOKEN" | base64 | tr -d '\n')""#.into(),
        format!(
            "for attempt in 1 2 3; do\n  if git -c http.extraheader=\"$auth\" pull -q --rebase \"$repo\" {branch} && git -c http.extraheader=\"$auth\" push -q \"$repo\" HEAD:{branch}; then\n    echo \"{env} now runs $IMAGE: the GitOps controller rolls it out\"\n    exit 0\n  fi\n  sleep $((attempt * 5))\ndone\necho \"Could not push the pin of {name} to {branch}\" >&2\nexit 1"
        ),
    ]);
    c
}
