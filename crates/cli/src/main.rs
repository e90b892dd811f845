//! `slipway`: the deployment engineer on the command line.
//!
//! Exit codes: 0 success, 1 the work failed, 2 bad usage or input. Results go to stdout
//! (`--json` for scripts); progress and logs go to stderr.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use clap::{Parser, Subcommand};
use slipway_api::{keychain, ApiError, Brain, Run, RunObserver, RunOptions, RunReport};
use slipway_engine::{Todo, TodoStatus};

#[derive(Parser)]
#[command(
    name = "slipway",
    version,
    about = "A deployment engineer for your project: analyse it, generate deployment files, review, commit and push."
)]
struct Cli {
    /// Show what happens in more detail on stderr.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a project: services, stacks, ports, commands, infrastructure and git facts.
    Scan {
        /// The project folder.
        dir: PathBuf,
        /// Print the profile as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Carry out a task on a project. Without --apply nothing is written.
    Run {
        /// The project folder.
        dir: PathBuf,
        /// What to do, in plain words: "containerize this app".
        #[arg(long, short)]
        task: String,
        /// Write the proposed files into the project.
        #[arg(long)]
        apply: bool,
        /// Commit the written files on the current branch (needs --apply).
        #[arg(long, requires = "apply")]
        commit: bool,
        /// Push the commit to the branch's remote (needs --commit).
        #[arg(long, requires = "commit")]
        push: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Who does the work: the built-in engine (offline, no key), or a model through an
        /// OpenAI-compatible or Anthropic API. The key comes from SLIPWAY_API_KEY or the OS
        /// keychain (stored by the app).
        #[arg(long, value_parser = ["builtin", "openai", "anthropic"], default_value = "builtin")]
        provider: String,
        /// The provider's endpoint (OpenAI-compatible: ending in /v1, such as
        /// http://127.0.0.1:11434/v1 for Ollama). Defaults to the provider's public API.
        #[arg(long, requires = "provider")]
        base_url: Option<String>,
        /// The model to use. Defaults to a current model of the provider.
        #[arg(long, requires = "provider")]
        model: Option<String>,
        /// A Context7-compatible documentation service the model may consult.
        #[arg(long)]
        docs_url: Option<String>,
    },
}

/// Prints each todo as its status changes, to stderr.
struct Progress {
    last: Mutex<Vec<(String, TodoStatus)>>,
}

impl RunObserver for Progress {
    fn todos(&self, todos: &[Todo]) {
        let mut last = self.last.lock().expect("progress lock");
        let mut err = std::io::stderr().lock();
        if last.is_empty() {
            let _ = writeln!(err, "Todo:");
            for (i, t) in todos.iter().enumerate() {
                let _ = writeln!(err, "  {}. {}", i + 1, t.title);
            }
        }
        for t in todos {
            let before = last.iter().find(|(id, _)| id == &t.id).map(|(_, s)| *s);
            if before != Some(t.status) && t.status != TodoStatus::Pending && t.status != TodoStatus::InProgress {
                let _ = writeln!(
                    err,
                    "{} {}{}",
                    mark(t.status),
                    t.title,
                    t.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                );
            }
        }
        *last = todos.iter().map(|t| (t.id.clone(), t.status)).collect();
    }
}

fn mark(s: TodoStatus) -> &'static str {
    match s {
        TodoStatus::Pending => "[ ]",
        TodoStatus::InProgress => "[~]",
        TodoStatus::Done => "[x]",
        TodoStatus::Failed => "[!]",
        TodoStatus::Skipped => "[-]",
    }
}

fn fail(e: &ApiError) -> ExitCode {
    eprintln!("slipway: {e}");
    ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
}

fn print_json<T: serde::Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("serialisable"));
}

fn print_report(r: &RunReport) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Task: {}\n", r.task);
    for t in &r.todos {
        let _ = writeln!(out, "{} {}", mark(t.status), t.title);
        if let Some(d) = &t.detail {
            let _ = writeln!(out, "      {d}");
        }
    }
    if let Some(summary) = &r.summary {
        let _ = writeln!(out, "\nThe model's summary: {summary}");
    }
    if let Some(u) = &r.usage {
        let _ = writeln!(
            out,
            "Tokens: {} in, {} out over {} requests ({})",
            u.input_tokens, u.output_tokens, u.requests, r.brain
        );
    }
    for d in &r.declined {
        let _ = writeln!(out, "\nNot done: the built-in engine cannot yet {d}.");
    }
    for c in &r.changes {
        let _ = writeln!(
            out,
            "\n{} {} ({})\n{}",
            match c.action {
                slipway_engine::ChangeAction::Create => "create",
                _ => "modify",
            },
            c.path,
            c.purpose,
            c.diff
        );
    }
    if !r.findings.is_empty() {
        let _ = writeln!(out, "Findings:");
        for f in &r.findings {
            let at = f.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(out, "  {:?} {} {}{}: {}", f.severity, f.rule, f.path, at, f.message);
        }
    }
    if let Some(c) = &r.commit {
        let _ = writeln!(out, "\nCommitted {} on {}", &c.id[..12.min(c.id.len())], c.branch);
    }
    if let Some(p) = &r.push {
        let _ = writeln!(out, "Push: {}", p.message);
    }
}

fn print_profile(profile: &slipway_scan::ProjectProfile) {
    println!("{}", profile.root);
    for s in &profile.services {
        println!("\n{} ({}, {})", s.name, s.path, s.kind);
        let field = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                println!("  {k:<16}{v}");
            }
        };
        let list = |v: &[String]| Some(v.join(", ")).filter(|x| !x.is_empty());
        field("language", s.language.clone());
        field("framework", s.framework.clone());
        field("package manager", s.package_manager.clone());
        field("lockfile", s.lockfile.clone());
        field("runtime", s.runtime_version.clone());
        field("port", s.port.map(|p| p.to_string()));
        field("install", s.install_command.clone());
        field("build", s.build_command.clone());
        field("start", s.start_command.clone());
        field("artifact", s.artifact.clone());
        field("health", s.health_path.clone());
        field("needs", list(&s.backing_services));
        field("env", list(&s.env_vars));
        field("ci install", s.ci_install_command.clone());
        for l in &s.lint_commands {
            field("lint", Some(l.clone()));
        }
        field("test", s.test_command.clone());
        field(
            "workspace",
            s.workspace.as_ref().map(|w| format!("{} at {}", w.tool, w.root)),
        );
        field("corrected", list(&s.corrected));
        for e in &s.evidence {
            println!(
                "    - {}{}: {}",
                e.file,
                e.line.map(|l| format!(":{l}")).unwrap_or_default(),
                e.reason
            );
        }
    }
    if profile.services.is_empty() {
        println!("\nno services found");
    }
    if !profile.skipped.is_empty() {
        println!();
    }
    for s in &profile.skipped {
        println!("not a service: {} ({})", s.path, s.reason);
    }
    if !profile.infrastructure.is_empty() {
        println!();
    }
    for i in &profile.infrastructure {
        println!("infrastructure: {} ({})", i.path, i.kind);
    }
    for w in &profile.warnings {
        eprintln!("warning: {}: {}", w.path, w.message);
    }
}

/// The brain for a run: keys from SLIPWAY_API_KEY or the keychain. A keychain that cannot be
/// reached is only an error when a key is needed (a local server needs none).
fn brain(settings: &slipway_api::BrainSettings) -> Result<Brain, ApiError> {
    let Some(kind) = settings.kind()? else {
        return Ok(Brain::Builtin);
    };
    let key = match keychain::provider_key(kind) {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    };
    let docs_key = match settings.docs_url {
        Some(_) => keychain::load(keychain::DOCS_ACCOUNT).unwrap_or_default(),
        None => None,
    };
    settings.brain(key, docs_key)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // What the model says and does is shown by default; the rest of the log with --verbose.
    let level = if cli.verbose {
        "info"
    } else {
        "warn,slipway::model=info"
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("SLIPWAY_LOG").unwrap_or_else(|_| level.into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
    match cli.command {
        Command::Scan { dir, json } => match slipway_api::scan(&dir) {
            Ok(profile) => {
                if json {
                    print_json(&profile);
                } else {
                    print_profile(&profile);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Command::Run {
            dir,
            task,
            apply,
            commit,
            push,
            json,
            provider,
            base_url,
            model,
            docs_url,
        } => {
            let settings = slipway_api::BrainSettings {
                provider,
                base_url,
                model,
                docs_url,
            };
            let brain = match brain(&settings) {
                Ok(b) => b,
                Err(e) => return fail(&e),
            };
            let progress = Progress {
                last: Mutex::new(Vec::new()),
            };
            let observer: &dyn RunObserver = if json { &() } else { &progress };
            let options = RunOptions { apply, commit, push };
            match Run::execute_with(&dir, &task, &brain, options, observer, &slipway_api::llm::Cancel::new()) {
                Ok(run) => {
                    let report = run.report();
                    if json {
                        print_json(&report);
                    } else {
                        print_report(&report);
                    }
                    let pushed_ok = run.push.as_ref().is_none_or(|p| p.is_pushed());
                    if pushed_ok {
                        ExitCode::SUCCESS
                    } else {
                        eprintln!(
                            "slipway: {}",
                            run.push.as_ref().map(|p| p.describe()).unwrap_or_default()
                        );
                        ExitCode::from(1)
                    }
                }
                Err(e) => fail(&e),
            }
        }
    }
}
