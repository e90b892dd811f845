// Commit and push from the window to a real git HTTP server on 127.0.0.1 that requires basic
// auth: the token is typed once, kept in the real keychain, and used again after a restart;
// a wrong token ends in words after a capped number of attempts. The branch choice is
// remembered per project.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureRepo, git, launch, shots, until, ready } from "./harness.mjs";
import { startGitServer } from "./git-server.mjs";

async function containerizeAndApply(browser) {
  await browser.$("#task-input").setValue("containerize this app");
  await browser.$("#run-button").click();
  await until(browser, "the reflection to finish", async () => {
    const li = await browser.$('#todo-list li[data-id="reflect"]');
    return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
  });
  await browser.$("#apply-button").click();
  await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
}

async function commitAndPush(browser) {
  await browser.$("#commit-button").click();
  await until(browser, "the push outcome", async () => (await browser.$("#outcome").getAttribute("data-push")) !== "" && (await browser.$("#outcome").getAttribute("data-push")) !== null);
  return browser.$("#outcome").getAttribute("data-push");
}

/** A fixture repository whose origin is served over HTTP with basic auth. */
async function httpRepo(token) {
  const repo = fixtureRepo("node-express");
  const server = await startGitServer(repo.base, token);
  git(repo.work, "remote", "set-url", "origin", `${server.url}/origin.git`);
  return { repo, server };
}

test("push with a token typed once into the keychain, then again after a restart without being asked", async () => {
  const TOKEN = "tok-e2e-4f9c2a7b1d3e5f60";
  const { repo, server } = await httpRepo(TOKEN);
  let { browser, stop, dataHome } = await launch([repo.work]);
  try {
    await ready(browser);
    await containerizeAndApply(browser);
    await browser.$("#branch-choice").selectByAttribute("value", "current");
    assert.equal(await commitAndPush(browser), "needs_credentials", "no token yet: the app asks");
    assert.ok(await browser.$("#token-form").isDisplayed(), "the token form is shown");
    assert.equal(await browser.$("#token-host").getText(), server.host, "for the remote's host");
    assert.match(await browser.$("#outcome").getText(), /needs credentials/);
    await browser.$("#token-input").setValue(TOKEN);
    await browser.$("#token-save").click();
    await until(browser, "the push", async () => (await browser.$("#outcome").getAttribute("data-push")) === "pushed");
    assert.match(await browser.$("#outcome").getText(), /Pushed main to origin/);
    assert.ok(!(await browser.$("#token-form").isDisplayed()), "the form is gone");
    await browser.saveScreenshot(join(shots, "push.png"));
    assert.equal(git(repo.bare, "log", "-1", "--format=%s", "main"), "Containerize this app", "the commit reached the server");
    assert.equal(git(repo.work, "rev-parse", "HEAD"), git(repo.bare, "rev-parse", "main"));

    // Something new to push after a restart.
    git(repo.work, "rm", "-q", "compose.dev.yaml");
    git(repo.work, "commit", "-q", "-m", "Drop the dev compose file for now");
    await stop();
    ({ browser, stop } = await launch([repo.work], { XDG_CONFIG_HOME: dataHome, XDG_DATA_HOME: dataHome }));
    await ready(browser);
    await containerizeAndApply(browser);
    assert.equal(await browser.$("#branch-choice").getValue(), "current", "the branch choice is remembered for the project");
    const refusedBefore = server.seen.refused;
    assert.equal(await commitAndPush(browser), "pushed", "the stored token is used without asking");
    assert.ok(!(await browser.$("#token-form").isDisplayed()));
    assert.equal(server.seen.refused, refusedBefore, "no credential was refused");
    assert.equal(git(repo.work, "rev-parse", "HEAD"), git(repo.bare, "rev-parse", "main"), "both new commits are on the server");
  } finally {
    await stop();
    server.stop();
  }
});

test("a wrong token ends in a clear message after a capped number of attempts", async () => {
  const { repo, server } = await httpRepo("the-right-token-000111222");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await containerizeAndApply(browser);
    assert.equal(await commitAndPush(browser), "needs_credentials");
    await browser.$("#token-input").setValue("a-wrong-token-999888777");
    await browser.$("#token-save").click();
    await until(browser, "the refusal", async () => /refused the stored token/.test(await browser.$("#outcome").getText()), 30_000);
    assert.equal(await browser.$("#outcome").getAttribute("data-push"), "needs_credentials");
    assert.ok(server.seen.refused >= 1 && server.seen.refused <= 3, `attempts are capped: ${server.seen.refused} refused`);
    assert.ok(await browser.$("#token-form").isDisplayed(), "the app asks for a better token");
    assert.notEqual(git(repo.work, "rev-parse", "HEAD"), git(repo.bare, "rev-parse", "main"), "nothing reached the server");
    await browser.saveScreenshot(join(shots, "push-refused.png"));
  } finally {
    await stop();
    server.stop();
  }
});
