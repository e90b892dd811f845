// Rendering of proposed changes for review: hunks with their own accept switch, unified or
// side by side, with light syntax colouring. Built with DOM nodes (never innerHTML), and hunks
// use `content-visibility: auto` so diffs of thousands of lines stay smooth.
import type { Change, Hunk } from "./types";

export type DiffMode = "unified" | "split";

/** Rows per lazily laid-out chunk, and a row's height for the placeholder size. */
const CHUNK = 200;
const ROW_PX = 18;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const c of children) node.append(c);
  return node;
}

type Lang = "dockerfile" | "yaml" | "shell" | "plain";

function langOf(path: string): Lang {
  const name = path.split("/").pop()!.toLowerCase();
  if (name === "dockerfile" || name.startsWith("dockerfile.") || name.endsWith(".dockerfile")) {
    return name.endsWith(".dockerignore") ? "plain" : "dockerfile";
  }
  if (name.endsWith(".yaml") || name.endsWith(".yml")) return "yaml";
  if (name.endsWith(".sh") || name === ".env.example" || name.endsWith(".conf")) return "shell";
  return "plain";
}

const DOCKER_KEYWORDS = /^(\s*)(FROM|RUN|CMD|COPY|ADD|ENV|ARG|WORKDIR|EXPOSE|USER|HEALTHCHECK|ENTRYPOINT|LABEL|VOLUME|SHELL|STOPSIGNAL|ONBUILD)\b/i;

/** Splits one line into coloured spans: comments, instructions, keys and quoted strings. */
export function highlight(text: string, lang: Lang): Node[] {
  if (lang === "plain") return [document.createTextNode(text)];
  const out: Node[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith("#")) return [el("span", { className: "tok-com" }, text)];
  let rest = text;
  if (lang === "dockerfile") {
    const m = DOCKER_KEYWORDS.exec(rest);
    if (m) {
      out.push(document.createTextNode(m[1]), el("span", { className: "tok-kw" }, m[2]));
      rest = rest.slice(m[0].length);
    }
  } else if (lang === "yaml") {
    const m = /^(\s*-?\s*)([\w.\-"']+)(:)(\s|$)/.exec(rest);
    if (m) {
      out.push(document.createTextNode(m[1]), el("span", { className: "tok-key" }, m[2]), document.createTextNode(m[3]));
      rest = rest.slice(m[1].length + m[2].length + 1);
    }
  }
  const re = /("(?:[^"\\]|\\.)*"|'[^']*')|(\s#.*$)/g;
  let last = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    out.push(document.createTextNode(rest.slice(last, m.index)));
    out.push(el("span", { className: m[1] ? "tok-str" : "tok-com" }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(document.createTextNode(rest.slice(last)));
  return out;
}

function numbers(header: string): [number, number] {
  const m = /@@ -(\d+)(?:,\d+)? \+(\d+)/.exec(header);
  return m ? [Number(m[1]), Number(m[2])] : [1, 1];
}

function unifiedRows(h: Hunk, lang: Lang): HTMLElement[] {
  let [o, n] = numbers(h.header);
  return h.lines.map((line) => {
    const sign = line[0];
    const cls = sign === "+" ? "add" : sign === "-" ? "del" : "ctx";
    const a = sign === "+" ? "" : String(o++);
    const b = sign === "-" ? "" : String(n++);
    return el("div", { className: `row ${cls}` }, el("span", { className: "no" }, a), el("span", { className: "no" }, b), el("span", { className: "code" }, sign, ...highlight(line.slice(1), lang)));
  });
}

function splitRows(h: Hunk, lang: Lang): HTMLElement[] {
  let [o, n] = numbers(h.header);
  const rows: HTMLElement[] = [];
  const cell = (cls: string, no: string, text: string | null) => [
    el("span", { className: `no ${cls}` }, no),
    el("span", { className: `code ${cls}` }, ...(text === null ? [] : highlight(text, lang))),
  ];
  let i = 0;
  while (i < h.lines.length) {
    const sign = h.lines[i][0];
    if (sign === " ") {
      const t = h.lines[i].slice(1);
      rows.push(el("div", { className: "srow" }, ...cell("ctx", String(o++), t), ...cell("ctx", String(n++), t)));
      i++;
      continue;
    }
    const dels: string[] = [];
    const adds: string[] = [];
    while (i < h.lines.length && h.lines[i][0] === "-") dels.push(h.lines[i++].slice(1));
    while (i < h.lines.length && h.lines[i][0] === "+") adds.push(h.lines[i++].slice(1));
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
      const d = k < dels.length ? dels[k] : null;
      const a = k < adds.length ? adds[k] : null;
      rows.push(
        el(
          "div",
          { className: "srow" },
          ...cell(d === null ? "empty" : "del", d === null ? "" : String(o++), d),
          ...cell(a === null ? "empty" : "add", a === null ? "" : String(n++), a),
        ),
      );
    }
  }
  return rows;
}

export interface DiffHandlers {
  onHunk: (index: number, accept: boolean) => void;
}

/** The hunks of one change, each with its switch. */
export function renderHunks(change: Change, mode: DiffMode, handlers: DiffHandlers, readOnly: boolean): HTMLElement {
  const lang = langOf(change.path);
  const body = el("div", { className: `diff-body ${mode}` });
  change.hunks.forEach((h, i) => {
    const toggle = el("input", { type: "checkbox", className: "accept-hunk", checked: h.accepted, disabled: readOnly });
    toggle.setAttribute("aria-label", `Apply hunk ${i + 1} of ${change.hunks.length}`);
    toggle.addEventListener("change", () => handlers.onHunk(i, toggle.checked));
    const head = el("label", { className: "hunk-head" }, toggle, ` ${h.accepted ? "Apply" : "Skip"} hunk ${i + 1}/${change.hunks.length} `, el("span", { className: "muted" }, h.header));
    const rows = mode === "split" ? splitRows(h, lang) : unifiedRows(h, lang);
    // Rows go in chunks the browser lays out and paints only when they scroll into view.
    const chunks: HTMLElement[] = [];
    for (let at = 0; at < rows.length; at += CHUNK) {
      const chunk = el("div", { className: "rows" }, ...rows.slice(at, at + CHUNK));
      chunk.style.setProperty("contain-intrinsic-size", `auto ${Math.min(CHUNK, rows.length - at) * ROW_PX}px`);
      chunks.push(chunk);
    }
    const block = el("div", { className: "hunk" }, head, ...chunks);
    block.dataset.index = String(i);
    block.dataset.accepted = String(h.accepted);
    body.append(block);
  });
  return body;
}

/** A plain unified diff (for the conflict view). */
export function renderPlainDiff(diff: string): HTMLElement {
  const body = el("div", { className: "diff-body unified" });
  for (const line of diff.split("\n")) {
    if (line === "") continue;
    const cls = line.startsWith("@@") ? "hunk" : line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : "ctx";
    body.append(el("div", { className: `row ${cls}` }, el("span", { className: "no" }, ""), el("span", { className: "no" }, ""), el("span", { className: "code" }, line)));
  }
  return body;
}
