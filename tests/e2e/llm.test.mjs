// The LLM brain in the real window: provider settings with the key typed once into the real
// OS keychain (Secret Service on the test's private session bus), a scripted model served by
// the local stand-in over the OpenAI wire protocol with streaming, the todo list updating as
// the model calls the tool, the proposed Dockerfile as a reviewed diff, and cancel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { filesUnder, fixtureRepo, launch, shots, startStandin, until, configureProvider, ready } from "./harness.mjs";

const KEY = "sk-e2e-standin-0b1c2d3e4f5a6978";

const DOCKERFILE = [
  "# syntax=docker/dockerfile:1",
  "FROM node:22-alpine AS deps",
  "WORKDIR /app",
  "COPY package.json ./",
  "RUN npm install --omit=dev",
  "",
  "FROM node:22-alpine",
  "WORKDIR /app",
  "ENV NODE_ENV=production",
  "COPY --from=deps /app/node_modules ./node_modules",
  "COPY . .",
  "USER node",
  "EXPOSE 3000",
  'CMD ["node", "server.js"]',
  "",
].join("\n");

const todos = (status1, status2) =>
  JSON.stringify({
    todos: [
      { title: "Read the manifest", status: status1 },
      { title: "Write the Dockerfile", status: status2 },
    ],
  });

async function closeSettings(browser) {
  await browser.$("#settings-close").click();
  await until(browser, "the settings dialog to close", async () => !(await browser.$("#settings").getProperty("open")));
}

test("a scripted model plans, reads and proposes a Dockerfile through the app, with the key only in the keychain", async () => {
  const standin = await startStandin([
    { openai: { text: "Planning the work.", calls: [["c1", "update_todos", todos("in_progress", "pending")]] } },
    { openai: { calls: [["c2", "read_file", '{"path": "package.json"}']] }, delay_ms: 300 },
    {
      openai: {
        text: "Writing the Dockerfile.",
        calls: [
          ["c3", "update_todos", todos("done", "in_progress")],
          ["c4", "propose_change", JSON.stringify({ path: "Dockerfile", content: DOCKERFILE, purpose: "Run the API as a small non-root image" })],
        ],
      },
      delay_ms: 300,
    },
    { openai: { calls: [["c5", "update_todos", todos("done", "done")]] } },
    { openai: { text: "Proposed a two-stage Dockerfile that runs as the node user." } },
  ]);
  const repo = fixtureRepo("node-express");
  let { browser, stop, dataHome } = await launch([repo.work]);
  try {
    await ready(browser);
    assert.equal(await browser.$("#brain-button").getText(), "Built-in engine", "the built-in engine is the default");
    await configureProvider(browser, standin.url, { typeKey: true, key: KEY });
    const masked = await browser.$("#key-status").getText();
    assert.ok(masked.includes("••••6978") && !masked.includes(KEY), `the key is shown masked: ${masked}`);
    assert.equal(await browser.$("#api-key").getValue(), "", "the typed key is cleared from the field");
    await browser.saveScreenshot(join(shots, "settings.png"));
    await closeSettings(browser);
    assert.equal(await browser.$("#brain-button").getText(), "OpenAI-compatible · standin-model");

    await browser.$("#task-input").setValue("containerize this API");
    // Record every state the model's steps pass through, as the list updates live.
    await browser.execute(() => {
      window.__seen = [];
      new MutationObserver(() => {
        for (const li of document.querySelectorAll("#todo-list li[data-id^='work']")) {
          window.__seen.push(`${li.dataset.id}:${li.dataset.status}:${li.textContent}`);
        }
      }).observe(document.getElementById("todo-list"), { childList: true, subtree: true, attributes: true });
    });
    await browser.$("#run-button").click();
    await until(browser, "the reflection to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const seen = await browser.execute(() => window.__seen);
    assert.ok(seen.some((s) => /^work-1:in_progress:.*Read the manifest/.test(s)), `the model's first step showed in progress: ${seen.join(" | ")}`);
    assert.ok(seen.some((s) => /^work-2:in_progress:.*Write the Dockerfile/.test(s)), "then its second");
    for (const id of ["work-1", "work-2"]) {
      assert.equal(await browser.$(`#todo-list li[data-id="${id}"]`).getAttribute("data-status"), "done", `${id} is done`);
    }
    const diff = await browser.$("#diff-view").getText();
    assert.match(diff, /FROM node:22-alpine AS deps/, "the model's Dockerfile is shown as a diff");
    assert.match(await browser.$("#outcome").getText(), /two-stage Dockerfile/, "the model's summary is shown");
    assert.match(await browser.$("#usage").getText(), /500 tokens in, 100 out, 5 requests/, "token usage is shown per run");
    await browser.$("#log-details").click();
    await until(browser, "the model's actions in the log", async () => /tool propose_change/.test(await browser.$("#log-panel").getText()));
    await browser.saveScreenshot(join(shots, "llm-run.png"));
    assert.ok(!existsSync(join(repo.work, "Dockerfile")), "nothing is written before Apply");
    const logText = await browser.$("#log-panel").getText();
    assert.ok(!logText.includes(KEY), "the key is not in the log panel");

    await browser.$("#apply-button").click();
    await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
    assert.equal(readFileSync(join(repo.work, "Dockerfile"), "utf8"), DOCKERFILE, "the reviewed file is written as proposed");

    // The key travelled in the auth header only.
    const requests = standin.requests();
    assert.equal(requests.length, 5);
    for (const r of requests) {
      assert.equal(r.headers.find(([k]) => k === "authorization")?.[1], `Bearer ${KEY}`);
      assert.ok(!r.body.includes(KEY), "no request body carries the key");
    }
    assert.match(requests[2].body, /express/, "the file the model read went back to it");

    // Restarting the app finds the key in the keychain without asking again.
    await stop();
    ({ browser, stop } = await launch([repo.work], { XDG_CONFIG_HOME: dataHome, XDG_DATA_HOME: dataHome }));
    await ready(browser, "the UI to start again");
    assert.equal(await browser.$("#brain-button").getText(), "OpenAI-compatible · standin-model", "settings survive a restart");
    await browser.$("#brain-button").click();
    await until(browser, "the key status", async () => /stored in the keychain \(••••6978\)/.test(await browser.$("#key-status").getText()));
    await closeSettings(browser);
  } finally {
    await stop();
    standin.stop();
  }
  // No file the app wrote (settings, logs) and no file of the project holds the key.
  for (const f of [...filesUnder(dataHome), ...filesUnder(repo.work)]) {
    if (f.includes("/.git/objects/")) continue;
    assert.ok(!readFileSync(f).toString("latin1").includes(KEY), `${f} must not hold the key`);
  }
});

test("cancel stops a model that is taking too long, and nothing is written", async () => {
  const standin = await startStandin([{ openai: { text: "thinking" }, hang_ms: 60000 }]);
  const repo = fixtureRepo("node-express");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    // The key from the first test is still in the keychain: only the provider is chosen again.
    await configureProvider(browser, standin.url);
    assert.match(await browser.$("#key-status").getText(), /stored in the keychain/, "the keychain still has the key");
    await closeSettings(browser);
    await browser.$("#task-input").setValue("containerize this API");
    await browser.$("#run-button").click();
    await until(browser, "the model step to start", async () => {
      const li = await browser.$('#todo-list li[data-id="work"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "in_progress";
    });
    assert.ok(await browser.$("#cancel-button").isDisplayed(), "Cancel is offered while the model works");
    const started = Date.now();
    await browser.$("#cancel-button").click();
    await until(browser, "the cancellation", async () => /cancelled; nothing was written/.test(await browser.$("#outcome").getText()), 10_000);
    assert.ok(Date.now() - started < 5_000, "cancel takes effect promptly");
    assert.equal(await browser.$('#todo-list li[data-id="work"]').getAttribute("data-status"), "skipped");
    assert.equal(await browser.$("#run-button").isEnabled(), true, "a new task can start");
    assert.ok(!existsSync(join(repo.work, "Dockerfile")));
  } finally {
    await stop();
    standin.stop();
  }
});

test("a proposal of 5,000 lines renders as a reviewable diff (figures printed)", async () => {
  const big = Array.from({ length: 5000 }, (_, i) => `# generated line ${i + 1}: ${"x".repeat(20)}`).join("\n") + "\n";
  const standin = await startStandin([
    { openai: { calls: [["c1", "propose_change", JSON.stringify({ path: "big.conf", content: big, purpose: "a large file" })]] } },
    { openai: { text: "Proposed a large file." } },
  ]);
  const repo = fixtureRepo("node-express");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await configureProvider(browser, standin.url);
    await closeSettings(browser);
    await browser.$("#task-input").setValue("write the big config");
    await browser.$("#run-button").click();
    await until(browser, "the large diff", async () => (await browser.$("#diff-view").getAttribute("data-path")) === "big.conf", 60_000);
    const rows = await browser.execute(() => document.querySelectorAll("#diff-view .row.add").length);
    assert.equal(rows, 5000, "every line of the proposal is in the diff");
    // Time to re-render the whole diff, unified and side by side, and to scroll it end to end.
    // Each step forces style and layout before the clock stops, so the figure is the real cost.
    const figures = await browser.execute(() => {
      const view = document.getElementById("diff-view");
      const settle = () => view.getBoundingClientRect() && document.body.offsetHeight;
      const out = {};
      for (const mode of ["split", "unified"]) {
        const t = performance.now();
        document.getElementById("diff-mode").click();
        settle();
        out[mode] = Math.round(performance.now() - t);
      }
      // Whichever box scrolls the diff: its own, or the page's.
      let scroller = view;
      while (scroller && scroller.scrollHeight <= scroller.clientHeight + 10) scroller = scroller.parentElement;
      scroller = scroller ?? document.scrollingElement;
      const t = performance.now();
      let screens = 0;
      for (let y = 0; y < scroller.scrollHeight; y += scroller.clientHeight) {
        scroller.scrollTop = y;
        const r = view.getBoundingClientRect();
        document.elementFromPoint(r.left + 20, Math.max(10, Math.min(window.innerHeight - 10, r.top + 100)));
        screens++;
      }
      out.scrollFrames = screens;
      out.scrollMsPerFrame = Math.round(((performance.now() - t) / screens) * 10) / 10;
      return out;
    });
    console.log(`5,000-line diff: side-by-side render ${figures.split} ms, unified render ${figures.unified} ms, scrolled ${figures.scrollFrames} screens at ${figures.scrollMsPerFrame} ms per frame`);
    assert.ok(figures.scrollFrames > 10, "the diff is long enough to measure");
  } finally {
    await stop();
    standin.stop();
  }
});
