//! The UI's TypeScript types are generated from the Rust types that cross the IPC boundary, and
//! committed in ui/src/bindings.ts. This test fails when they drift; regenerate with
//! `UPDATE_BINDINGS=1 cargo test -p slipway-api --test bindings`.

use std::path::Path;

use ts_rs::{Config, TS};

fn decl<T: TS>(cfg: &Config) -> String {
    format!("export {}\n", T::decl(cfg))
}

#[test]
fn typescript_bindings_are_current() {
    let cfg = Config::default();
    let mut out = String::from(
        "// Generated from the Rust types by crates/api/tests/bindings.rs: do not edit by hand.\n\
         // Regenerate with: UPDATE_BINDINGS=1 cargo test -p slipway-api --test bindings\n\n",
    );
    for d in [
        decl::<slipway_scan::ProjectProfile>(&cfg),
        decl::<slipway_scan::ServiceProfile>(&cfg),
        decl::<slipway_scan::NextjsFacts>(&cfg),
        decl::<slipway_scan::Evidence>(&cfg),
        decl::<slipway_scan::InfraFile>(&cfg),
        decl::<slipway_scan::FoundValue>(&cfg),
        decl::<slipway_scan::ScanWarning>(&cfg),
        decl::<slipway_scan::Skipped>(&cfg),
        decl::<slipway_scan::WorkspaceFacts>(&cfg),
        decl::<slipway_scan::GitFacts>(&cfg),
        decl::<slipway_scan::GitRemote>(&cfg),
        decl::<slipway_scan::GitCommitSummary>(&cfg),
        decl::<slipway_scan::DeploySettings>(&cfg),
        decl::<slipway_engine::spec::DeploySpec>(&cfg),
        decl::<slipway_engine::spec::SpecField>(&cfg),
        decl::<slipway_engine::spec::ServiceSpec>(&cfg),
        decl::<slipway_engine::spec::EnvSpec>(&cfg),
        decl::<slipway_engine::spec::MetricsSpec>(&cfg),
        decl::<slipway_engine::spec::RequestMetric>(&cfg),
        decl::<slipway_engine::spec::PrometheusSpec>(&cfg),
        decl::<slipway_engine::spec::EnvironmentSpec>(&cfg),
        decl::<slipway_engine::spec::Scaling>(&cfg),
        decl::<slipway_engine::spec::KubeSpec>(&cfg),
        decl::<slipway_engine::spec::CloudSpec>(&cfg),
        decl::<slipway_engine::spec::ServerSpec>(&cfg),
        decl::<slipway_engine::spec::ClusterSpec>(&cfg),
        decl::<slipway_engine::cloud::CloudView>(&cfg),
        decl::<slipway_engine::cloud::CloudNode>(&cfg),
        decl::<slipway_engine::cloud::cost::Estimate>(&cfg),
        decl::<slipway_engine::cloud::cost::CostLine>(&cfg),
        decl::<slipway_engine::spec::Resources>(&cfg),
        decl::<slipway_engine::params::Packaging>(&cfg),
        decl::<slipway_engine::params::Route>(&cfg),
        decl::<slipway_engine::params::Mesh>(&cfg),
        decl::<slipway_engine::params::Rollouts>(&cfg),
        decl::<slipway_engine::params::Backing>(&cfg),
        decl::<slipway_engine::params::Charts>(&cfg),
        decl::<slipway_engine::params::GitOps>(&cfg),
        decl::<slipway_engine::spec::SyncSpec>(&cfg),
        decl::<slipway_engine::kube::Topology>(&cfg),
        decl::<slipway_engine::params::CiSystem>(&cfg),
        decl::<slipway_engine::params::Registry>(&cfg),
        decl::<slipway_engine::params::Target>(&cfg),
        decl::<slipway_engine::params::Strategy>(&cfg),
        decl::<slipway_engine::pipeline::Pipeline>(&cfg),
        decl::<slipway_engine::pipeline::Job>(&cfg),
        decl::<slipway_engine::pipeline::JobKind>(&cfg),
        decl::<slipway_engine::pipeline::Sidecar>(&cfg),
        decl::<slipway_engine::pipeline::Toolchain>(&cfg),
        decl::<slipway_engine::pipeline::Requirement>(&cfg),
        decl::<slipway_engine::pipeline::parity::Parity>(&cfg),
        decl::<slipway_engine::suggest::Overview>(&cfg),
        decl::<slipway_engine::Todo>(&cfg),
        decl::<slipway_engine::TodoStatus>(&cfg),
        decl::<slipway_engine::Change>(&cfg),
        decl::<slipway_engine::ChangeAction>(&cfg),
        decl::<slipway_engine::Hunk>(&cfg),
        decl::<slipway_engine::Finding>(&cfg),
        decl::<slipway_engine::Severity>(&cfg),
        decl::<slipway_git::CommitInfo>(&cfg),
        decl::<slipway_api::RunReport>(&cfg),
        decl::<slipway_api::PushReport>(&cfg),
        decl::<slipway_api::llm::Usage>(&cfg),
        decl::<slipway_engine::drift::Drift>(&cfg),
        decl::<slipway_api::BrainSettings>(&cfg),
        decl::<slipway_api::BrainStatus>(&cfg),
    ] {
        out.push_str(&d);
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &out).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == out,
        "ui/src/bindings.ts is out of date with the Rust types; regenerate it with \
         UPDATE_BINDINGS=1 cargo test -p slipway-api --test bindings, then fix the UI's type errors"
    );
}
