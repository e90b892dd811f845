// Generated from the Rust types by crates/api/tests/bindings.rs: do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test -p slipway-api --test bindings

export type ProjectProfile = { 
/**
 * The project folder as given, absolute.
 */
root: string, 
/**
 * Every service found, each with its own path.
 */
services: Array<ServiceProfile>, 
/**
 * Deployment and CI files that already exist.
 */
infrastructure: Array<InfraFile>, 
/**
 * Repository facts, or `None` when the folder is not in a git repository.
 */
git: GitFacts | null, 
/**
 * Packages that were looked at and are not deployable services (libraries, workspace
 * roots), with the reason; `slipway.toml` can turn one into a service.
 */
skipped: Array<Skipped>, 
/**
 * Problems met along the way; the scan went on past each of them.
 */
warnings: Array<ScanWarning>, };
export type ServiceProfile = { 
/**
 * A short name, from the manifest or the folder.
 */
name: string, 
/**
 * The service's folder relative to the project root, `"."` for the root itself.
 */
path: string, 
/**
 * How it runs: `web` (a server on a port), `static` (files a web server serves) or
 * `worker` (a process that listens on no port).
 */
kind: string, 
/**
 * Lowercase language id: `node`, `python`, `go`, ...
 */
language: string | null, 
/**
 * Lowercase framework id: `nextjs`, `fastapi`, ...
 */
framework: string | null, 
/**
 * Package manager id: `npm`, `yarn`, `pnpm`, `bun`, ...
 */
packageManager: string | null, 
/**
 * The lockfile that pins the dependencies, relative to the service folder.
 */
lockfile: string | null, 
/**
 * The runtime version the project asks for, as written (`20`, `20.11.1`), or resolved from
 * a range to the newest long-term-support release inside it.
 */
runtimeVersion: string | null, 
/**
 * The port the service listens on in production.
 */
port: number | null, 
/**
 * Command that installs dependencies reproducibly.
 */
installCommand: string | null, 
/**
 * Command that builds the production output.
 */
buildCommand: string | null, 
/**
 * Command that starts the service in production.
 */
startCommand: string | null, 
/**
 * Databases, caches and brokers the service needs: `postgres`, `redis`, ...
 */
backingServices: Array<string>, 
/**
 * Names of the environment variables the service reads (never their values).
 */
envVars: Array<string>, 
/**
 * The HTTP path of a health endpoint the code defines, such as `/healthz`.
 */
healthPath: string | null, 
/**
 * What the build produces for the runtime: a folder of static files (`dist`), a binary
 * or a jar, relative to the service folder.
 */
artifact: string | null, 
/**
 * The monorepo this service is part of, when it is part of one.
 */
workspace: WorkspaceFacts | null, 
/**
 * Fields set by the user in `slipway.toml` rather than detected.
 */
corrected: Array<string>, 
/**
 * Why each of the above was concluded.
 */
evidence: Array<Evidence>, 
/**
 * Facts specific to Next.js, present when the framework is Next.js.
 */
nextjs?: NextjsFacts | null, };
export type NextjsFacts = { 
/**
 * `output: "standalone"` is set in the Next.js config.
 */
standalone: boolean, 
/**
 * The Next.js config file, when there is one.
 */
configFile: string | null, 
/**
 * The project has a `public/` folder to ship.
 */
hasPublicDir: boolean, };
export type Evidence = { 
/**
 * File relative to the project root.
 */
file: string, 
/**
 * 1-based line, when the reason sits on one line.
 */
line: number | null, 
/**
 * What was concluded from it, in words.
 */
reason: string, };
export type InfraFile = { 
/**
 * Kind id: `dockerfile`, `compose`, `github-actions`, ...
 */
kind: string, 
/**
 * Path relative to the project root.
 */
path: string, };
export type ScanWarning = { 
/**
 * The file or folder concerned, relative to the project root.
 */
path: string, 
/**
 * What went wrong.
 */
message: string, };
export type Skipped = { 
/**
 * The folder, relative to the project root.
 */
path: string, 
/**
 * Why it is not treated as a service.
 */
reason: string, };
export type WorkspaceFacts = { 
/**
 * The workspace root folder, relative to the project root (`"."` for the root).
 */
root: string, 
/**
 * What ties it together: `npm`, `yarn`, `pnpm`, `bun`, `turborepo`, `nx`, `go`, `cargo`,
 * `maven`, `gradle`, `sbt`, `dotnet`.
 */
tool: string, 
/**
 * The shared lockfile, relative to the project root.
 */
lockfile: string | null, };
export type GitFacts = { 
/**
 * The current branch, `None` on a detached HEAD.
 */
branch: string | null, 
/**
 * Configured remotes; credentials in URLs are redacted.
 */
remotes: Array<GitRemote>, 
/**
 * The last commits on HEAD, newest first (at most 10).
 */
recentCommits: Array<GitCommitSummary>, 
/**
 * Number of paths with uncommitted changes (untracked included).
 */
uncommittedChanges: number, };
export type GitRemote = { 
/**
 * Remote name, such as `origin`.
 */
name: string, 
/**
 * Fetch URL with any password removed.
 */
url: string, 
/**
 * `github`, `gitlab`, `bitbucket`, `azure`, `codeberg`, `local` or `other`.
 */
host: string, };
export type GitCommitSummary = { 
/**
 * Abbreviated commit id.
 */
id: string, 
/**
 * First line of the message.
 */
summary: string, 
/**
 * Author name.
 */
author: string, };
export type Todo = { 
/**
 * Stable id within the plan, such as `dockerfile`.
 */
id: string, 
/**
 * The step in words.
 */
title: string, 
/**
 * Where it stands.
 */
status: TodoStatus, 
/**
 * What happened, once something has.
 */
detail?: string | null, };
export type TodoStatus = "pending" | "in_progress" | "done" | "failed" | "skipped";
export type Change = { 
/**
 * Path relative to the project root.
 */
path: string, 
/**
 * What applying does.
 */
action: ChangeAction, 
/**
 * Unified diff from the disk to the proposal.
 */
diff: string, 
/**
 * Why the file exists.
 */
purpose: string, 
/**
 * The diff's hunks, each accepted or rejected.
 */
hunks: Array<Hunk>, 
/**
 * True when the person edited the proposal.
 */
edited: boolean, 
/**
 * The whole proposal, as generated or edited (what the editor starts from).
 */
proposed: string, };
export type ChangeAction = "create" | "modify" | "unchanged";
export type Hunk = { 
/**
 * `@@ -old,len +new,len @@`.
 */
header: string, 
/**
 * The lines, each starting with `+`, `-` or a space.
 */
lines: Array<string>, 
/**
 * True when applying takes this hunk.
 */
accepted: boolean, };
export type Finding = { 
/**
 * How much it matters.
 */
severity: Severity, 
/**
 * Stable rule id.
 */
rule: string, 
/**
 * File relative to the project root.
 */
path: string, 
/**
 * 1-based line, when it sits on one.
 */
line: number | null, 
/**
 * What and why, in words.
 */
message: string, };
export type Severity = "info" | "warning" | "error";
export type CommitInfo = { 
/**
 * Full commit id.
 */
id: string, 
/**
 * The whole message.
 */
message: string, 
/**
 * The branch it was made on.
 */
branch: string, };
export type RunReport = { 
/**
 * The task text.
 */
task: string, 
/**
 * The todo list.
 */
todos: Array<Todo>, 
/**
 * Proposed changes with their diffs.
 */
changes: Array<Change>, 
/**
 * What the reflection found.
 */
findings: Array<Finding>, 
/**
 * The commit, when one was made.
 */
commit: CommitInfo | null, 
/**
 * The push, when one was tried.
 */
push: PushReport | null, 
/**
 * Rule files read.
 */
rulesRead: Array<string>, 
/**
 * Parts of the task the engine declined, in words.
 */
declined: Array<string>, 
/**
 * The analysis.
 */
profile: ProjectProfile, 
/**
 * Which brain did the work, in words.
 */
brain: string, 
/**
 * Tokens the model used (LLM runs).
 */
usage: Usage | null, 
/**
 * The model's closing words (LLM runs).
 */
summary: string | null, 
/**
 * The branch a new-branch commit would go on.
 */
newBranch: string, 
/**
 * The rule file that keeps work off `main`, when there is one.
 */
branchRule: string | null, 
/**
 * The branch HEAD is on now.
 */
currentBranch: string | null, };
export type PushReport = { 
/**
 * `pushed`, `no_remote`, `needs_credentials`, `rejected` or `unreachable`.
 */
outcome: string, 
/**
 * The remote, when there is one.
 */
remote: string | null, 
/**
 * The branch.
 */
branch: string, 
/**
 * The outcome in words.
 */
message: string, 
/**
 * The remote's host, where a token for it would be stored (HTTPS remotes).
 */
host: string | null, };
export type Usage = { 
/**
 * Tokens sent (prompt).
 */
inputTokens: bigint, 
/**
 * Tokens received (completion).
 */
outputTokens: bigint, 
/**
 * Requests that got a reply, retries included.
 */
requests: number, };
export type Drift = { 
/**
 * Stable id: `<check>:<path>[:<detail>]`.
 */
id: string, 
/**
 * The file that lags.
 */
path: string, 
/**
 * What moved, in words, with where the new fact comes from.
 */
message: string, };
export type BrainSettings = { 
/**
 * `builtin`, `openai` or `anthropic`.
 */
provider: string, 
/**
 * The provider's endpoint; its public one when unset.
 */
baseUrl: string | null, 
/**
 * The model; a current default when unset.
 */
model: string | null, 
/**
 * A Context7-compatible documentation service; none when unset.
 */
docsUrl: string | null, };
export type BrainStatus = { 
/**
 * The settings.
 */
settings: BrainSettings, 
/**
 * The stored provider key, masked, when there is one.
 */
key: string | null, 
/**
 * The stored documentation key, masked, when there is one.
 */
docsKey: string | null, 
/**
 * Why the keychain could not be read, when it could not.
 */
keychainError: string | null, };
