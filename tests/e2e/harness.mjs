// Shared set-up for the end-to-end tests: a real project in a temporary git repository with a
// bare remote, tauri-driver on 127.0.0.1, and a WebDriver session on the release app.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const app = join(repoRoot, "target/release/slipway-app");
export const shots = join(repoRoot, "target/e2e");

export function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

/** Copies a fixture into a fresh folder that is not a git repository. */
export function plainCopy(name) {
  const dir = join(mkdtempSync(join(tmpdir(), "slipway-e2e-")), "project");
  cpSync(join(repoRoot, "tests/fixtures", name), dir, { recursive: true });
  return dir;
}

/** Copies a fixture into a fresh git repository with one commit and a bare `origin`. */
export function fixtureRepo(name) {
  const base = mkdtempSync(join(tmpdir(), "slipway-e2e-"));
  const work = join(base, "project");
  const bare = join(base, "origin.git");
  cpSync(join(repoRoot, "tests/fixtures", name), work, { recursive: true });
  git(base, "init", "-q", "--bare", "-b", "main", bare);
  git(work, "init", "-q", "-b", "main");
  git(work, "config", "user.name", "Slipway Test");
  git(work, "config", "user.email", "test@slipway.invalid");
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "Initial import");
  git(work, "remote", "add", "origin", bare);
  git(work, "push", "-q", "-u", "origin", "main");
  return { base, work, bare };
}

async function waitForDriver(port, child) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("tauri-driver did not answer on /status within 30 s");
}

/**
 * Starts tauri-driver and opens the app on `args` (`application`: another executable that
 * starts it). Returns the browser and a stop function.
 */
export async function launch(args, env = {}, application = app) {
  if (!existsSync(app)) throw new Error(`${app} is missing: build it with cargo build --release`);
  mkdirSync(shots, { recursive: true });
  const port = 4444 + Math.floor(Math.random() * 500);
  // A test may pass its own data home to restart the app on the same settings.
  const dataHome = env.XDG_CONFIG_HOME ?? mkdtempSync(join(tmpdir(), "slipway-e2e-data-"));
  // tauri-driver's own chatter (including connection errors when a session ends) goes to a
  // file beside the screenshots, not into the test report.
  const driverLog = openSync(join(shots, "tauri-driver.log"), "a");
  // WebKitWebDriver gets its own port too (tauri-driver's default is fixed), so two test runs
  // on one machine never drive each other's windows.
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1000)], {
    stdio: ["ignore", driverLog, driverLog],
    env: { ...process.env, XDG_DATA_HOME: dataHome, XDG_CONFIG_HOME: dataHome, ...env },
  });
  let browser;
  try {
    await waitForDriver(port, driver);
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "error",
      // One attempt with room to spare: a retried POST /session would start a second window
      // while the first (slow under load, not dead) is still coming up.
      connectionRetryTimeout: 300_000,
      connectionRetryCount: 0,
      capabilities: { "tauri:options": { application, args } },
    });
  } catch (e) {
    // A launch that fails leaves no driver or window behind to keep the run from ending.
    driver.kill();
    await endApps(dataHome);
    throw e;
  }
  const stop = async () => {
    try {
      // A session that already died must not hang the run.
      await Promise.race([browser.deleteSession(), new Promise((r) => setTimeout(r, 5_000))]);
    } catch {
      /* the session is gone either way */
    } finally {
      driver.kill();
    }
    // The app must be gone before the next launch: a window left running (killing the driver
    // does not end its children) would take the next launch's folder as a second instance.
    await endApps(dataHome);
  };
  return { browser, stop, dataHome };
}

/** Process ids of the app instances that run on the data folder `dataHome`. */
function appsOn(dataHome) {
  const pids = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cmd[0] !== app) continue;
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (env.includes(`XDG_DATA_HOME=${dataHome}`)) pids.push(Number(pid));
    } catch {
      /* the process ended while it was read */
    }
  }
  return pids;
}

/** Waits for the app instances on `dataHome` to exit, then ends any that did not. */
async function endApps(dataHome) {
  const deadline = Date.now() + 10_000;
  while (appsOn(dataHome).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const pid of appsOn(dataHome)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  while (appsOn(dataHome).length > 0) await new Promise((r) => setTimeout(r, 50));
}

/** Waits until `check` returns a truthy value, or fails saying what was awaited. */
export async function until(browser, what, check, timeout = 30_000) {
  let last;
  await browser.waitUntil(
    async () => {
      last = await check();
      return Boolean(last);
    },
    { timeout, interval: 100, timeoutMsg: `timed out waiting for ${what}` },
  );
  return last;
}

/** Waits until the UI has started (its first analysis and settings are in). */
export async function ready(browser, what = "the UI to start") {
  await until(browser, what, async () => (await browser.$("body").getAttribute("data-ready")) === "true");
}

/** Points the brain at a model served by `url` (a stand-in), optionally typing its key. */
export async function configureProvider(browser, url, { typeKey = false, key = "" } = {}) {
  await browser.$("#brain-button").click();
  await until(browser, "the settings dialog", async () => await browser.$("#settings").getProperty("open"));
  await browser.$("#provider").selectByAttribute("value", "openai");
  await browser.$("#base-url").setValue(`${url}/v1`);
  await browser.$("#model").setValue("standin-model");
  await browser.$("#settings-save").click();
  await until(browser, "the settings to save", async () => (await browser.$("#settings-message").getText()) === "Saved.");
  if (typeKey) {
    await browser.$("#api-key").setValue(key);
    await browser.$("#save-key").click();
    await until(browser, "the key to be stored", async () => /stored in the keychain/.test(await browser.$("#key-status").getText()));
  }
}

/** Reads one attribute of each element, one request at a time (WebKitWebDriver serves one). */
export async function attrs(elements, name) {
  const out = [];
  for (const e of elements) out.push(await e.getAttribute(name));
  return out;
}

export const standinBin = join(repoRoot, "target/release/slipway-standin");

/**
 * Starts the local stand-in provider (crates/standin) on a script of replies. Returns its URL,
 * the requests it received (method, path, lowercase headers, body) and a stop function.
 */
export async function startStandin(script) {
  if (!existsSync(standinBin)) throw new Error(`${standinBin} is missing: build it with cargo build --release`);
  const dir = mkdtempSync(join(tmpdir(), "slipway-standin-"));
  const scriptPath = join(dir, "script.json");
  const recordPath = join(dir, "requests.jsonl");
  writeFileSync(scriptPath, JSON.stringify(script));
  const child = spawn(standinBin, [scriptPath, recordPath], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolveUrl, reject) => {
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolveUrl(buf.slice(0, nl).trim());
    });
    child.on("exit", (code) => reject(new Error(`slipway-standin exited with ${code}`)));
  });
  const requests = () =>
    existsSync(recordPath)
      ? readFileSync(recordPath, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  return { url, requests, stop: () => child.kill() };
}

/** Every regular file under `dir`, recursively (sockets and the like are left out). */
export function filesUnder(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Runs xdotool on the test's X display. */
export function xdo(...args) {
  return execFileSync("xdotool", args, { encoding: "utf8" }).trim();
}

/** The on-screen rectangle of the first X window whose title is exactly `title`. */
export async function windowRect(title, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    let ids = [];
    try {
      ids = xdo("search", "--onlyvisible", "--name", `^${title}$`).split("\n").filter(Boolean);
    } catch {
      /* none yet: xdotool exits 1 */
    }
    for (const id of ids) {
      const geo = xdo("getwindowgeometry", "--shell", id);
      const v = Object.fromEntries(geo.split("\n").map((l) => l.split("=")));
      if (Number(v.WIDTH) > 50) return { id, x: Number(v.X), y: Number(v.Y), width: Number(v.WIDTH), height: Number(v.HEIGHT) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no window titled ${title} appeared within ${timeout / 1000} s`);
}

/** Starts one of the GTK helpers in this folder and waits for its "ready" line. */
async function helper(script, args) {
  const child = spawn("/usr/bin/python3", [join(here, script), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = [];
  let wake = () => {};
  child.stdout.on("data", (d) => {
    lines.push(...String(d).split("\n").filter(Boolean));
    wake();
  });
  const next = (what, timeout = 10_000) =>
    new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not say ${what} within ${timeout / 1000} s`)), timeout);
      const look = () => {
        const i = lines.findIndex((l) => what.test(l));
        if (i >= 0) {
          clearTimeout(timer);
          resolveLine(lines.splice(i, 1)[0]);
        } else wake = look;
      };
      look();
    });
  await next(/^ready$/);
  return { next, stop: () => child.kill() };
}

export const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Drags `paths` from a GTK window (as a file manager offers them, text/uri-list) onto the point
 * (x, y) of the screen with the real pointer, and says whether the target took the drop.
 */
export async function dragPaths(paths, to) {
  const source = await helper("drag-source.py", ["1090", "740", ...paths]);
  try {
    const from = { x: 1170, y: 785 };
    xdo("mousemove", String(from.x), String(from.y));
    await pause(150);
    xdo("mousedown", "1");
    // Past GTK's drag threshold, then across the screen in steps, as a hand would.
    for (let i = 1; i <= 12; i++) {
      xdo("mousemove", String(Math.round(from.x + ((to.x - from.x) * i) / 12)), String(Math.round(from.y + ((to.y - from.y) * i) / 12)));
      await pause(40);
    }
    xdo("mousemove", String(to.x + 4), String(to.y + 4));
    await pause(300);
    xdo("mouseup", "1");
    return (await source.next(/^(dropped|cancelled)$/)) === "dropped";
  } finally {
    source.stop();
  }
}

/** Holds `text` on the X clipboard while `work` runs. */
export async function withClipboard(text, work) {
  const owner = await helper("clipboard.py", [text]);
  try {
    return await work();
  } finally {
    owner.stop();
  }
}

/**
 * An executable that starts the app the way `launch` should: as is, or, when the tests run as
 * root, without the capabilities that let root read any file, so permissions hold for it as
 * they do for a person's own account.
 */
export function appAsUser() {
  if (process.getuid() !== 0) return app;
  const wrapper = join(mkdtempSync(join(tmpdir(), "slipway-e2e-")), "slipway-app-as-user");
  writeFileSync(wrapper, `#!/bin/sh\nexec setpriv --bounding-set -dac_override,-dac_read_search "${app}" "$@"\n`, { mode: 0o755 });
  return wrapper;
}
