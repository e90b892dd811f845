// The analysis in the real window: a monorepo's services with their evidence, the folders
// that are not services, and corrections saved to slipway.toml from the app.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { attrs, launch, plainCopy, shots, until, ready } from "./harness.mjs";

const text = async (browser, selector) => (await browser.$(selector).getProperty("textContent")) ?? "";

/** Scrolls the element into the middle of its panel first: the project panel scrolls. */
async function click(browser, selector) {
  await browser.execute((s) => document.querySelector(s)?.scrollIntoView({ block: "center" }), selector);
  await browser.$(selector).click();
}

test("a monorepo's services show with evidence, and a correction lands in slipway.toml", async () => {
  const work = plainCopy("mono-pnpm-turbo");
  const toml = join(work, "slipway.toml");
  const { browser, stop } = await launch([work]);
  try {
    await ready(browser);
    const cards = await attrs(await browser.$$("#services .service"), "data-path");
    assert.deepEqual(cards, ["apps/api", "apps/web"], "each deployable member is its own service");
    const skipped = await attrs(await browser.$$("#services .skipped li"), "data-path");
    assert.deepEqual(skipped, [".", "packages/ui"], "the workspace root and the library are listed as not services");

    const api = '#services .service[data-path="apps/api"]';
    assert.equal(await text(browser, `${api} dd[data-field="port"] .value`), "4000", "the port comes from the code");
    assert.equal(await text(browser, `${api} dd[data-field="framework"] .value`), "express");
    assert.match(await text(browser, `${api} .badges`), /turborepo workspace/);
    // Folded, a service is one line; opened, its fields and evidence.
    await until(browser, "the folded line", async () => (await browser.$(`${api} .service-line`).getText()) === "Express · Node.js 22 · port 4000 · needs postgres");
    assert.equal(await browser.$(`${api} .facts`).isDisplayed(), false, "the fields are folded away");
    await click(browser, `${api} > summary`);
    assert.equal(await browser.$(`${api} .facts`).isDisplayed(), true, "opening the service shows its fields");
    await click(browser, `${api} .evidence summary`);
    const why = await text(browser, `${api} .evidence ul`);
    assert.match(why, /apps\/api\/src\/index\.ts:5/, "the evidence names the file and line of the listen call");
    assert.match(why, /pnpm-lock\.yaml/, "the evidence names the workspace lockfile");

    // Correct the port.
    await click(browser, `${api} button.edit[data-field="port"]`);
    const input = await browser.$(`${api} dd[data-field="port"] input.correction`);
    await input.setValue("8088");
    await click(browser, `${api} dd[data-field="port"] button.save`);
    await until(browser, "the corrected port", async () => (await text(browser, `${api} dd[data-field="port"] .value`)) === "8088");
    assert.match(await browser.$(`${api} dd[data-field="port"]`).getAttribute("class"), /corrected/, "the field is marked as corrected");
    assert.match(await text(browser, "#outcome"), /Saved in slipway\.toml/);
    let saved = readFileSync(toml, "utf8");
    assert.match(saved, /\[services\."apps\/api"\]\nport = 8088\n/, `slipway.toml holds the correction:\n${saved}`);
    await click(browser, `${api} .evidence summary`);
    assert.match(await text(browser, `${api} .evidence ul`), /slipway\.toml:\d+ port set to 8088/, "the correction is cited as evidence");
    await browser.saveScreenshot(join(shots, "analysis.png"));

    // A bad value is refused in words, and the file is left as it was.
    await click(browser, `${api} button.edit[data-field="port"]`);
    await browser.$(`${api} dd[data-field="port"] input.correction`).setValue("eighty");
    await click(browser, `${api} dd[data-field="port"] button.save`);
    await until(browser, "the refusal", async () => /1 to 65535/.test(await text(browser, "#outcome")));
    assert.equal((await browser.$("#outcome").getAttribute("data-kind")), "error");
    assert.equal(readFileSync(toml, "utf8"), saved, "a refused value changes nothing on disk");
    await click(browser, `${api} dd[data-field="port"] button.cancel`);

    // Reset goes back to the detected value and removes the line.
    await click(browser, `${api} dd[data-field="port"] button.reset`);
    await until(browser, "the detected port again", async () => (await text(browser, `${api} dd[data-field="port"] .value`)) === "4000");
    saved = readFileSync(toml, "utf8");
    assert.doesNotMatch(saved, /apps\/api/, `the correction is gone:\n${saved}`);

    // A folder Slipway did not take for a service can be declared one.
    await click(browser, '#services .skipped summary');
    await click(browser, '#services .skipped li[data-path="packages/ui"] button.declare');
    await until(browser, "the declared service", async () => (await browser.$('#services .service[data-path="packages/ui"]').isExisting()));
    assert.match(readFileSync(toml, "utf8"), /\[services\."packages\/ui"\]\nkind = "web"/);
    assert.ok(existsSync(toml));
  } finally {
    await stop();
  }
});
