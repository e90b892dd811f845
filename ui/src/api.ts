// Typed wrappers over the app's commands and events. The webview reaches Rust only through
// these; each command is granted one by one in src-tauri/capabilities/main.json.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CommandError, LogLine, ProjectProfile, RunReport, Todo } from "./types";

export const api = {
  initialProject: () => invoke<ProjectProfile | null>("initial_project"),
  pickFolder: () => invoke<ProjectProfile | null>("pick_folder"),
  openProject: (path: string) => invoke<ProjectProfile>("open_project", { path }),
  startRun: (task: string) => invoke<RunReport>("start_run", { task }),
  applyRun: () => invoke<RunReport>("apply_run"),
  commitAndPush: () => invoke<RunReport>("commit_and_push"),
  recentLogs: () => invoke<LogLine[]>("recent_logs"),
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
  onDragging: (f: (over: boolean) => void): Promise<UnlistenFn> => listen<boolean>("slipway://dragging", (e) => f(e.payload)),
};

/** Turns whatever a command threw into words. */
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) return String((e as CommandError).message);
  return String(e);
}
