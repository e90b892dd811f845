// Review and apply in the real window: per-hunk decisions, side by side, editing a proposal,
// the conflict view when a file changed on disk after the preview, and undo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attrs, fixtureRepo, git, launch, shots, until, ready } from "./harness.mjs";

const MINE = [
  "# Ours: keep this note.",
  "FROM node",
  "WORKDIR /app",
  "COPY package.json package-lock.json ./",
  "RUN npm ci --omit=dev",
  "COPY . .",
  "ENV NODE_ENV=production",
  "ENV LOG_LEVEL=info",
  'LABEL org.opencontainers.image.title="inventory"',
  'LABEL org.opencontainers.image.vendor="acme"',
  "EXPOSE 3000",
  "CMD npm start",
  "",
].join("\n");

async function runTask(browser, task) {
  await browser.$("#task-input").setValue(task);
  await browser.$("#run-button").click();
  await until(browser, "the reflection to finish", async () => {
    const li = await browser.$('#todo-list li[data-id="reflect"]');
    return (await li.isExisting()) && ["done", "failed"].includes(await li.getAttribute("data-status"));
  });
}

async function openTab(browser, path) {
  await browser.$(`#file-tabs .file-tab[data-path="${path}"]`).click();
  await until(browser, `the diff of ${path}`, async () => (await browser.$("#diff-view").getAttribute("data-path")) === path);
}

test("reject one hunk, skip one file, edit another, and apply the rest", async () => {
  const repo = fixtureRepo("node-express");
  writeFileSync(join(repo.work, "Dockerfile"), MINE);
  git(repo.work, "add", "Dockerfile");
  git(repo.work, "commit", "-q", "-m", "Our Dockerfile");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await runTask(browser, "containerize this app");
    await openTab(browser, "Dockerfile");
    const hunks = await browser.$$("#diff-view .hunk");
    assert.ok(hunks.length >= 2, `the improved Dockerfile has separate hunks, got ${hunks.length}`);
    const first = await browser.$('#diff-view .hunk[data-index="0"]').getText();
    assert.match(first, /FROM node:22/, "the first hunk pins the base image");

    // Reject the first hunk: our unpinned FROM line stays.
    await browser.$('#diff-view .hunk[data-index="0"] input.accept-hunk').click();
    await until(browser, "the hunk to be skipped", async () => (await browser.$('#diff-view .hunk[data-index="0"]').getAttribute("data-accepted")) === "false");
    assert.match(await browser.$("#diff-view .diff-head").getText(), new RegExp(`${hunks.length - 1}/${hunks.length} hunks`));

    await browser.$("#diff-mode").click();
    await until(browser, "the side-by-side view", async () => (await browser.$$("#diff-view .diff-body.split .srow")).length > 0);
    await browser.saveScreenshot(join(shots, "review-hunks.png"));
    await browser.$("#diff-mode").click();

    // Skip a whole file.
    await openTab(browser, "compose.dev.yaml");
    await browser.$("#reject-file").click();
    await until(browser, "compose.dev.yaml to be skipped", async () => /skipped/.test(await browser.$('#file-tabs .file-tab[data-path="compose.dev.yaml"]').getAttribute("class")));

    // Edit a proposal before applying.
    await openTab(browser, ".dockerignore");
    await browser.$("#edit-file").click();
    const edited = "node_modules\n.git\n.env\n# edited in the review\n";
    // Typed text cannot carry newlines through WebDriver: the edit is pasted, as a person would.
    await browser.execute((text) => {
      const area = document.getElementById("editor");
      area.value = text;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }, edited);
    await browser.$("#editor-save").click();
    await until(browser, "the edit to be taken", async () => /edited, create/.test(await browser.$("#diff-view .diff-head").getText()));

    await browser.$("#apply-button").click();
    await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
    const dockerfile = readFileSync(join(repo.work, "Dockerfile"), "utf8");
    assert.ok(dockerfile.includes("\nFROM node\n"), `the rejected hunk left our FROM line:\n${dockerfile}`);
    assert.ok(!dockerfile.includes("FROM node:22"), "the rejected pin is not there");
    assert.ok(dockerfile.startsWith("# Ours: keep this note.\n"), "our lines survive");
    assert.ok(dockerfile.includes('CMD ["npm", "start"]'), `the accepted hunk landed:\n${dockerfile}`);
    assert.equal(readFileSync(join(repo.work, ".dockerignore"), "utf8"), edited, "the edited version is written byte for byte");
    assert.ok(!existsSync(join(repo.work, "compose.dev.yaml")), "the skipped file is not written");
    assert.ok(existsSync(join(repo.work, "compose.yaml")), "the rest is written");
  } finally {
    await stop();
  }
});

test("a file edited on disk after the preview shows a conflict, never an overwrite; undo restores the bytes", async () => {
  const repo = fixtureRepo("node-express");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await runTask(browser, "containerize this app");
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    assert.ok(tabs.includes("Dockerfile"));
    // The person writes their own Dockerfile while the preview is open.
    const theirs = "FROM node:22-alpine\n# written by hand during the review\r\nCMD [\"node\", \"server.js\"]\n";
    writeFileSync(join(repo.work, "Dockerfile"), theirs);

    await browser.$("#apply-button").click();
    await until(browser, "the conflict view", async () => await browser.$('#conflict-view .conflict[data-path="Dockerfile"]').isExisting());
    const view = await browser.$("#conflict-view").getText();
    assert.match(view, /Dockerfile changed on disk since the preview/);
    assert.match(view, /written by hand during the review/, "the view shows what changed");
    assert.match(await browser.$("#outcome").getText(), /changed on disk since the preview; nothing was written/);
    assert.equal(readFileSync(join(repo.work, "Dockerfile"), "utf8"), theirs, "their file is untouched");
    assert.ok(!existsSync(join(repo.work, "compose.yaml")), "nothing else was written either");
    await browser.saveScreenshot(join(shots, "conflict.png"));

    // Review against their version, apply, then undo.
    await browser.$('#conflict-view .conflict[data-path="Dockerfile"] button.refresh').click();
    await until(browser, "the refreshed diff", async () => /from your version/.test(await browser.$("#outcome").getText()));
    await openTab(browser, "Dockerfile");
    assert.match(await browser.$("#diff-view").getText(), /written by hand during the review/, "the diff now starts from their file");
    await browser.$("#apply-button").click();
    await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
    assert.notEqual(readFileSync(join(repo.work, "Dockerfile"), "utf8"), theirs);
    assert.ok(existsSync(join(repo.work, "compose.yaml")));

    await browser.$("#undo-button").click();
    await until(browser, "the undo outcome", async () => /Undone/.test(await browser.$("#outcome").getText()));
    assert.deepEqual(readFileSync(join(repo.work, "Dockerfile")), Buffer.from(theirs), "undo restores their exact bytes (CRLF included)");
    assert.ok(!existsSync(join(repo.work, "compose.yaml")), "files the apply created are removed");
    assert.equal(git(repo.work, "status", "--porcelain"), "?? Dockerfile", "the tree is as before the apply");
  } finally {
    await stop();
  }
});
