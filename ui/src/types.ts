// Mirrors of the Rust types that cross the IPC boundary (crates/api, crates/engine, crates/scan).
// Field names follow the serde attributes on the Rust side.

export type TodoStatus = "pending" | "in_progress" | "done" | "failed" | "skipped";

export interface Todo {
  id: string;
  title: string;
  status: TodoStatus;
  detail?: string;
}

export interface Evidence {
  file: string;
  line: number | null;
  reason: string;
}

export interface ServiceProfile {
  name: string;
  path: string;
  language: string | null;
  framework: string | null;
  packageManager: string | null;
  runtimeVersion: string | null;
  port: number | null;
  installCommand: string | null;
  buildCommand: string | null;
  startCommand: string | null;
  backingServices: string[];
  evidence: Evidence[];
}

export interface ProjectProfile {
  root: string;
  services: ServiceProfile[];
  infrastructure: { kind: string; path: string }[];
  git: { branch: string | null; remotes: { name: string; url: string; host: string }[] } | null;
  warnings: { path: string; message: string }[];
}

export interface Change {
  path: string;
  action: "create" | "modify" | "unchanged";
  diff: string;
  purpose: string;
}

export interface Finding {
  severity: "info" | "warning" | "error";
  rule: string;
  path: string;
  line: number | null;
  message: string;
}

export interface RunReport {
  task: string;
  todos: Todo[];
  changes: Change[];
  findings: Finding[];
  commit: { id: string; message: string; branch: string } | null;
  push: { outcome: string; remote: string | null; branch: string; message: string } | null;
  rulesRead: string[];
  declined: string[];
  profile: ProjectProfile;
}

export interface LogLine {
  level: string;
  message: string;
}

/** The one error shape every command returns. */
export interface CommandError {
  code: string;
  message: string;
}
