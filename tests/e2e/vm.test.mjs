// "Deploy it to a VM with Ansible" in the real window: the todo step names the server's
// playbook, the playbook's files are among the proposals with the pipeline that runs it, the
// checklist names the deploy key, the host key and the database password, and nothing is
// written before Apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { attrs, fixtureRepo, launch, shots, until, ready } from "./harness.mjs";

test("put a FastAPI service on a server with Ansible, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy it to a VM with Ansible on api.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="vm"]').getText();
    assert.match(step, /Ansible playbook for the server/, `the step names it: ${step}`);
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["ansible/site.yml", "ansible/roles/base/tasks/main.yml", "ansible/roles/app/templates/compose.yaml.j2", "docs/vm.md", ".github/workflows/ci-cd.yml"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    const needs = await browser.$("#requirements").getText();
    for (const want of [/SSH_PRIVATE_KEY/, /SSH_KNOWN_HOSTS/, /POSTGRES_PASSWORD/]) {
      assert.match(needs, want, `the checklist names ${want}: ${needs}`);
    }
    const deploy = await browser.$('#pipeline-picture .job[data-job="deploy-vm"]');
    assert.match(await deploy.getText(), /Deploy to the server \(production\)/);
    await browser.$('#file-tabs .file-tab[data-path="ansible/roles/base/tasks/main.yml"]').click();
    const diff = await until(browser, "the base role's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /PasswordAuthentication no/.test(t) && t;
    });
    assert.match(diff, /Unattended-Upgrade/, "security upgrades are on");
    assert.ok(!existsSync(join(repo.work, "ansible")), "nothing is written before Apply");
    await browser.saveScreenshot(join(shots, "vm.png"));
  } finally {
    await stop();
  }
});
