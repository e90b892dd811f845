import { api, errorText, events, runTask } from "./api";
import { renderHunks, renderPlainDiff, type DiffMode } from "./diff";
import type { BrainStatus, Change, CloudView, DeploySpec, Drift, Finding, Job, LogLine, Pipeline, ProjectProfile, Requirement, RunReport, ServiceProfile, Todo, Topology } from "./types";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const ui = {
  root: $<HTMLDivElement>("project-root"),
  open: $<HTMLButtonElement>("open-folder"),
  welcome: $<HTMLDivElement>("welcome"),
  project: $<HTMLDivElement>("project"),
  services: $<HTMLDivElement>("services"),
  infra: $<HTMLDivElement>("infrastructure"),
  form: $<HTMLFormElement>("task-form"),
  task: $<HTMLTextAreaElement>("task-input"),
  welcomeOpen: $<HTMLButtonElement>("welcome-open"),
  todoPanel: $<HTMLDivElement>("todo-panel"),
  suggestions: $<HTMLDivElement>("suggestions"),
  suggestionList: $<HTMLUListElement>("suggestion-list"),
  run: $<HTMLButtonElement>("run-button"),
  todos: $<HTMLOListElement>("todo-list"),
  apply: $<HTMLButtonElement>("apply-button"),
  commit: $<HTMLButtonElement>("commit-button"),
  undo: $<HTMLButtonElement>("undo-button"),
  drift: $<HTMLUListElement>("drift"),
  branchChoice: $<HTMLSelectElement>("branch-choice"),
  tokenForm: $<HTMLFormElement>("token-form"),
  tokenHost: $<HTMLSpanElement>("token-host"),
  tokenUser: $<HTMLInputElement>("token-user"),
  tokenInput: $<HTMLInputElement>("token-input"),
  recent: $<HTMLUListElement>("recent-list"),
  recentBlock: $<HTMLDivElement>("recent"),
  progress: $<HTMLDivElement>("progress"),
  outcome: $<HTMLDivElement>("outcome"),
  tabs: $<HTMLDivElement>("file-tabs"),
  diff: $<HTMLDivElement>("diff-view"),
  findings: $<HTMLUListElement>("findings"),
  specPanel: $<HTMLDivElement>("spec-panel"),
  specFields: $<HTMLDListElement>("spec-fields"),
  pipeline: $<HTMLDivElement>("pipeline-picture"),
  pipelineHeading: $<HTMLHeadingElement>("pipeline-heading"),
  cluster: $<HTMLDivElement>("cluster-picture"),
  clusterHeading: $<HTMLHeadingElement>("cluster-heading"),
  cloud: $<HTMLDivElement>("cloud-picture"),
  cloudHeading: $<HTMLHeadingElement>("cloud-heading"),
  cost: $<HTMLTableElement>("cost-table"),
  parity: $<HTMLUListElement>("parity"),
  requirements: $<HTMLUListElement>("requirements"),
  log: $<HTMLPreElement>("log-panel"),
  overlay: $<HTMLDivElement>("drop-overlay"),
  cancel: $<HTMLButtonElement>("cancel-button"),
  usage: $<HTMLDivElement>("usage"),
  brain: $<HTMLButtonElement>("brain-button"),
  settings: $<HTMLDialogElement>("settings"),
  settingsForm: $<HTMLFormElement>("settings-form"),
  provider: $<HTMLSelectElement>("provider"),
  llmFields: $<HTMLDivElement>("llm-fields"),
  baseUrl: $<HTMLInputElement>("base-url"),
  model: $<HTMLInputElement>("model"),
  apiKey: $<HTMLInputElement>("api-key"),
  keyStatus: $<HTMLSpanElement>("key-status"),
  saveKey: $<HTMLButtonElement>("save-key"),
  forgetKey: $<HTMLButtonElement>("forget-key"),
  docsUrl: $<HTMLInputElement>("docs-url"),
  docsKey: $<HTMLInputElement>("docs-key"),
  docsKeyStatus: $<HTMLSpanElement>("docs-key-status"),
  saveDocsKey: $<HTMLButtonElement>("save-docs-key"),
  settingsMessage: $<HTMLParagraphElement>("settings-message"),
  settingsClose: $<HTMLButtonElement>("settings-close"),
};

type Phase = "idle" | "running" | "review" | "applied" | "shipped";

const state = {
  profile: null as ProjectProfile | null,
  report: null as RunReport | null,
  phase: "idle" as Phase,
  busy: false,
  selected: null as string | null,
  mode: "unified" as DiffMode,
  /** Service cards the person expanded, kept open across re-analyses. */
  expanded: new Set<string>(),
  /** Tasks that fit the open project, offered while the task box is empty. */
  suggested: [] as string[],
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const c of children) node.append(c);
  return node;
}

function setOutcome(text: string, kind: "ok" | "error" | "info") {
  ui.outcome.hidden = false;
  ui.outcome.textContent = text;
  ui.outcome.dataset.kind = kind;
}

function refreshButtons() {
  const hasProject = state.profile !== null;
  renderSuggestions();
  ui.task.disabled = !hasProject || state.busy;
  ui.run.disabled = !hasProject || state.busy || ui.task.value.trim() === "";
  ui.open.disabled = state.busy;
  ui.welcomeOpen.disabled = state.busy;
  const pending = state.report?.changes.length ?? 0;
  const taken = state.report?.changes.filter((c) => c.hunks.some((h) => h.accepted)).length ?? 0;
  ui.apply.disabled = state.busy || state.phase !== "review" || pending === 0 || taken === 0;
  ui.undo.disabled = state.busy || state.phase !== "applied";
  ui.branchChoice.disabled = state.busy || state.phase !== "applied";
  ui.commit.disabled = state.busy || state.phase !== "applied";
}

/** Correctable fields, in the order shown: slipway.toml key, label, current value. */
const FIELDS: [string, string, (s: ServiceProfile) => string | number | null][] = [
  ["name", "name", (s) => s.name],
  ["kind", "kind", (s) => s.kind],
  ["language", "language", (s) => s.language],
  ["framework", "framework", (s) => s.framework],
  ["package_manager", "package manager", (s) => s.packageManager],
  ["runtime_version", "runtime", (s) => s.runtimeVersion],
  ["port", "port", (s) => s.port],
  ["install_command", "install", (s) => s.installCommand],
  ["build_command", "build", (s) => s.buildCommand],
  ["start_command", "start", (s) => s.startCommand],
  ["artifact", "output", (s) => s.artifact],
  ["health_path", "health", (s) => s.healthPath],
  ["backing_services", "needs", (s) => s.backingServices.join(", ")],
  ["env_vars", "env vars", (s) => s.envVars.join(", ")],
];

/** A re-analysis that arrived while a field was being edited, shown once the edit ends. */
let pendingProfile: ProjectProfile | null = null;

function takePending(): ProjectProfile | null {
  const p = pendingProfile;
  pendingProfile = null;
  return p;
}

/** The watcher's re-analysis: shown at once, unless it would close a field being edited. The
 * analysis of Slipway's own write (a correction saved) is the one already shown: drawing it again
 * would replace the buttons under the pointer and lose a click. */
function rescanned(p: ProjectProfile) {
  if (state.profile && JSON.stringify(p) === JSON.stringify(state.profile)) {
    return;
  }
  if (ui.services.querySelector("input.correction")) {
    pendingProfile = p;
    return;
  }
  renderProject(p);
}

async function saveCorrection(service: string, field: string, value: string | null) {
  const p = await busy(() => api.correctService(service, field, value));
  if (p) {
    pendingProfile = null;
    showProject(p);
    const where = service === "." ? "the project root" : service;
    setOutcome(
      value === null ? `Cleared the ${field} correction of ${where}: back to what Slipway detects.` : `Saved in slipway.toml: ${field} of ${where}.`,
      "ok",
    );
  }
}

function editField(dd: HTMLElement, service: string, field: string, current: string) {
  const input = el("input", { type: "text", className: "correction", value: current, spellcheck: false });
  input.setAttribute("aria-label", `New ${field}`);
  const save = el("button", { type: "button", className: "save" }, "Save");
  const cancel = el("button", { type: "button", className: "cancel" }, "Cancel");
  const restore = () => showProject(takePending() ?? state.profile!);
  save.addEventListener("click", () => saveCorrection(service, field, input.value));
  cancel.addEventListener("click", restore);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") saveCorrection(service, field, input.value);
    if (e.key === "Escape") restore();
  });
  dd.replaceChildren(input, save, cancel);
  input.focus();
  input.select();
}

function serviceCard(s: ServiceProfile) {
  const badges = el("span", { className: "badges" }, el("span", { className: `badge kind-${s.kind}` }, s.kind));
  if (s.workspace) badges.append(el("span", { className: "badge" }, `${s.workspace.tool} workspace`));
  if (s.corrected.length) badges.append(el("span", { className: "badge corrected" }, "corrected"));
  const dl = el("dl", { className: "facts" });
  for (const [field, label, get] of FIELDS) {
    const v = get(s);
    const shown = v === null || v === "" ? "unknown" : String(v);
    const corrected = s.corrected.includes(field);
    const dd = el("dd", { className: corrected ? "corrected" : "" }, el("span", { className: "value" }, shown));
    dd.dataset.field = field;
    const edit = el("button", { type: "button", className: "edit", title: `Correct ${label}` }, "Edit");
    edit.setAttribute("aria-label", `Correct ${label} of ${s.name}`);
    edit.dataset.field = field;
    edit.addEventListener("click", () => editField(dd, s.path, field, v === null ? "" : String(v)));
    dd.append(edit);
    if (corrected) {
      dd.append(el("span", { className: "corrected-mark", title: "set by you in slipway.toml" }, "corrected"));
      const reset = el("button", { type: "button", className: "reset", title: "Go back to the detected value" }, "Reset");
      reset.setAttribute("aria-label", `Reset ${label} of ${s.name} to the detected value`);
      reset.addEventListener("click", () => saveCorrection(s.path, field, null));
      dd.append(reset);
    }
    dl.append(el("dt", {}, label), dd);
  }
  const evidence = el("details", { className: "evidence" }, el("summary", {}, `Why (${s.evidence.length})`));
  const list = el("ul");
  for (const e of s.evidence) list.append(el("li", {}, el("code", {}, e.line ? `${e.file}:${e.line}` : e.file), " ", e.reason));
  evidence.append(list);
  const summary = el(
    "summary",
    { className: "service-summary" },
    el("span", { className: "service-name" }, s.name),
    " ",
    el("span", { className: "muted service-path" }, s.path === "." ? "(project root)" : s.path),
    " ",
    badges,
    el("span", { className: "service-line" }),
  );
  const card = el("details", { className: "service", open: state.expanded.has(s.path) }, summary, dl, evidence);
  card.addEventListener("toggle", () => (card.open ? state.expanded.add(s.path) : state.expanded.delete(s.path)));
  card.dataset.path = s.path;
  return card;
}

function showProject(p: ProjectProfile) {
  state.report = null;
  state.phase = "idle";
  renderProject(p);
  ui.drift.replaceChildren();
  ui.drift.hidden = true;
  ui.todos.replaceChildren(el("li", { className: "muted empty" }, "The plan appears here when a task starts."));
  ui.tabs.replaceChildren();
  ui.diff.replaceChildren(el("p", { className: "muted" }, "Diffs of the proposed files appear here for review."));
  ui.findings.replaceChildren();
  ui.outcome.hidden = true;
  ui.tokenForm.hidden = true;
  refreshButtons();
  ui.task.focus();
  api.branchChoice().then((c) => (ui.branchChoice.value = c === true ? "new" : c === false ? "current" : "auto"));
}

/** Shows the analysis in the project panel, leaving any review in progress alone. */
function renderProject(p: ProjectProfile) {
  if (state.profile?.root !== p.root) state.expanded.clear();
  state.profile = p;
  ui.root.textContent = p.root;
  ui.root.title = p.root;
  ui.welcome.hidden = true;
  ui.project.hidden = false;
  ui.form.hidden = false;
  ui.todoPanel.hidden = false;
  ui.services.replaceChildren();
  if (p.services.length === 0) {
    ui.services.append(el("p", { className: "muted" }, "No service found: Slipway looks for package.json, pyproject.toml, go.mod, Cargo.toml, pom.xml and other manifests."));
  }
  for (const s of p.services) ui.services.append(serviceCard(s));
  if (p.skipped.length) {
    const list = el("ul", { className: "skipped-list" });
    for (const k of p.skipped) {
      const declare = el("button", { type: "button", className: "declare", title: "Record in slipway.toml that this folder is a service" }, "Treat as a service");
      declare.addEventListener("click", () => saveCorrection(k.path, "kind", "web"));
      const li = el("li", {}, el("code", {}, k.path), " ", k.reason, " ", declare);
      li.dataset.path = k.path;
      list.append(li);
    }
    ui.services.append(el("details", { className: "skipped" }, el("summary", {}, `Not services (${p.skipped.length})`), list));
  }
  if (p.warnings.length) {
    const list = el("ul", { className: "warnings" });
    for (const w of p.warnings) list.append(el("li", {}, el("code", {}, w.path), " ", w.message));
    ui.services.append(el("details", { className: "scan-warnings", open: true }, el("summary", {}, `Warnings (${p.warnings.length})`), list));
  }
  const infra = p.infrastructure.map((i) => `${i.path} (${i.kind})`).join(", ");
  const branch = p.git ? `git branch ${p.git.branch ?? "(detached)"}${p.git.remotes.length ? `, remote ${p.git.remotes[0].name} (${p.git.remotes[0].host})` : ", no remote"}` : "not a git repository";
  ui.infra.textContent = `${infra ? `Existing: ${infra}. ` : "No deployment files yet. "}${branch}.`;
  refreshButtons();
  api
    .projectOverview(p)
    .then((o) => {
      if (state.profile !== p) return;
      for (const [path, line] of o.lines) {
        const span = ui.services.querySelector<HTMLElement>(`.service[data-path="${CSS.escape(path)}"] .service-line`);
        if (span) span.textContent = line;
      }
      state.suggested = o.tasks;
      renderSuggestions();
    })
    .catch((e) => setOutcome(errorText(e), "error"));
}

/** Tasks that fit the project, offered while the task box is empty and nothing runs. */
function renderSuggestions() {
  const offer = state.phase === "idle" && !state.busy && ui.task.value.trim() === "" && state.suggested.length > 0;
  ui.suggestions.hidden = !offer;
  // Drawn again only when the list changes, so keyboard focus on a suggestion stays put.
  if (!offer || ui.suggestionList.dataset.tasks === JSON.stringify(state.suggested)) return;
  ui.suggestionList.dataset.tasks = JSON.stringify(state.suggested);
  ui.suggestionList.replaceChildren(
    ...state.suggested.map((t) => {
      const b = el("button", { type: "button", className: "suggestion" }, t);
      b.addEventListener("click", () => {
        ui.task.value = t;
        fitTask();
        refreshButtons();
        ui.task.focus();
      });
      return el("li", {}, b);
    }),
  );
}

/** The task box grows with its text, up to a few lines, so a long task is read whole. */
function fitTask() {
  ui.task.style.height = "auto";
  ui.task.style.height = `${ui.task.scrollHeight + 2}px`;
}

function showDrift(notices: Drift[]) {
  ui.drift.hidden = notices.length === 0;
  ui.drift.replaceChildren(
    ...notices.map((d) => {
      const fix = el("button", { type: "button", className: "fix" }, "Review the fix");
      fix.addEventListener("click", async () => {
        const r = await busy(() => api.driftFix(d.id));
        if (r) {
          state.phase = "review";
          state.selected = d.path;
          showReport(r);
          setOutcome(`Review the fix for ${d.path}, then apply.`, "info");
        }
        refreshButtons();
      });
      const li = el("li", { className: "notice" }, el("strong", {}, "Drift: "), d.message, " ", fix);
      li.dataset.id = d.id;
      li.dataset.path = d.path;
      return li;
    }),
  );
}

async function showRecent() {
  const recent = await api.recentProjects();
  ui.recent.replaceChildren(
    ...recent.map((r) => {
      const b = el("button", { type: "button", className: "recent-project", title: r }, r);
      b.dataset.path = r;
      b.addEventListener("click", () => openWith(() => api.openProject(r)));
      return el("li", {}, b);
    }),
  );
  ui.recentBlock.hidden = recent.length === 0;
}

const statusMark: Record<Todo["status"], string> = {
  pending: "○",
  in_progress: "◐",
  done: "✓",
  failed: "✕",
  skipped: "–",
};

function renderTodos(todos: Todo[]) {
  ui.todos.replaceChildren(
    ...todos.map((t) =>
      el(
        "li",
        { className: `todo ${t.status}` },
        el("span", { className: "mark", ariaHidden: "true" }, statusMark[t.status]),
        el("div", {}, el("div", { className: "title" }, t.title), t.detail ? el("div", { className: "detail", title: t.detail }, t.detail) : ""),
      ),
    ),
  );
  ui.todos.querySelectorAll("li").forEach((li, i) => {
    li.dataset.id = todos[i].id;
    li.dataset.status = todos[i].status;
  });
}

function reviewable() {
  return state.phase === "review" && !state.busy;
}

async function reviewStep(work: () => Promise<RunReport>) {
  const r = await busy(work);
  if (r) showReport(r);
}

function renderDiff(change: Change) {
  const readOnly = !reviewable();
  const accepted = change.hunks.filter((h) => h.accepted).length;
  const tools = el("div", { className: "diff-tools" });
  const button = (id: string, label: string, onClick: () => void, disabled = false) => {
    const b = el("button", { type: "button", id, disabled }, label);
    b.addEventListener("click", onClick);
    tools.append(b);
    return b;
  };
  const modeButton = button("diff-mode", state.mode === "split" ? "Unified" : "Side by side", () => {
    state.mode = state.mode === "split" ? "unified" : "split";
    renderDiff(change);
  });
  modeButton.setAttribute("aria-pressed", String(state.mode === "split"));
  button("accept-file", "Apply all", () => reviewStep(() => api.reviewChange(change.path, null, true)), readOnly || accepted === change.hunks.length);
  button("reject-file", "Skip file", () => reviewStep(() => api.reviewChange(change.path, null, false)), readOnly || accepted === 0);
  button("edit-file", "Edit…", () => openEditor(change), readOnly);
  const head = el(
    "div",
    { className: "diff-head" },
    el("strong", {}, change.path),
    el("span", { className: "muted" }, `${change.edited ? "edited, " : ""}${change.action}: ${change.purpose} · ${accepted}/${change.hunks.length} hunks`),
    tools,
  );
  const body = renderHunks(change, state.mode, { onHunk: (i, accept) => reviewStep(() => api.reviewChange(change.path, i, accept)) }, readOnly);
  ui.diff.replaceChildren(head, body);
  ui.diff.dataset.path = change.path;
}

function openEditor(change: Change) {
  const area = el("textarea", { className: "editor", id: "editor", spellcheck: false, value: change.proposed });
  const save = el("button", { type: "button", id: "editor-save", className: "primary" }, "Use this version");
  const cancel = el("button", { type: "button", id: "editor-cancel" }, "Cancel");
  save.addEventListener("click", () => reviewStep(() => api.editChange(change.path, area.value)));
  cancel.addEventListener("click", () => renderDiff(change));
  ui.diff.replaceChildren(
    el("div", { className: "diff-head" }, el("strong", {}, `Editing ${change.path}`), el("span", { className: "muted" }, "the diff is taken against the file on disk again"), el("div", { className: "diff-tools" }, cancel, save)),
    area,
  );
  area.focus();
}

async function showConflicts() {
  const conflicts = await api.runConflicts();
  if (conflicts.length === 0) return;
  ui.tabs.replaceChildren();
  const view = el("div", { id: "conflict-view" });
  for (const c of conflicts) {
    const refresh = el("button", { type: "button", className: "refresh primary" }, "Review against your version");
    refresh.addEventListener("click", async () => {
      const r = await busy(() => api.refreshChange(c.path));
      if (r) {
        showReport(r);
        const left = await api.runConflicts();
        if (left.length > 0) showConflicts();
        else setOutcome(`The diff of ${c.path} now starts from your version. Review it, then apply.`, "info");
      }
    });
    const block = el(
      "div",
      { className: "conflict" },
      el("h3", {}, `${c.path} changed on disk since the preview`),
      el("p", { className: "muted" }, "Slipway wrote nothing. This is what changed in the file:"),
      renderPlainDiff(c.diff),
      refresh,
    );
    block.dataset.path = c.path;
    view.append(block);
  }
  ui.diff.replaceChildren(view);
}

function renderChanges(changes: Change[]) {
  ui.tabs.replaceChildren();
  if (changes.length === 0) {
    ui.diff.replaceChildren(el("p", { className: "muted" }, "Nothing to change: the files are already up to date."));
    return;
  }
  if (!state.selected || !changes.some((c) => c.path === state.selected)) state.selected = changes[0].path;
  for (const c of changes) {
    const taken = c.hunks.filter((h) => h.accepted).length;
    const tab = el("button", { type: "button", className: `file-tab ${c.action}${taken === 0 ? " skipped" : ""}` }, c.path);
    tab.dataset.path = c.path;
    tab.setAttribute("aria-pressed", String(c.path === state.selected));
    tab.addEventListener("click", () => {
      state.selected = c.path;
      renderChanges(changes);
    });
    ui.tabs.append(tab);
  }
  renderDiff(changes.find((c) => c.path === state.selected)!);
}

/** The findings; with none, what the reflection looked at (its todo's detail), so the quiet
 * list says what was checked for this run's files rather than for a Dockerfile. */
function renderFindings(findings: Finding[], checked?: string | null) {
  if (findings.length === 0) {
    const what = checked?.replace(/^checked\s+/i, "").replace(/:\s*errors \d+.*$/, "");
    ui.findings.replaceChildren(el("li", { className: "ok" }, what ? `No findings. Checked ${what}.` : "No findings on the proposed files."));
    return;
  }
  ui.findings.replaceChildren(
    ...findings.map((f) =>
      el("li", { className: `finding ${f.severity}` }, el("span", { className: "sev" }, f.severity), " ", el("code", {}, f.line ? `${f.path}:${f.line}` : f.path), " ", f.message),
    ),
  );
}

/** The spec fields a person can set in slipway.toml's [deploy] table. */
const EDITABLE = ["ci", "registry", "targets", "branch", "strategy", "environments", "host", "namespace", "replicas", "ingress_class", "packaging", "route", "secret_store", "mesh", "gitops", "rollouts", "backing", "charts", "prometheus"];

async function saveDeploy(field: string, value: string | null) {
  const p = await busy(() => api.setDeploy(field, value));
  if (p) {
    state.profile = p;
    setOutcome(`Saved in slipway.toml: deploy.${field}. Run the task again to write the files with it.`, "ok");
    const row = ui.specFields.querySelector<HTMLElement>(`[data-field="${field}"]`);
    if (row) {
      row.querySelector(".value")!.textContent = value ?? "";
      row.querySelector(".why")!.textContent = "slipway.toml";
    }
  }
}

function editDeploy(dd: HTMLElement, field: string, current: string) {
  const input = el("input", { type: "text", className: "correction", value: current, spellcheck: false });
  input.setAttribute("aria-label", `New ${field}`);
  const save = el("button", { type: "button", className: "save" }, "Save");
  const cancel = el("button", { type: "button", className: "cancel" }, "Cancel");
  const restore = () => state.report && renderSpec(state.report.spec, state.report.pipeline, state.report.requirements, state.report.topology, state.report.cloud);
  save.addEventListener("click", () => saveDeploy(field, input.value));
  cancel.addEventListener("click", restore);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") saveDeploy(field, input.value);
    if (e.key === "Escape") restore();
  });
  dd.replaceChildren(input, save, cancel);
  input.focus();
  input.select();
}

function renderSpec(spec: DeploySpec | null, pipeline: Pipeline | null, requirements: Requirement[], topology: Topology[], cloud: CloudView | null) {
  ui.specPanel.hidden = !spec;
  if (!spec) return;
  ui.specFields.replaceChildren(
    ...spec.fields.flatMap((f) => {
      const dd = el("dd", {}, el("span", { className: "value" }, f.value), " ", el("span", { className: `why source-${f.source}` }, `${f.source}: ${f.why}`));
      dd.dataset.field = f.field;
      if (EDITABLE.includes(f.field)) {
        const edit = el("button", { type: "button", className: "edit" }, "Edit");
        edit.setAttribute("aria-label", `Edit ${f.field}`);
        edit.addEventListener("click", () => editDeploy(dd, f.field, f.value));
        dd.append(" ", edit);
      }
      return [el("dt", {}, f.field), dd];
    }),
    ...spec.notes.map((n) => el("dd", { className: "note" }, n)),
  );
  renderPipeline(pipeline);
  renderCluster(topology);
  renderCloud(cloud);
  ui.requirements.replaceChildren(
    ...requirements.map((r) => {
      const box = el("input", { type: "checkbox" });
      box.setAttribute("aria-label", `${r.name} created`);
      return el(
        "li",
        { className: r.secret ? "secret" : "variable" },
        el("label", {}, box, " ", el("code", {}, r.name), ` ${r.secret ? "secret" : "variable"} in ${r.place}`),
        el("div", { className: "muted" }, r.why),
      );
    }),
  );
  if (requirements.length === 0) ui.requirements.replaceChildren(el("li", { className: "muted" }, "Nothing to create."));
}

/** What will run in the cluster, one row per Deployment: how traffic comes in, the Service,
 *  what owns the pods (the Deployment, or an Argo Rollout) and its replicas, and how a new
 *  version rolls out. */
function renderCluster(topology: Topology[]) {
  ui.cluster.replaceChildren();
  ui.cluster.hidden = ui.clusterHeading.hidden = topology.length === 0;
  ui.cluster.setAttribute(
    "aria-label",
    `In the cluster: ${topology.map((t) => `${t.host ? `https://${t.host} to ` : ""}${t.name}, ${t.replicas} replicas`).join("; ")}`,
  );
  const arrow = () => el("span", { className: "arrow", ariaHidden: "true" }, "→");
  for (const t of topology) {
    const row = el("div", { className: "lane" });
    row.dataset.deployment = t.name;
    if (t.host) row.append(el("div", { className: "node entry" }, el("strong", {}, `https://${t.host}`), el("div", {}, t.entry ?? "")), arrow());
    if (t.port !== null) row.append(el("div", { className: "node service" }, el("strong", {}, `Service ${t.name}`), el("div", {}, `ClusterIP, port ${t.port}`)), arrow());
    row.append(
      el("div", { className: "node deployment" }, el("strong", {}, `${t.workload} ${t.name}`), el("div", {}, `pods: ${t.replicas}`)),
      el("div", { className: "rollout muted" }, t.rollout),
    );
    ui.cluster.append(row);
  }
}

/** What runs on the cloud, in the order requests reach it, and what it costs a month. */
function renderCloud(cloud: CloudView | null) {
  ui.cloud.replaceChildren();
  ui.cost.replaceChildren();
  const shown = !!cloud && cloud.picture.length > 0;
  ui.cloud.hidden = ui.cloudHeading.hidden = ui.cost.hidden = !shown;
  if (!cloud || !shown) return;
  ui.cloud.setAttribute("aria-label", `On the cloud: ${cloud.picture.map((n) => `${n.kind} ${n.name}`).join(", then ")}`);
  const arrow = () => el("span", { className: "arrow", ariaHidden: "true" }, "→");
  const lane = el("div", { className: "lane" });
  cloud.picture.forEach((n, i) => {
    if (i > 0) lane.append(arrow());
    const box = el("div", { className: `node ${n.kind.includes("(") ? "store" : "service"}` }, el("strong", {}, `${n.kind} ${n.name}`), el("div", {}, n.detail));
    box.dataset.kind = n.kind;
    lane.append(box);
  });
  ui.cloud.append(lane);
  const total = cloud.cost.lines.reduce((s, l) => s + l.monthly, 0);
  ui.cost.append(
    el("caption", {}, "What it costs a month (USD, on-demand list prices, the floor of an idle service)"),
    ...cloud.cost.lines.map((l) => el("tr", {}, el("td", {}, l.item), el("td", { className: "muted" }, l.basis), el("td", { className: "num" }, l.monthly.toFixed(2)))),
    el("tr", { className: "total" }, el("td", {}, "Total"), el("td", {}), el("td", { className: "num" }, total.toFixed(2))),
  );
}

/** The pipeline as boxes in columns (what runs together), `needs` as the columns' order. */
function renderPipeline(pipeline: Pipeline | null) {
  ui.pipeline.replaceChildren();
  ui.parity.replaceChildren();
  ui.pipeline.hidden = ui.pipelineHeading.hidden = !pipeline;
  if (!pipeline) return;
  // Where the chosen CI system does less than the others, so a switch is not a surprise.
  ui.parity.append(
    ...pipeline.parity
      .filter((p) => p.gap)
      .map((p) => {
        const li = el("li", {}, el("strong", {}, p.capability), `: ${p.how}`);
        li.dataset.capability = p.capability;
        return li;
      }),
  );
  const depth = new Map<string, number>();
  const level = (j: Job): number => {
    if (depth.has(j.id)) return depth.get(j.id)!;
    const d = j.needs.length === 0 ? 0 : 1 + Math.max(...j.needs.map((n) => level(pipeline.jobs.find((x) => x.id === n)!)));
    depth.set(j.id, d);
    return d;
  };
  const columns: Job[][] = [];
  for (const j of pipeline.jobs) (columns[level(j)] ??= []).push(j);
  ui.pipeline.setAttribute("aria-label", `Pipeline: ${pipeline.jobs.map((j) => j.name).join(", then ")}`);
  ui.pipeline.append(
    ...columns.map((col, i) =>
      el(
        "div",
        { className: "stage" },
        ...(i > 0 ? [el("span", { className: "arrow", ariaHidden: "true" }, "→")] : []),
        el(
          "div",
          { className: "jobs" },
          ...col.map((j) => {
            const box = el("div", { className: `job ${j.kind}` }, el("strong", {}, j.name));
            box.dataset.job = j.id;
            if (j.environment) box.append(el("div", { className: "gate" }, `${j.manual ? "approval, then " : ""}${j.environment} · only on ${pipeline.branch}`));
            else if (j.kind === "infra") box.append(el("div", { className: "gate" }, "pull requests only: the plan in the job's summary"));
            if (j.needs.length) box.title = `after ${j.needs.join(", ")}`;
            return box;
          }),
        ),
      ),
    ),
  );
}

function showReport(r: RunReport) {
  state.report = r;
  renderTodos(r.todos);
  renderChanges(r.changes);
  renderFindings(r.findings, r.todos.find((t) => t.id === "reflect")?.detail);
  renderSpec(r.spec, r.pipeline, r.requirements, r.topology, r.cloud);
  if (r.declined.length) setOutcome(`Not done: the built-in engine cannot yet ${r.declined.join(" or ")}.`, "info");
  if (r.usage) {
    ui.usage.hidden = false;
    ui.usage.textContent = `${r.brain}: ${r.usage.inputTokens} tokens in, ${r.usage.outputTokens} out, ${r.usage.requests} requests`;
  } else {
    ui.usage.hidden = true;
  }
}

async function busy<T>(work: () => Promise<T>): Promise<T | undefined> {
  state.busy = true;
  document.body.classList.add("busy");
  // Anything that takes more than a moment shows a progress bar.
  const shown = setTimeout(() => (ui.progress.hidden = false), 400);
  refreshButtons();
  try {
    return await work();
  } catch (e) {
    setOutcome(errorText(e), "error");
    return undefined;
  } finally {
    clearTimeout(shown);
    ui.progress.hidden = true;
    state.busy = false;
    document.body.classList.remove("busy");
    refreshButtons();
  }
}

async function openWith(load: () => Promise<ProjectProfile | null>) {
  const p = await busy(load);
  if (p) showProject(p);
}

ui.open.addEventListener("click", () => openWith(api.pickFolder));
ui.welcomeOpen.addEventListener("click", () => openWith(api.pickFolder));
ui.task.addEventListener("input", () => {
  fitTask();
  refreshButtons();
});
ui.task.addEventListener("keydown", (e) => {
  // Enter runs the task (it is one sentence); Shift+Enter starts a new line.
  if (e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
    e.preventDefault();
    if (!ui.run.disabled) ui.form.requestSubmit();
  }
});

ui.form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const task = ui.task.value.trim();
  if (!task || !state.profile) return;
  state.phase = "running";
  ui.outcome.hidden = true;
  ui.usage.hidden = true;
  ui.tabs.replaceChildren();
  ui.diff.replaceChildren(el("p", { className: "muted" }, "Working…"));
  ui.cancel.hidden = false;
  ui.cancel.disabled = false;
  const r = await busy(() => runTask(task));
  ui.cancel.hidden = true;
  if (r) {
    state.phase = "review";
    showReport(r);
    const summary = r.summary ? ` The model says: ${r.summary}` : "";
    if (r.changes.length > 0) setOutcome(`Review ${r.changes.length} proposed file(s), then apply.${summary}`, "info");
    else if (r.summary) setOutcome(`No files proposed.${summary}`, "info");
  } else {
    state.phase = "idle";
    ui.diff.replaceChildren(el("p", { className: "muted" }, "Diffs of the proposed files appear here for review."));
  }
  refreshButtons();
});

ui.apply.addEventListener("click", async () => {
  let conflict = false;
  const r = await busy(async () => {
    try {
      return await api.applyRun();
    } catch (e) {
      conflict = (e as { code?: string }).code === "conflict";
      throw e;
    }
  });
  if (r) {
    state.phase = "applied";
    showReport(r);
    const written = r.changes.filter((c) => c.hunks.some((h) => h.accepted)).map((c) => c.path);
    setOutcome(`Applied ${written.join(", ")}. Commit & push when ready, or undo.`, "ok");
  } else if (conflict) {
    await showConflicts();
  }
  refreshButtons();
});

ui.undo.addEventListener("click", async () => {
  const r = await busy(api.undoApply);
  if (r) {
    state.phase = "review";
    showReport(r);
    setOutcome("Undone: the files are back exactly as they were before Apply.", "ok");
  }
  refreshButtons();
});

function showPush(r: RunReport) {
  const commit = r.commit ? `Committed ${r.commit.id.slice(0, 7)} on ${r.commit.branch}. ` : "";
  const pushed = r.push?.outcome === "pushed";
  setOutcome(`${commit}${r.push ? r.push.message[0].toUpperCase() + r.push.message.slice(1) + "." : ""}`, pushed ? "ok" : "error");
  ui.outcome.dataset.push = r.push?.outcome ?? "";
  const needs = r.push?.outcome === "needs_credentials" && r.push.host;
  ui.tokenForm.hidden = !needs;
  if (needs) {
    ui.tokenHost.textContent = r.push!.host!;
    ui.tokenInput.value = "";
    ui.tokenInput.focus();
  }
}

ui.commit.addEventListener("click", async () => {
  const choice = ui.branchChoice.value;
  const newBranch = choice === "auto" ? null : choice === "new";
  const r = await busy(() => api.commitAndPush(newBranch));
  if (r) {
    state.phase = "shipped";
    showReport(r);
    showPush(r);
  }
  refreshButtons();
});

ui.tokenForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const host = ui.tokenHost.textContent ?? "";
  const token = ui.tokenInput.value;
  if (!host || token.trim() === "") return;
  const r = await busy(async () => {
    await api.storeGitToken(host, ui.tokenUser.value.trim() || null, token);
    ui.tokenInput.value = "";
    return api.pushRun();
  });
  if (r) {
    showReport(r);
    showPush(r);
  }
  refreshButtons();
});

ui.cancel.addEventListener("click", async () => {
  ui.cancel.disabled = true;
  await api.cancelRun();
});

let defaults: [string, string, string][] = [];

function brainLabel(st: BrainStatus): string {
  const s = st.settings;
  if (s.provider === "builtin") return "Built-in engine";
  const d = defaults.find(([id]) => id === s.provider);
  return `${s.provider === "openai" ? "OpenAI-compatible" : "Anthropic"} · ${s.model || d?.[2] || ""}`;
}

function showBrain(st: BrainStatus) {
  ui.brain.textContent = brainLabel(st);
  ui.brain.dataset.provider = st.settings.provider;
  ui.provider.value = st.settings.provider;
  ui.baseUrl.value = st.settings.baseUrl ?? "";
  ui.model.value = st.settings.model ?? "";
  ui.docsUrl.value = st.settings.docsUrl ?? "";
  refreshProviderFields();
  ui.keyStatus.textContent = st.key ? `stored in the keychain (${st.key})` : "no key stored";
  ui.keyStatus.dataset.stored = String(Boolean(st.key));
  ui.docsKeyStatus.textContent = st.docsKey ? `stored (${st.docsKey})` : "none";
  ui.forgetKey.disabled = !st.key;
  if (st.keychainError) settingsMessage(st.keychainError, "error");
}

function refreshProviderFields() {
  const p = ui.provider.value;
  ui.llmFields.hidden = p === "builtin";
  const d = defaults.find(([id]) => id === p);
  ui.baseUrl.placeholder = d?.[1] ?? "";
  ui.model.placeholder = d?.[2] ?? "";
}

function settingsMessage(text: string, kind: "ok" | "error" | "info") {
  ui.settingsMessage.hidden = false;
  ui.settingsMessage.textContent = text;
  ui.settingsMessage.dataset.kind = kind;
}

function formSettings() {
  const v = (i: HTMLInputElement) => (i.value.trim() === "" ? null : i.value.trim());
  return { provider: ui.provider.value, baseUrl: v(ui.baseUrl), model: v(ui.model), docsUrl: v(ui.docsUrl) };
}

async function settingsCall(work: () => Promise<BrainStatus>, done: string) {
  try {
    const st = await work();
    showBrain(st);
    if (!st.keychainError) settingsMessage(done, "ok");
    return st;
  } catch (e) {
    settingsMessage(errorText(e), "error");
    return undefined;
  }
}

ui.brain.addEventListener("click", async () => {
  ui.settingsMessage.hidden = true;
  await settingsCall(api.brainStatus, "");
  ui.settingsMessage.hidden = true;
  ui.settings.showModal();
});
ui.provider.addEventListener("change", refreshProviderFields);
ui.settingsClose.addEventListener("click", () => ui.settings.close());
ui.settingsForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await settingsCall(() => api.saveBrain(formSettings()), "Saved.");
});
ui.saveKey.addEventListener("click", async () => {
  const key = ui.apiKey.value;
  if (key.trim() === "") return settingsMessage("Type the key first.", "error");
  // The provider must be saved first: the key is stored under it.
  const saved = await settingsCall(() => api.saveBrain(formSettings()), "");
  if (!saved) return;
  const st = await settingsCall(() => api.storeKey("provider", key), "The key is stored in the OS keychain.");
  if (st) ui.apiKey.value = "";
});
ui.forgetKey.addEventListener("click", () => settingsCall(() => api.forgetKey("provider"), "The key is removed from the keychain."));
ui.saveDocsKey.addEventListener("click", async () => {
  const key = ui.docsKey.value;
  if (key.trim() === "") return settingsMessage("Type the key first.", "error");
  const st = await settingsCall(() => api.storeKey("docs", key), "The documentation key is stored in the OS keychain.");
  if (st) ui.docsKey.value = "";
});

function appendLog(l: LogLine) {
  const line = el("span", { className: `log-line ${l.level.toLowerCase()}` }, `${l.level.padEnd(5)} ${l.message}\n`);
  ui.log.append(line);
  while (ui.log.childNodes.length > 2000) ui.log.firstChild?.remove();
  ui.log.scrollTop = ui.log.scrollHeight;
}

async function start() {
  await events.onTodos(renderTodos);
  await events.onLog(appendLog);
  await events.onProject(showProject);
  await events.onRescanned(rescanned);
  await events.onDrift(showDrift);
  await events.onProjectError((e) => setOutcome(e.message, "error"));
  await events.onDragging((over) => (ui.overlay.hidden = !over));
  (await api.recentLogs()).forEach(appendLog);
  defaults = await api.providerDefaults();
  try {
    showBrain(await api.brainStatus());
  } catch (e) {
    setOutcome(errorText(e), "error");
  }
  document.addEventListener("keydown", (e) => {
    const mod = e.ctrlKey || e.metaKey;
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    // Ctrl+Enter runs the task, Ctrl+Shift+A applies, Ctrl+Shift+Z undoes the apply,
    // Ctrl+Shift+P commits and pushes, Ctrl+, opens the brain settings, Esc cancels a run.
    const shortcuts: [boolean, HTMLButtonElement][] = [
      [mod && e.key === "Enter", ui.run],
      [mod && e.shiftKey && e.key.toLowerCase() === "a", ui.apply],
      [mod && e.shiftKey && e.key.toLowerCase() === "z" && !typing, ui.undo],
      [mod && e.shiftKey && e.key.toLowerCase() === "p", ui.commit],
      [mod && e.key === ",", ui.brain],
    ];
    for (const [hit, button] of shortcuts) {
      if (hit && !button.disabled) {
        e.preventDefault();
        button.click();
        return;
      }
    }
    if (e.key === "Escape" && !ui.cancel.hidden && !ui.cancel.disabled) {
      e.preventDefault();
      ui.cancel.click();
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "o") {
      e.preventDefault();
      if (!state.busy) openWith(api.pickFolder);
    }
  });
  await showRecent();
  await openWith(api.initialProject);
  document.body.dataset.ready = "true";
  refreshButtons();
}

start().catch((e) => setOutcome(errorText(e), "error"));
