// The types that cross the IPC boundary come from the Rust types (src/bindings.ts, generated
// and checked by crates/api/tests/bindings.rs). The two below belong to the desktop shell
// (src-tauri) alone.
export type {
  BrainSettings,
  BrainStatus,
  Change,
  CloudView,
  DeploySpec,
  Drift,
  Evidence,
  Finding,
  Hunk,
  Job,
  Overview,
  Pipeline,
  ProjectProfile,
  Requirement,
  RunReport,
  ServiceProfile,
  Todo,
  TodoStatus,
  Topology,
  Usage,
} from "./bindings";

/** A line of the log panel (src-tauri/src/logs.rs). */
export interface LogLine {
  level: string;
  message: string;
}

/** The one error shape every command returns (src-tauri/src/commands.rs). */
export interface CommandError {
  code: string;
  message: string;
}
