// CI/CD in the real window: the seed's first example. The spec panel shows what Slipway
// understood and where each value came from; a corrected field lands in slipway.toml; the
// pipeline picture and the secrets checklist are shown; the files are applied and committed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { attrs, fixtureRepo, git, launch, shots, until, ready } from "./harness.mjs";

const TASK = "set up CI/CD for this FastAPI project and deploy it to Railway";

async function runTask(browser) {
  await browser.$("#task-input").setValue(TASK);
  await browser.$("#run-button").click();
  await until(browser, "the reflection step to finish", async () => {
    const li = await browser.$('#todo-list li[data-id="reflect"]');
    return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
  });
}

test("CI/CD to Railway from the window: the spec, a correction, the pipeline picture, the checklist, apply and commit", async () => {
  const repo = fixtureRepo("python-fastapi-railway");
  const headBefore = git(repo.work, "rev-parse", "HEAD");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await runTask(browser);
    const ids = await attrs(await browser.$$("#todo-list li"), "data-id");
    assert.deepEqual(ids, ["analyse", "rules", "research", "context", "dockerfile", "pipeline", "platform", "runbook", "reflect", "ship"]);

    // What Slipway understood, with where each value came from.
    assert.equal(await browser.$("#spec-panel").isDisplayed(), true, "the spec panel shows for a pipeline task");
    const targets = await browser.$('#spec-fields dd[data-field="targets"]').getText();
    assert.match(targets, /Railway/);
    assert.match(targets, /task/, "the target came from the task");
    const ci = await browser.$('#spec-fields dd[data-field="ci"]').getText();
    assert.match(ci, /GitHub Actions/);

    // The pipeline as a picture: jobs as boxes, the deploy gated on main in production.
    const jobs = await attrs(await browser.$$("#pipeline-picture .job"), "data-job");
    assert.deepEqual(jobs, ["lint-orders", "test-orders", "image-orders", "deploy-orders-railway"]);
    const gate = await browser.$('#pipeline-picture .job[data-job="deploy-orders-railway"] .gate').getText();
    assert.match(gate, /production · only on main/);

    // The checklist names what to create and where.
    const checklist = await browser.$("#requirements").getText();
    assert.match(checklist, /RAILWAY_TOKEN secret in GitHub environment "production"/);
    assert.match(checklist, /DATABASE_URL secret in Railway/);
    await browser.$("#spec-panel").scrollIntoView();
    await browser.saveScreenshot(join(shots, "cicd-spec.png"));

    // A correction to the spec lands in slipway.toml's [deploy] table.
    await browser.$('#spec-fields dd[data-field="branch"] button.edit').click();
    const input = await browser.$('#spec-fields dd[data-field="branch"] input');
    await input.setValue("trunk");
    await browser.$('#spec-fields dd[data-field="branch"] button.save').click();
    await until(browser, "the saved correction", async () => /deploy\.branch/.test(await browser.$("#outcome").getText()));
    assert.match(readFileSync(join(repo.work, "slipway.toml"), "utf8"), /\[deploy\]\s*\nbranch = "trunk"/);
    // An unknown CI system is refused in words naming the known ones, and nothing is saved.
    await browser.$('#spec-fields dd[data-field="ci"] button.edit').click();
    await browser.$('#spec-fields dd[data-field="ci"] input').setValue("travis");
    await browser.$('#spec-fields dd[data-field="ci"] button.save').click();
    await until(browser, "the refusal", async () => /github, gitlab, jenkins or circleci/.test(await browser.$("#outcome").getText()));
    assert.doesNotMatch(readFileSync(join(repo.work, "slipway.toml"), "utf8"), /travis/);

    // The run again: the corrected branch is used, from slipway.toml.
    await runTask(browser);
    const branch = await browser.$('#spec-fields dd[data-field="branch"]').getText();
    assert.match(branch, /trunk/);
    assert.match(branch, /slipway\.toml/);

    await browser.$("#apply-button").click();
    await until(browser, "the apply outcome", async () => /Applied/.test(await browser.$("#outcome").getText()));
    const workflow = readFileSync(join(repo.work, ".github/workflows/ci-cd.yml"), "utf8");
    assert.match(workflow, /refs\/heads\/trunk/, "the workflow deploys from the corrected branch");
    assert.ok(existsSync(join(repo.work, "railway.json")));
    assert.ok(existsSync(join(repo.work, "docs/deploy.md")));

    await browser.$("#commit-button").click();
    await until(browser, "the push outcome", async () => browser.$("#outcome").getAttribute("data-push"));
    const files = git(repo.work, "show", "--name-only", "--format=", "HEAD").split("\n").sort();
    assert.notEqual(git(repo.work, "rev-parse", "HEAD"), headBefore, "a commit was made");
    for (const f of [".github/workflows/ci-cd.yml", ".github/dependabot.yml", "railway.json", "docs/deploy.md", "Dockerfile"]) {
      assert.ok(files.includes(f), `${f} is in the commit: ${files}`);
    }
    assert.equal((await browser.$$("#parity li")).length, 0, "GitHub Actions with GHCR falls short nowhere");

    // Switching CI is a correction and a regeneration; the window says where CircleCI does less.
    await browser.$('#spec-fields dd[data-field="ci"] button.edit').click();
    await browser.$('#spec-fields dd[data-field="ci"] input').setValue("circleci");
    await browser.$('#spec-fields dd[data-field="ci"] button.save').click();
    await until(browser, "the saved CI system", async () => /deploy\.ci/.test(await browser.$("#outcome").getText()));
    await runTask(browser);
    const circle = await browser.$('#spec-fields dd[data-field="ci"]').getText();
    assert.match(circle, /CircleCI/);
    const gaps = await attrs(await browser.$$("#parity li"), "data-capability");
    assert.ok(gaps.includes("time limits"), `CircleCI's shortfalls are shown: ${gaps}`);
    assert.match(await browser.$("#requirements").getText(), /RAILWAY_TOKEN secret in CircleCI context "deploy-production"/);
    await browser.$("#spec-panel").scrollIntoView();
    await browser.saveScreenshot(join(shots, "cicd-circleci.png"));
  } finally {
    await stop();
  }
});
