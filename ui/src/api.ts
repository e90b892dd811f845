// Typed wrappers over the app's commands and events. The webview reaches Rust only through
// these; each command is granted one by one in src-tauri/capabilities/main.json.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { BrainSettings, BrainStatus, CommandError, Drift, LogLine, Overview, ProjectProfile, RunReport, Todo } from "./types";

export const api = {
  initialProject: () => invoke<ProjectProfile | null>("initial_project"),
  pickFolder: () => invoke<ProjectProfile | null>("pick_folder"),
  setDeploy: (field: string, value: string | null) => invoke<ProjectProfile>("set_deploy", { field, value }),
  openProject: (path: string) => invoke<ProjectProfile>("open_project", { path }),
  /** Starts a task; the result arrives through `events.onRunDone` or `events.onRunFailed`. */
  startRun: (task: string) => invoke<void>("start_run", { task }),
  applyRun: () => invoke<RunReport>("apply_run"),
  /** Commits (on a new branch when `newBranch`; null: as the project's rules say) and pushes. */
  commitAndPush: (newBranch: boolean | null) => invoke<RunReport>("commit_and_push", { newBranch }),
  pushRun: () => invoke<RunReport>("push_run"),
  storeGitToken: (host: string, username: string | null, token: string) => invoke<void>("store_git_token", { host, username, token }),
  recentProjects: () => invoke<string[]>("recent_projects"),
  /** A line per service, and the tasks that fit the project, the most useful first. */
  projectOverview: (profile: ProjectProfile) => invoke<Overview>("project_overview", { profile }),
  branchChoice: () => invoke<boolean | null>("branch_choice"),
  driftFix: (id: string) => invoke<RunReport>("drift_fix", { id }),
  recentLogs: () => invoke<LogLine[]>("recent_logs"),
  /** Accepts or rejects one hunk (`hunk` null: the whole file) before applying. */
  reviewChange: (path: string, hunk: number | null, accept: boolean) => invoke<RunReport>("review_change", { path, hunk, accept }),
  editChange: (path: string, content: string) => invoke<RunReport>("edit_change", { path, content }),
  refreshChange: (path: string) => invoke<RunReport>("refresh_change", { path }),
  runConflicts: () => invoke<{ path: string; diff: string }[]>("run_conflicts"),
  undoApply: () => invoke<RunReport>("undo_apply"),
  /** Stops the task being prepared; true when one was running. */
  cancelRun: () => invoke<boolean>("cancel_run"),
  brainStatus: () => invoke<BrainStatus>("brain_status"),
  saveBrain: (settings: BrainSettings) => invoke<BrainStatus>("save_brain", { settings }),
  /** Stores a key in the OS keychain: `provider` for the chosen provider, or `docs`. */
  storeKey: (which: "provider" | "docs", key: string) => invoke<BrainStatus>("store_key", { which, key }),
  forgetKey: (which: "provider" | "docs") => invoke<BrainStatus>("forget_key", { which }),
  /** [provider id, default base URL, default model] for each provider. */
  providerDefaults: () => invoke<[string, string, string][]>("provider_defaults"),
  /** Saves a correction in slipway.toml (null clears it) and returns the project analysed again. */
  correctService: (service: string, field: string, value: string | null) =>
    invoke<ProjectProfile>("correct_service", { service, field, value }),
};

export const events = {
  onTodos: (f: (todos: Todo[]) => void): Promise<UnlistenFn> => listen<Todo[]>("slipway://todos", (e) => f(e.payload)),
  onLog: (f: (line: LogLine) => void): Promise<UnlistenFn> => listen<LogLine>("slipway://log", (e) => f(e.payload)),
  onProject: (f: (p: ProjectProfile) => void): Promise<UnlistenFn> =>
    listen<ProjectProfile>("slipway://project", (e) => f(e.payload)),
  onProjectError: (f: (e: CommandError) => void): Promise<UnlistenFn> =>
    listen<CommandError>("slipway://project-error", (e) => f(e.payload)),
  onRunDone: (f: (r: RunReport) => void): Promise<UnlistenFn> => listen<RunReport>("slipway://run-done", (e) => f(e.payload)),
  onRunFailed: (f: (e: CommandError) => void): Promise<UnlistenFn> =>
    listen<CommandError>("slipway://run-failed", (e) => f(e.payload)),
  onRescanned: (f: (p: ProjectProfile) => void): Promise<UnlistenFn> => listen<ProjectProfile>("slipway://rescanned", (e) => f(e.payload)),
  onDrift: (f: (d: Drift[]) => void): Promise<UnlistenFn> => listen<Drift[]>("slipway://drift", (e) => f(e.payload)),
  onDragging: (f: (over: boolean) => void): Promise<UnlistenFn> => listen<boolean>("slipway://dragging", (e) => f(e.payload)),
};

/** Runs a task to its end: resolves with the report, or rejects with the error in words. */
export async function runTask(task: string): Promise<RunReport> {
  let settle: { ok: (r: RunReport) => void; fail: (e: CommandError) => void } | undefined;
  const done = new Promise<RunReport>((ok, fail) => (settle = { ok, fail }));
  const offDone = await events.onRunDone((r) => settle?.ok(r));
  const offFailed = await events.onRunFailed((e) => settle?.fail(e));
  try {
    await api.startRun(task);
    return await done;
  } finally {
    offDone();
    offFailed();
  }
}

/** Turns whatever a command threw into words. */
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) return String((e as CommandError).message);
  return String(e);
}
