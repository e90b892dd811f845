// "Put this on AWS with Terraform" in the real window, on a FastAPI service with PostgreSQL and
// Redis: the todo step names the infrastructure, the picture shows DNS, the load balancer, the
// ECS service and the data stores with their backups, the monthly cost is a table beside it,
// the checklist names the secrets in Secrets Manager and the pipeline's OIDC roles with their
// subjects, the pipeline plans on pull requests and applies after the image, and the Terraform
// files are among the proposals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { attrs, fixtureRepo, launch, shots, until, ready } from "./harness.mjs";

test("put a FastAPI service on AWS with Terraform, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Put this on AWS with Terraform in eu-west-1 on api.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const ids = await attrs(await browser.$$("#todo-list li"), "data-id");
    assert.ok(ids.includes("cloud"), `an infrastructure step is on the list: ${ids}`);
    assert.deepEqual(ids.slice(-2), ["reflect", "ship"], "reflection, then commit and push, last");

    const region = await browser.$('#spec-fields dd[data-field="region"] .value').getText();
    assert.equal(region, "eu-west-1", "the region the task names");
    assert.equal(await browser.$("#cloud-picture").isDisplayed(), true, "the cloud picture shows");
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS api\.example\.com/, /Load balancer HTTPS 443/, /ECS service catalog/, /PostgreSQL \(RDS\)[\s\S]*backups 14 days/, /Redis \(ElastiCache\)/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /Total\s*\d+\.\d\d$/, `the cost has a total: ${cost}`);
    assert.match(cost, /RDS PostgreSQL \(db\.t4g\.small\)/, "and prices the database");
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /DATABASE_URL[\s\S]*AWS Secrets Manager/, `the secrets go in Secrets Manager: ${needs}`);
    assert.match(needs, /AWS_DEPLOY_ROLE_ARN[\s\S]*environment:production/, "the deploy role names the subject it trusts");
    assert.match(needs, /AWS_PLAN_ROLE_ARN[\s\S]*:pull_request/, "so does the plan role");

    // The pipeline ships it: a plan on pull requests, an apply in production after the image.
    assert.ok(ids.includes("pipeline"), `a pipeline step is on the list: ${ids}`);
    const plan = await browser.$('#pipeline-picture .job[data-job="plan-aws"]');
    assert.match(await plan.getText(), /Plan the AWS infrastructure[\s\S]*pull requests only/);
    const apply = await browser.$('#pipeline-picture .job[data-job="deploy-aws"]');
    assert.match(await apply.getText(), /Deploy to AWS \(production\)[\s\S]*production · only on main/);
    assert.equal(await apply.getAttribute("title"), "after image-catalog", "the apply waits for the tested image");

    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["infra/aws/bootstrap/main.tf", "infra/aws/services.tf", "infra/aws/databases.tf", "docs/aws.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    await browser.$('#file-tabs .file-tab[data-path="infra/aws/databases.tf"]').click();
    const diff = await until(browser, "the database's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /deletion_protection/.test(t) && t;
    });
    assert.match(diff, /backup_retention_period\s+= var\.backup_days/, "backups kept for the spec's days");
    assert.match(diff, /publicly_accessible\s+= false/, "never public");
    assert.ok(!existsSync(join(repo.work, "infra")), "nothing is written before Apply");

    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    // WebKit paints the scrolled panel a frame later than the DOM reports it.
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "aws.png"));
  } finally {
    await stop();
  }
});

// "Deploy it to Cloud Run" in the real window: the picture runs from DNS through the load
// balancer to the Cloud Run service and Cloud SQL, the cost is priced from Google's table, the
// checklist names the secrets in Secret Manager and the service accounts with the subject
// each admits, and the pipeline plans and applies infra/gcp.
test("put a FastAPI service on Cloud Run with Terraform, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy it to Cloud Run in europe-west1 on api.example.com, keep 21 days of backups");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="cloud"]').getText();
    assert.match(step, /Google Cloud infrastructure in Terraform/, `the step names it: ${step}`);
    const region = await browser.$('#spec-fields dd[data-field="region"] .value').getText();
    assert.equal(region, "europe-west1", "the region the task names");
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS api\.example\.com/, /Load balancer HTTPS 443/, /Cloud Run service catalog/, /PostgreSQL \(Cloud SQL\)[\s\S]*21 daily backups/, /Redis \(Memorystore\)/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /Cloud SQL PostgreSQL db-custom-1-3840/, `the database is priced: ${cost}`);
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /DATABASE_URL[\s\S]*Google Secret Manager/, `the secrets go in Secret Manager: ${needs}`);
    assert.match(needs, /GCP_DEPLOY_SERVICE_ACCOUNT[\s\S]*environment:production/, "the deploy account names its subject");
    const apply = await browser.$('#pipeline-picture .job[data-job="deploy-gcp"]');
    assert.match(await apply.getText(), /Deploy to Google Cloud \(production\)/);
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["infra/gcp/bootstrap/main.tf", "infra/gcp/services.tf", "infra/gcp/database.tf", "docs/gcp.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "gcp.png"));
  } finally {
    await stop();
  }
});

// "Pulumi for Azure Container Apps" in the real window: the step names the Python program, the
// picture shows the ingress, the container app and the database with its backups, the cost
// prices the Flexible Server, the checklist puts the secrets in Key Vault and names the deploy
// identity's subject, and the proposals are the Pulumi program, not Terraform.
test("put a FastAPI service on Azure Container Apps with Pulumi in Python, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy it to Azure Container Apps with Pulumi in westeurope on api.example.com, keep 21 days of backups");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="cloud"]').getText();
    assert.match(step, /Azure infrastructure as a Pulumi program in Python/, `the step names it: ${step}`);
    const region = await browser.$('#spec-fields dd[data-field="region"] .value').getText();
    assert.equal(region, "westeurope", "the region the task names");
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS api\.example\.com/, /Ingress HTTPS 443/, /Container app catalog/, /PostgreSQL \(Flexible Server\)[\s\S]*21 days of backups/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /PostgreSQL Flexible Server GP_Standard_D2ds_v5/, `the database is priced: ${cost}`);
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /DATABASE_URL[\s\S]*Azure Key Vault/, `the secrets go in Key Vault: ${needs}`);
    assert.match(needs, /AZURE_DEPLOY_CLIENT_ID[\s\S]*environment:production/, "the deploy identity names its subject");
    const apply = await browser.$('#pipeline-picture .job[data-job="deploy-azure"]');
    assert.match(await apply.getText(), /Deploy to Azure/);
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["infra/azure/__main__.py", "infra/azure/requirements.txt", "infra/azure/bootstrap/__main__.py", "docs/azure.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(!tabs.some((t) => t.endsWith(".tf")), `no Terraform beside the program: ${tabs}`);
    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "azure.png"));
  } finally {
    await stop();
  }
});

// "with CloudFormation" in the real window: the step names the templates, the picture and the
// cost are the AWS family's, the checklist adds the role CloudFormation deploys with, and the
// proposals are the two templates, not Terraform.
test("put a FastAPI service on ECS with CloudFormation, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Put this on ECS with CloudFormation on api.example.com, keep 21 days of backups");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="cloud"]').getText();
    assert.match(step, /AWS infrastructure as CloudFormation templates/, `the step names it: ${step}`);
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS api\.example\.com/, /ECS service catalog/, /PostgreSQL \(RDS\)[\s\S]*21 days/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /the images'/, `the bootstrap key is the images': ${cost}`);
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /AWS_CLOUDFORMATION_ROLE_ARN/, `the deploy's role for CloudFormation: ${needs}`);
    assert.match(needs, /AWS_DEPLOY_ROLE_ARN[\s\S]*environment:production/, "the deploy role names its subject");
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["infra/aws/stack.yaml", "infra/aws/bootstrap.yaml", "docs/aws.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(!tabs.some((t) => t.endsWith(".tf")), `no Terraform beside the templates: ${tabs}`);
    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "cloudformation.png"));
  } finally {
    await stop();
  }
});

// "Deploy this site to S3 with CloudFront" on a single-page app, in the real window: the todo
// step names the bucket behind CloudFront, the picture runs DNS -> CloudFront -> the bucket, the
// cost is cents, the checklist names the two roles (no image push role), the pipeline has no
// image job, and the proposals are the site's stack without a network or load balancer.
test("put a single-page app on S3 behind CloudFront, from the window", async () => {
  const repo = fixtureRepo("node-vite-react");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy this site to S3 with CloudFront on www.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="cloud"]').getText();
    assert.match(step, /private S3 bucket behind CloudFront/, `the step names it: ${step}`);
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS www\.example\.com/, /CDN \(CloudFront\)/, /Bucket \(S3\)[\s\S]*private, read by its distribution only/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    assert.doesNotMatch(picture, /Load balancer|ECS/, "no containers for a site of files");
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /Total\s*0\.\d\d$/, `a site costs cents: ${cost}`);
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /AWS_DEPLOY_ROLE_ARN[\s\S]*environment:production/, "the deploy role names its subject");
    assert.doesNotMatch(needs, /AWS_ROLE_ARN\b/, `no image push role: ${needs}`);
    const jobs = await attrs(await browser.$$("#pipeline-picture .job"), "data-job");
    assert.ok(jobs.includes("deploy-aws") && !jobs.some((j) => j.startsWith("image-")), `the jobs: ${jobs}`);
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["infra/aws/site.tf", "infra/aws/bootstrap/main.tf", "docs/aws.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(!tabs.includes("infra/aws/network.tf") && !tabs.includes("infra/aws/load-balancer.tf"), `no network: ${tabs}`);
    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "cloudfront.png"));
  } finally {
    await stop();
  }
});

// "Put it on a VM on Google Cloud" in the real window: the todo list has the cloud step that
// creates the machine and the server step that sets it up, both done; the picture runs from DNS
// through the static address and the firewall to the VM and its daily snapshots, with no Cloud
// Run; the cost is the machine's; the checklist asks for the key and the admin ranges; the
// proposals hold the Terraform and the playbook.
test("put a FastAPI service on a Compute Engine VM with Ansible, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Put it on a VM on Google Cloud at api.example.com, keep 7 days of backups");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    for (const [id, want] of [
      ["cloud", /Google Cloud server in Terraform: a Compute Engine VM/],
      ["vm", /Ansible playbook for the server/],
    ]) {
      const li = await browser.$(`#todo-list li[data-id="${id}"]`);
      assert.equal(await li.getAttribute("data-status"), "done", `the ${id} step is done`);
      assert.match(await li.getText(), want, `the ${id} step names it`);
    }
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS api\.example\.com/, /Firewall/, /Compute Engine VM e2-small[\s\S]*Debian 13/, /Disk snapshots[\s\S]*7 days/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    assert.doesNotMatch(picture, /Cloud Run|Cloud SQL/, "no containers of the cloud's for a server");
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /Compute Engine VM \(e2-small\)/, `the machine is priced: ${cost}`);
    const needs = await browser.$("#requirements").getText();
    for (const want of [/ssh_public_key/, /admin_cidrs/, /DEPLOY_SSH_PUBLIC_KEY/]) {
      assert.match(needs, want, `the checklist asks for ${want}: ${needs}`);
    }
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["infra/gcp/server.tf", "infra/gcp/network.tf", "infra/gcp/dns.tf", "docs/gcp.md", "ansible/site.yml", "docs/vm.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(!tabs.includes("infra/gcp/services.tf"), `no Cloud Run: ${tabs}`);
    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "vm-gcp.png"));
  } finally {
    await stop();
  }
});

// "Deploy it to Kubernetes on AWS" in the real window: the todo list has the manifests' step and
// the cloud step that creates the EKS cluster, both done; the picture runs from the load
// balancer to the EKS Auto Mode cluster and the app's Deployment, with no ECS; the cost is the
// cluster's; the checklist has the deploy role and the subject its job presents, and no
// kubeconfig secret; the proposals hold the manifests and the cluster's Terraform.
test("put a FastAPI service on EKS from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy it to Kubernetes on AWS with autoscaling at api.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    for (const [id, want] of [
      ["kubernetes", /Kubernetes manifests/],
      ["cloud", /AWS cluster in Terraform: EKS in Auto Mode/],
    ]) {
      const li = await browser.$(`#todo-list li[data-id="${id}"]`);
      assert.equal(await li.getAttribute("data-status"), "done", `the ${id} step is done`);
      assert.match(await li.getText(), want, `the ${id} step names it`);
    }
    const picture = await browser.$("#cloud-picture").getText();
    for (const want of [/DNS api\.example\.com/, /Load balancer/, /EKS Auto Mode[\s\S]*Kubernetes 1\.\d+/, /Deployment/]) {
      assert.match(picture, want, `the picture shows ${want}: ${picture}`);
    }
    assert.doesNotMatch(picture, /ECS|Fargate/, "no ECS for a cluster");
    const cost = await browser.$("#cost-table").getText();
    assert.match(cost, /EKS control plane/, `the cluster is priced: ${cost}`);
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /AWS_DEPLOY_ROLE_ARN[\s\S]*environment:production/, `the deploy role and its subject: ${needs}`);
    assert.doesNotMatch(needs, /KUBE_CONFIG/, "no kubeconfig secret");
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["k8s/deployment.yaml", "k8s/hpa.yaml", "infra/aws/cluster.tf", "infra/aws/access.tf", "docs/aws.md", ".github/workflows/ci-cd.yml"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(!tabs.includes("infra/aws/services.tf"), `no ECS: ${tabs}`);
    await until(browser, "the cloud picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cloud-heading");
        h.scrollIntoView({ block: "start" });
        const r = h.getBoundingClientRect();
        return r.height > 0 && r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.pause(500);
    await browser.saveScreenshot(join(shots, "eks.png"));
  } finally {
    await stop();
  }
});
