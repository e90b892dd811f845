// The window the way a person meets it: the first run, the native folder dialog opened with
// Ctrl+O, a folder dragged from another app (and drops that are not one folder), the task and
// the live todo list in view during a run at the default size, 1280x800 and 1024x700, and the
// whole job done from the keyboard alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { appAsUser, dragPaths, fixtureRepo, git, launch, plainCopy, shots, startStandin, until, windowRect, withClipboard, xdo, configureProvider, pause, ready } from "./harness.mjs";

const rootShown = async (browser) => await browser.$("#project-root").getProperty("textContent");

test("the first run says what Slipway does; Ctrl+O opens the native dialog, and the folder put in it opens", async () => {
  const project = plainCopy("python-flask-pip");
  const { browser, stop } = await launch([]);
  try {
    await ready(browser);
    assert.equal(await browser.$("#welcome").isDisplayed(), true);
    const words = await browser.$("#welcome-text").getText();
    assert.equal(words.split(/(?<=\.)\s+/).length, 2, `two sentences: ${words}`);
    assert.match(words, /Dockerfiles, CI\/CD pipelines and deploy configs/);
    assert.equal(await browser.$("#welcome-open").isDisplayed(), true, "Open folder is offered");
    assert.equal(await browser.$("#recent").isDisplayed(), false, "no recent projects on a first run");
    assert.equal(await browser.$("#task-form").isDisplayed(), false, "no task box before a project");
    await browser.saveScreenshot(join(shots, "first-run.png"));

    // Real X input: the pointer on the window's header, then Ctrl+O.
    const win = await windowRect("Slipway");
    xdo("mousemove", String(win.x + 60), String(win.y + 20));
    xdo("click", "1");
    xdo("key", "ctrl+o");
    const dialog = await windowRect("Open a project folder");
    // GTK's location bar completes a path while it is typed, racing key by key input, so the
    // path is put in by Ctrl+V from the X clipboard, then Return picks it.
    await withClipboard(project, async () => {
      xdo("mousemove", String(dialog.x + dialog.width / 2), String(dialog.y + dialog.height / 2));
      xdo("key", "ctrl+l");
      await pause(300);
      xdo("key", "ctrl+a", "BackSpace", "ctrl+v");
      await pause(700);
      xdo("key", "Return");
      await until(browser, "the picked folder to open", async () => (await rootShown(browser)) === project, 20_000);
    });
    assert.match(await browser.$("#services").getText(), /Flask/, "the picked project is analysed");
  } finally {
    await stop();
  }
});

test("a folder dragged from another app opens; a file, several folders or an unreadable folder get a message in words", async () => {
  const project = plainCopy("node-express");
  const other = plainCopy("go-gin");
  const locked = join(dirname(plainCopy("ruby-sinatra")), "locked");
  mkdirSync(locked);
  writeFileSync(join(locked, "package.json"), "{}");
  chmodSync(locked, 0o000);
  // As root the app runs without the power to read any file, so the lock holds for it.
  const { browser, stop } = await launch([], {}, appAsUser());
  try {
    await ready(browser);
    const win = await windowRect("Slipway");
    const middle = { x: win.x + Math.round(win.width / 2), y: win.y + Math.round(win.height / 2) };
    const outcome = async () => ((await browser.$("#outcome").isDisplayed()) ? await browser.$("#outcome").getText() : "");

    assert.equal(await dragPaths([project], middle), true, "the window takes the drop");
    await until(browser, "the dropped folder to open", async () => (await rootShown(browser)) === project);
    assert.match(await browser.$("#services").getText(), /Express/);

    assert.equal(await dragPaths([join(other, "go.mod")], middle), true);
    await until(browser, "the message about a file", async () => /go\.mod is a file\. Drop the project's folder instead \(perhaps project, which holds it\)\./.test(await outcome()));

    assert.equal(await dragPaths([project, other], middle), true);
    await until(browser, "the message about two folders", async () => /You dropped 2 folders\. Slipway works on one project at a time/.test(await outcome()));
    assert.equal(await rootShown(browser), project, "the open project stays");

    assert.equal(await dragPaths([locked], middle), true);
    await until(browser, "the message about permission", async () =>
      /cannot read project folder .*locked: permission denied\. Your user needs read and execute permission on it/.test(await outcome()),
    );
    assert.equal(await rootShown(browser), project, "the open project stays");
    await browser.saveScreenshot(join(shots, "drop-refused.png"));
  } finally {
    chmodSync(locked, 0o755);
    await stop();
  }
});

// A scripted model that works slowly enough to be seen working: two steps, the second waiting.
const todos = (a, b) => JSON.stringify({ todos: [{ title: "Read the manifest and the entry point", status: a }, { title: "Write the Dockerfile and the health check", status: b }] });
const slowRun = [
  { openai: { text: "Planning.", calls: [["t1", "update_todos", todos("in_progress", "pending")]] } },
  { openai: { calls: [["t2", "read_file", '{"path": "package.json"}']] }, delay_ms: 2500 },
  { openai: { calls: [["t3", "update_todos", todos("done", "done")]] } },
  { openai: { text: "Nothing to change after all." } },
];
const LONG_TASK =
  "containerize this API as a small image that runs as a non-root user, keep the port the code listens on, add a health check on the route that already exists, and say in the summary what changed and why it is safe to ship";

test("during a run the whole task and the live todo list are in view at the default size, 1280x800 and 1024x700", async () => {
  const standin = await startStandin([...slowRun, ...slowRun, ...slowRun]);
  const repo = fixtureRepo("node-express");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await configureProvider(browser, standin.url);
    await browser.$("#settings-close").click();

    for (const size of [null, [1280, 800], [1024, 700]]) {
      if (size) await browser.setWindowSize(...size);
      const name = size ? `${size[0]}x${size[1]}` : "default";
      await browser.$("#task-input").setValue(LONG_TASK);
      await browser.$("#run-button").click();
      await until(browser, `the model at work (${name})`, async () => (await browser.$('#todo-list li[data-id="work-1"]').getAttribute("data-status")) === "in_progress");
      // Measured in the page while the run works: the task box shows the whole task, and every
      // todo sits inside the left column without scrolling it.
      const seen = await browser.execute(() => {
        const left = document.querySelector(".left");
        const box = left.getBoundingClientRect();
        const inside = (el) => {
          const r = el.getBoundingClientRect();
          return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && r.bottom <= window.innerHeight;
        };
        const task = document.getElementById("task-input");
        return {
          viewport: [window.innerWidth, window.innerHeight],
          scrolled: left.scrollTop,
          taskWhole: task.scrollHeight <= task.clientHeight + 2 && inside(task),
          taskLines: Math.round(task.clientHeight / parseFloat(getComputedStyle(task).lineHeight)),
          todos: [...document.querySelectorAll("#todo-list li")].map((li) => [li.dataset.id, inside(li)]),
        };
      });
      await browser.saveScreenshot(join(shots, `run-${name}.png`));
      assert.equal(seen.scrolled, 0, `${name}: the left column is not scrolled`);
      assert.ok(seen.taskWhole, `${name}: the whole task is in view: ${JSON.stringify(seen)}`);
      assert.ok(seen.taskLines >= 2, `${name}: the task box grew for the long task: ${JSON.stringify(seen)}`);
      assert.ok(seen.todos.length >= 5, `${name}: the plan is listed: ${JSON.stringify(seen.todos)}`);
      assert.deepEqual(seen.todos.filter(([, ok]) => !ok), [], `${name}: every todo in view (${seen.viewport})`);
      if (size) assert.deepEqual(seen.viewport, size, "the window has the asked size");
      await until(browser, `the run to end (${name})`, async () => (await browser.$('#todo-list li[data-id="reflect"]').getAttribute("data-status")) === "done", 30_000);
    }
  } finally {
    standin.stop();
    await stop();
  }
});

test("the keyboard alone does the whole job: named controls, visible focus, tab order and the shortcuts", async () => {
  const repo = fixtureRepo("node-express");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await until(browser, "the suggestions", async () => await browser.$("#suggestions .suggestion").isDisplayed());
    await browser.saveScreenshot(join(shots, "suggestions.png"));
    const unnamed = await browser.execute(() => {
      const name = (el) => {
        const by = el.getAttribute("aria-labelledby");
        const labels = el.labels ? [...el.labels].map((l) => l.textContent) : [];
        return [el.getAttribute("aria-label"), by && document.getElementById(by)?.textContent, ...labels, el.textContent, el.getAttribute("title")]
          .map((t) => (t ?? "").trim())
          .find((t) => t !== "");
      };
      return [...document.querySelectorAll("button, input, select, textarea, summary, [tabindex]")]
        .filter((el) => el.getClientRects().length > 0)
        .filter((el) => !name(el))
        .map((el) => el.outerHTML.slice(0, 80));
    });
    assert.deepEqual(unnamed, [], "every control in view has an accessible name");

    // Tab through the window from the top, noting what takes focus and how it shows.
    await browser.execute(() => document.activeElement?.blur());
    const order = [];
    for (let i = 0; i < 10; i++) {
      await browser.keys("Tab");
      const focused = await browser.execute(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { key: el.id || el.className || el.tagName, ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 };
      });
      if (focused) order.push(focused);
    }
    const at = (key) => order.findIndex((o) => o.key === key || String(o.key).split(" ").includes(key));
    assert.ok(at("brain-button") >= 0 && at("brain-button") < at("open-folder"), `order: ${order.map((o) => o.key)}`);
    assert.ok(at("open-folder") < at("task-input"), "the task after the header");
    assert.ok(at("task-input") < at("suggestion"), "the suggestions after the task box");
    assert.ok(at("suggestion") < at("service-summary"), "the project after the suggestions");
    assert.deepEqual(order.filter((o) => !o.ring).map((o) => o.key), [], "each focused control shows a focus ring");

    // Choose the first suggestion with the keyboard, run it with Enter, then the shortcuts.
    await browser.execute(() => document.querySelector("#suggestions .suggestion").focus());
    const suggestion = await browser.$("#suggestions .suggestion").getText();
    assert.equal(suggestion, "containerize this Express app");
    await browser.keys("Enter");
    assert.equal(await browser.$("#task-input").getValue(), suggestion, "the suggestion fills the task box");
    assert.equal(await browser.execute(() => document.activeElement.id), "task-input", "and focus moves there");
    await browser.keys("Enter");
    await until(browser, "the review", async () => /Review \d+ proposed file/.test(await browser.$("#outcome").getText()));
    await browser.keys(["Control", "Shift", "a"]);
    await until(browser, "the apply", async () => /^Applied/.test(await browser.$("#outcome").getText()));
    assert.ok(existsSync(join(repo.work, "Dockerfile")), "Ctrl+Shift+A applied the files");
    await browser.keys(["Control", "Shift", "p"]);
    await until(browser, "the push", async () => (await browser.$("#outcome").getAttribute("data-push")) === "pushed", 30_000);
    assert.match(git(repo.bare, "log", "--format=%s", "-1", "--all"), /./, "the commit reached the remote");
    assert.match(readFileSync(join(repo.work, "Dockerfile"), "utf8"), /FROM node/);
  } finally {
    await stop();
  }
});
