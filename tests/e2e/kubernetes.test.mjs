// The seed's third example in the real window: "Deploy this service to Kubernetes with
// autoscaling" on a FastAPI service with /health and /ready. The picture of what will run
// (Ingress, Service, Deployment and its autoscaler bounds, the rollout) shows beside the diffs,
// and the Deployment's diff holds the probes on the detected paths. Then the same with a canary:
// the Rollout in the picture and its diff; a canary that Istio splits, synced by Argo CD; and a
// blue-green for clusters without Argo, whose Service the pipeline switches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { attrs, fixtureRepo, launch, shots, until, ready } from "./harness.mjs";

test("deploy a FastAPI service to Kubernetes with autoscaling, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy this service to Kubernetes with autoscaling on api.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const ids = await attrs(await browser.$$("#todo-list li"), "data-id");
    assert.ok(ids.includes("kubernetes"), `a Kubernetes step is on the list: ${ids}`);
    assert.deepEqual(ids.slice(-2), ["reflect", "ship"], "reflection, then commit and push, last");

    // The picture of what will run.
    assert.equal(await browser.$("#cluster-picture").isDisplayed(), true, "the cluster picture shows for a Kubernetes task");
    assert.equal(await browser.$("#pipeline-heading").isDisplayed(), false, "no empty pipeline picture for a task without a pipeline");
    const row = await browser.$('#cluster-picture .lane[data-deployment="catalog"]').getText();
    assert.match(row, /https:\/\/api\.example\.com/, "traffic comes in on the asked host");
    assert.match(row, /Ingress \(traefik\)/, "through an Ingress of a named class");
    assert.match(row, /Service catalog[\s\S]*port 8000/, "to a ClusterIP Service on the detected port");
    assert.match(row, /2 to 10 at 70% CPU/, "the autoscaler's bounds");
    assert.match(row, /rolling/, "the rollout strategy in words");
    const needs = await browser.$("#requirements").getText();
    assert.match(needs, /DATABASE_URL[\s\S]*Kubernetes Secret catalog-secrets in namespace project/, `the cluster's Secret is on the checklist: ${needs}`);
    const label = await browser.$("#cluster-picture").getAttribute("aria-label");
    assert.match(label, /api\.example\.com to catalog/, "the picture has a text alternative");

    // The diffs.
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["k8s/deployment.yaml", "k8s/service.yaml", "k8s/hpa.yaml", "k8s/ingress.yaml", "k8s/pdb.yaml", "docs/kubernetes.md"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    await browser.$('#file-tabs .file-tab[data-path="k8s/deployment.yaml"]').click();
    const diff = await until(browser, "the Deployment's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /readinessProbe/.test(t) && t;
    });
    assert.match(diff, /path: \/ready/, "readiness on /ready");
    assert.match(diff, /path: \/health/, "liveness on /health");
    assert.match(diff, /maxUnavailable: 0/, "zero-downtime rollouts");
    assert.ok(!existsSync(join(repo.work, "k8s")), "nothing is written before Apply");

    await until(browser, "the cluster picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cluster-heading");
        h.scrollIntoView({ block: "center" });
        const r = h.getBoundingClientRect();
        return r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.saveScreenshot(join(shots, "kubernetes.png"));
  } finally {
    await stop();
  }
});

test("a canary with Argo Rollouts, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy this service to Kubernetes with autoscaling and a canary on api.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="kubernetes"]').getText();
    assert.match(step, /Argo Rollouts canary/, `the step says how it rolls out: ${step}`);
    const row = await browser.$('#cluster-picture .lane[data-deployment="catalog"]').getText();
    assert.match(row, /Rollout catalog/, `the Rollout owns the pods: ${row}`);
    assert.match(row, /canary with Argo Rollouts, by pod count: 10% of pods, checked/, "the canary's steps in words");
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["k8s/rollout.yaml", "k8s/analysistemplate.yaml", "k8s/deployment.yaml"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    await browser.$('#file-tabs .file-tab[data-path="k8s/rollout.yaml"]').click();
    const diff = await until(browser, "the Rollout's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /workloadRef/.test(t) && t;
    });
    assert.match(diff, /canaryService: catalog-canary/, "a Service for the new pods");
    assert.match(diff, /templateName: catalog-smoke/, "the check before traffic moves on");
    await until(browser, "the cluster picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cluster-heading");
        h.scrollIntoView({ block: "center" });
        const r = h.getBoundingClientRect();
        return r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.saveScreenshot(join(shots, "kubernetes-canary.png"));
  } finally {
    await stop();
  }
});

test("a canary that Istio splits, synced by Argo CD, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser
      .$("#task-input")
      .setValue("Deploy this service to Kubernetes with autoscaling and a canary in the Istio mesh on api.example.com, synced by Argo CD");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="kubernetes"]').getText();
    assert.match(step, /canary that Istio splits by request/, `the step says who splits: ${step}`);
    const row = await browser.$('#cluster-picture .lane[data-deployment="catalog"]').getText();
    assert.match(row, /canary with Argo Rollouts and Istio: 10% of requests, checked/, `the split in words: ${row}`);
    for (const [field, value] of [["mesh", "istio"], ["gitops", "argocd"]]) {
      const v = await browser.$(`#spec-fields dd[data-field="${field}"] .value`).getText();
      assert.equal(v, value, `What Slipway understood shows ${field}`);
    }
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["k8s/virtualservice.yaml", "k8s/destinationrule.yaml"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(tabs.some((t) => /^gitops\/argocd\/[a-z0-9-]+\.yaml$/.test(t)), `an Argo CD Application is proposed: ${tabs}`);
    await browser.$('#file-tabs .file-tab[data-path="k8s/virtualservice.yaml"]').click();
    const diff = await until(browser, "the VirtualService's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /host: catalog-canary/.test(t) && t;
    });
    assert.match(diff, /weight: 100/, "the stable pods take every request at rest");
    await until(browser, "the cluster picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cluster-heading");
        h.scrollIntoView({ block: "center" });
        const r = h.getBoundingClientRect();
        return r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.saveScreenshot(join(shots, "kubernetes-istio.png"));
  } finally {
    await stop();
  }
});

test("a blue-green without Argo, from the window", async () => {
  const repo = fixtureRepo("python-fastapi-k8s");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy this service to Kubernetes with autoscaling and blue-green without Argo on api.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const step = await browser.$('#todo-list li[data-id="kubernetes"]').getText();
    assert.match(step, /blue-green for clusters without Argo/, `the step says how it switches: ${step}`);
    const understood = await browser.$("#spec-fields").getText();
    assert.match(understood, /rollouts[\s\S]*kubectl/, `the spec shows who switches: ${understood}`);
    const row = await browser.$('#cluster-picture .lane[data-deployment="catalog"]').getText();
    assert.match(row, /Deployments \(blue, green\) catalog/, `two slots own the pods: ${row}`);
    assert.match(row, /checked through the preview Service, then the Service switches/, "the switch in words");
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["k8s/deployment-blue.yaml", "k8s/deployment-green.yaml", "k8s/service-preview.yaml", "k8s/checks/smoke-job.yaml"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    assert.ok(!tabs.some((t) => /rollout\.yaml$/.test(t)), `no Argo Rollout: ${tabs}`);
    await browser.$('#file-tabs .file-tab[data-path="k8s/service.yaml"]').click();
    const diff = await until(browser, "the Service's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /slot: blue/.test(t) && t;
    });
    assert.match(diff, /The slot that serves/, "the selector says who switches it");
    await until(browser, "the cluster picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cluster-heading");
        h.scrollIntoView({ block: "center" });
        const r = h.getBoundingClientRect();
        return r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.saveScreenshot(join(shots, "kubernetes-blue-green.png"));
  } finally {
    await stop();
  }
});

test("a canary whose error rate Prometheus watches, from the window", async () => {
  // The FastAPI service counts its requests with prometheus-fastapi-instrumentator.
  const repo = fixtureRepo("python-fastapi-metrics");
  const { browser, stop } = await launch([repo.work]);
  try {
    await ready(browser);
    await browser.$("#task-input").setValue("Deploy this service to Kubernetes with autoscaling and a canary on orders.example.com");
    await browser.$("#run-button").click();
    await until(browser, "the reflection step to finish", async () => {
      const li = await browser.$('#todo-list li[data-id="reflect"]');
      return (await li.isExisting()) && (await li.getAttribute("data-status")) === "done";
    });
    const prometheus = await browser.$('#spec-fields dd[data-field="prometheus"]').getText();
    assert.match(prometheus, /prometheus-operated\.monitoring\.svc:9090/, `What Slipway understood names the Prometheus: ${prometheus}`);
    assert.match(prometheus, /default: orders counts its requests \(prometheus-fastapi-instrumentator\)/, "and says why");
    const row = await browser.$('#cluster-picture .lane[data-deployment="orders"]').getText();
    assert.match(row, /error rate watched in Prometheus/, `the picture says the canary's error rate is watched: ${row}`);
    const tabs = await attrs(await browser.$$("#file-tabs .file-tab"), "data-path");
    for (const f of ["k8s/podmonitor.yaml", "k8s/analysistemplate.yaml", "k8s/rollout.yaml"]) {
      assert.ok(tabs.includes(f), `${f} is proposed: ${tabs}`);
    }
    await browser.$('#file-tabs .file-tab[data-path="k8s/analysistemplate.yaml"]').click();
    const diff = await until(browser, "the error-rate check's diff", async () => {
      const t = await browser.$("#diff-view").getText();
      return /orders-errors/.test(t) && t;
    });
    assert.match(diff, /http_requests_total/, "the query reads the library's own counter");
    assert.match(diff, /result\[0\] <= 0\.01/, "and fails above 1%");
    await until(browser, "the cluster picture in view", () =>
      browser.execute(() => {
        const h = document.getElementById("cluster-heading");
        h.scrollIntoView({ block: "center" });
        const r = h.getBoundingClientRect();
        return r.top > 0 && r.bottom < window.innerHeight;
      }),
    );
    await browser.saveScreenshot(join(shots, "kubernetes-prometheus.png"));
  } finally {
    await stop();
  }
});
