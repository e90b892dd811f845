// The walking skeleton in the real window: open a Next.js project, run "containerize this app",
// watch the todos complete, review the diffs, apply, commit and push.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { attrs, fixtureRepo, git, launch, plainCopy, shots, until, ready } from "./harness.mjs";

test("containerize a Next.js app from the window, then commit and push", async () => {
  const repo = fixtureRepo("node-nextjs-standalone");
  const headBefore = git(repo.work, "rev-parse", "HEAD");
  const { browser, stop, dataHome } = await launch([repo.work]);
  try {
    await ready(browser);
    assert.equal(await browser.execute(() => typeof window.__TAURI__), "undefined", "no global Tauri object in the webview");
    const inlineRan = await browser.execute(() => {
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true";
      document.body.append(s);
      return window.__inlineRan === true;
    });
    assert.equal(inlineRan, false, "the CSP blocks inline scripts");
    const shown = await browser.$("#project-root").getProperty("textContent");
    assert.ok(shown.endsWith("project"), `the window shows the folder given on the command line, got ${shown}`);
    const services = await until(browser, "the service's line", async () => {
      const t = await browser.$("#services").getText();
      return /port/.test(t) && t;
    });
    assert.match(services, /acme-storefront/, "the analysis names the service");
    assert.match(services, /Next\.js/, "the analysis names the framework");
    assert.match(services, /port 4000/, "the analysis finds the port from the start script");

    await browser.$("#task-input").setValue("containerize this app");
    await browser.$("#run-button").click();

    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const todos = await browser.$$("#todo-list li");
    assert.ok(todos.length >= 5 && todos.length <= 10, `5 to 10 todos, got ${todos.length}`);
    const ids = await attrs(todos, "data-id");
    assert.equal(ids.at(-2), "reflect", "the next-to-last step is the reflection");
    assert.equal(ids.at(-1), "ship", "the last step is commit and push");
    for (const id of ids.slice(0, -1)) {
      const status = await browser.$(`#todo-list li[data-id="${id}"]`).getAttribute("data-status");
      assert.equal(status, "done", `step ${id} is done before review`);
    }

    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    assert.deepEqual(tabs.sort(), [".dockerignore", "Dockerfile", "compose.dev.yaml", "compose.yaml"], "four files are proposed");
    const diff = await browser.$("#diff-view").getText();
    assert.match(diff, /FROM node:20-alpine AS deps/, "the Dockerfile diff is shown, pinned to the project's Node major");
    await browser.$('#file-tabs .file-tab[data-path="compose.yaml"]').click();
    assert.match(await browser.$("#diff-view").getText(), /4000:4000/, "clicking a file shows its diff");
    assert.ok(!existsSync(join(repo.work, "Dockerfile")), "nothing is written before Apply");
    await browser.$('#file-tabs .file-tab[data-path="Dockerfile"]').click();
    await browser.saveScreenshot(join(shots, "review.png"));

    await browser.$("#apply-button").click();
    await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
    assert.match(readFileSync(join(repo.work, "Dockerfile"), "utf8"), /USER 10001:10001/, "the Dockerfile is on disk after Apply");
    assert.ok(existsSync(join(repo.work, "compose.yaml")), "compose.yaml is on disk after Apply");
    assert.ok(existsSync(join(repo.work, ".dockerignore")), ".dockerignore is on disk after Apply");

    await browser.$("#commit-button").click();
    const outcome = await until(browser, "the push outcome", async () => browser.$("#outcome").getAttribute("data-push"));
    assert.equal(outcome, "pushed", `the push lands: ${await browser.$("#outcome").getText()}`);
    const ship = await browser.$('#todo-list li[data-id="ship"]').getAttribute("data-status");
    assert.equal(ship, "done", "the commit-and-push step is done");
    await browser.saveScreenshot(join(shots, "shipped.png"));

    // The repository on disk: one new commit naming the task, holding exactly the four files it wrote.
    const head = git(repo.work, "rev-parse", "HEAD");
    assert.notEqual(head, headBefore, "a commit was made");
    assert.equal(git(repo.work, "rev-parse", "HEAD~1"), headBefore, "exactly one commit on top of the old HEAD");
    assert.match(git(repo.work, "log", "-1", "--format=%B"), /containerize this app/i, "the message names the task");
    const files = git(repo.work, "show", "--name-only", "--format=", "HEAD").split("\n").sort();
    assert.deepEqual(files, [".dockerignore", "Dockerfile", "compose.dev.yaml", "compose.yaml"]);
    assert.equal(git(repo.bare, "rev-parse", "main"), head, "the bare remote received the commit");

    // The log reaches the window's log panel and the file in the app's log folder.
    const panel = await browser.$("#log-panel").getProperty("textContent");
    assert.match(panel, /task understood/, "the log panel shows the run");
    assert.match(panel, /push finished/, "the log panel shows the push");
    const logFile = join(dataHome, "dev.slipway.desktop/logs/slipway.log");
    assert.match(readFileSync(logFile, "utf8"), /task understood/, `the run is logged to ${logFile}`);
  } finally {
    await stop();
  }
});

test("committing in a folder that is not a git repository is refused in words", async () => {
  const dir = plainCopy("node-nextjs-standalone");
  const { browser, stop } = await launch([dir]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("containerize this app");
    await browser.$("#run-button").click();
    await until(browser, "the Apply button", async () => browser.$("#apply-button").isEnabled());
    await browser.$("#apply-button").click();
    await until(browser, "the Commit button", async () => browser.$("#commit-button").isEnabled());
    await browser.$("#commit-button").click();
    const text = await until(browser, "the refusal", async () => {
      const t = await browser.$("#outcome").getText();
      return /not a git repository/.test(t) && t;
    });
    assert.match(text, /git init/, "the message says what to do next");
    assert.equal(await browser.$("#outcome").getAttribute("data-kind"), "error");
    const ship = await browser.$('#todo-list li[data-id="ship"]').getAttribute("data-status");
    assert.equal(ship, "failed", "the commit-and-push step shows the failure");
    assert.ok(existsSync(join(dir, "Dockerfile")), "the applied files stay");
    // The app is still alive and answering.
    assert.equal(await browser.$("#run-button").isExisting(), true);
  } finally {
    await stop();
  }
});
