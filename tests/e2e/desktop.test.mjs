// Desktop habits in the real window: drift notices from the watched folder, one running
// instance that takes folders from later launches, recent projects, and the window's size
// restored after a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { app, fixtureRepo, git, launch, plainCopy, shots, until, ready } from "./harness.mjs";

test("changing .nvmrc on disk raises a drift notice whose fix is reviewed and applied", async () => {
  const repo = fixtureRepo("node-express");
  writeFileSync(join(repo.work, ".nvmrc"), "20\n");
  const dockerfile = "FROM node:20-alpine AS deps\nWORKDIR /app\nCOPY package.json ./\nRUN npm install --omit=dev\n\nFROM node:20-alpine\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nUSER node\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n";
  writeFileSync(join(repo.work, "Dockerfile"), dockerfile);
  git(repo.work, "add", "-A");
  git(repo.work, "commit", "-q", "-m", "Pin Node 20");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    // The opening analysis finds the project in step.
    await until(browser, "the opening analysis", async () => /project opened: analysed again, 0 drift/.test(await browser.$("#log-panel").getProperty("textContent")));
    assert.equal(await browser.$("#drift").isDisplayed(), false, "no drift while the Dockerfile matches .nvmrc");

    writeFileSync(join(repo.work, ".nvmrc"), "22\n");
    await until(browser, "the drift notice", async () => await browser.$('#drift .notice[data-id="runtime:Dockerfile"]').isExisting(), 20_000);
    const notice = await browser.$('#drift .notice[data-id="runtime:Dockerfile"]').getText();
    assert.match(notice, /Dockerfile builds on node:20-alpine but \.nvmrc asks for node 22/);
    await until(browser, "the new version in the project panel", async () => /Node\.js 22/.test(await browser.$("#services").getText()));
    await browser.$('#drift .notice[data-id="runtime:Dockerfile"] button.fix').click();
    await until(browser, "the fix's diff", async () => /\+FROM node:22-alpine/.test(await browser.$("#diff-view").getText()));
    await browser.saveScreenshot(join(shots, "drift.png"));
    await browser.$("#apply-button").click();
    await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
    assert.equal(readFileSync(join(repo.work, "Dockerfile"), "utf8"), dockerfile.replaceAll("node:20-alpine", "node:22-alpine"));
    await until(browser, "the notice to clear", async () => !(await browser.$('#drift .notice[data-id="runtime:Dockerfile"]').isExisting()), 20_000);
  } finally {
    await stop();
  }
});

test("a second launch hands its folder to the running window; recent projects and the window size survive a restart", async () => {
  const first = plainCopy("node-express");
  const second = plainCopy("python-flask-pip");
  let { browser, stop, dataHome } = await launch([first]);
  try {
    await ready(browser);
    await browser.setWindowSize(1100, 780);
    const size = await browser.getWindowSize();

    // Given as a path relative to where it was launched: the running window resolves it there.
    const handed = spawnSync(app, [basename(second)], { cwd: dirname(second), env: { ...process.env, XDG_DATA_HOME: dataHome, XDG_CONFIG_HOME: dataHome }, encoding: "utf8", timeout: 20_000 });
    assert.equal(handed.status, 0, `the second launch exits at once: ${handed.stderr}`);
    await until(browser, "the handed-over folder", async () => (await browser.$("#project-root").getProperty("textContent")) === second);

    await stop();
    ({ browser, stop } = await launch([], { XDG_CONFIG_HOME: dataHome, XDG_DATA_HOME: dataHome }));
    await ready(browser);
    const recent = [];
    for (const b of await browser.$$("#recent-list .recent-project")) recent.push(await b.getAttribute("data-path"));
    assert.deepEqual(recent.slice(0, 2), [second, first], "recent projects, newest first");
    const restored = await browser.getWindowSize();
    assert.ok(Math.abs(restored.width - size.width) <= 2 && Math.abs(restored.height - size.height) <= 2, `size restored: ${JSON.stringify(restored)} vs ${JSON.stringify(size)}`);
    await browser.$(`#recent-list .recent-project[data-path="${first}"]`).click();
    await until(browser, "the recent project to open", async () => (await browser.$("#project-root").getProperty("textContent")) === first);
  } finally {
    await stop();
  }
});
