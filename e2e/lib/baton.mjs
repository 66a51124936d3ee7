// Harness of Baton's browser suite: a real `baton serve` on a fresh data directory, headless
// Chromium through playwright-core, one browser context per member, and the checks every page
// must pass (labels, phone width, dark mode, weight, CSP). Owns: starting and stopping
// processes, the page checks, screenshots. Does not own: what a scenario does (tests/).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The e2e/ directory. */
const E2E = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Screenshots and server logs: CI artifacts, never committed. */
export const ARTIFACTS = join(E2E, 'screenshots');
/** A password every validator accepts. */
export const PASSWORD = 'correct horse battery staple';
/** Debian's Chromium, or another build named by BATON_CHROMIUM. */
const CHROMIUM = process.env.BATON_CHROMIUM || '/usr/bin/chromium';
/** Flags that let Chromium run in a container without a display, GPU or network chatter. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** Environment variables of `baton` that must not leak from the caller into a test server. */
const BATON_VARS = ['BATON_DATA_DIR', 'BATON_DATABASE_URL', 'BATON_LISTEN', 'BATON_DEMO', 'BATON_BASE_URL',
  'BATON_LOG'];
/** Longest `baton serve` may take to print its URL. */
const START_MS = 30_000;
/** Largest page Baton may send (UX: one round trip, under 100 KiB). */
const MAX_PAGE_BYTES = 100 * 1024;
/** The phone width every page must fit without sideways scrolling. */
const PHONE_WIDTH = 375;
/** The desktop viewport every member's browser starts with. */
const DESKTOP = { width: 1280, height: 800 };

mkdirSync(ARTIFACTS, { recursive: true });

/** The `baton` binary: BATON_BIN (set by the cargo bridge) or a debug build next door. */
function batonBin() {
  const bin = process.env.BATON_BIN || join(E2E, '..', 'target', 'debug', 'baton');
  if (!existsSync(bin)) {
    throw new Error(`no baton binary at ${bin}: run the suite with \`cargo test -p baton --test browser\`, ` +
      'or build it (`cargo build -p baton`) and set BATON_BIN');
  }
  return bin;
}

/** `process.env` without the BATON_* variables that would redirect a test server. */
function cleanEnv() {
  const env = { ...process.env };
  for (const name of BATON_VARS) delete env[name];
  return env;
}

/** Runs `baton ARGS…` to completion with `stdin`; resolves to its stdout, rejects on failure. */
function runBaton(args, stdin) {
  return new Promise((done, fail) => {
    const child = spawn(batonBin(), args, { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('error', fail);
    child.on('close', (code) => (code === 0
      ? done(out)
      : fail(new Error(`baton ${args.slice(0, 2).join(' ')} exited ${code}:\n${out}${err}`))));
    child.stdin.end(stdin);
  });
}

/**
 * A running `baton serve` on a fresh temporary data directory, listening on a free loopback
 * port (it binds 127.0.0.1:0 and prints the address it got). Its output goes to
 * screenshots/NAME.server.log. With `bootstrap`, a workspace and owner are created first with
 * `baton admin bootstrap` (so `owner.token` can seed data through the JSON API); without it the
 * install is empty and `/` shows first-run setup. With `demo`, the demo workspace is seeded
 * (`--demo`); with `clockFile`, the server reads "now" from that file (`--clock-file`), so a test
 * moves time by writing an RFC 3339 instant into it. `output()` is what the server printed so
 * far (the demo's API token, for one).
 */
export async function startBaton(name, { bootstrap, demo, clockFile } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
  const dataDir = join(dir, 'data');
  let owner = null;
  if (bootstrap) {
    const out = await runBaton(['admin', 'bootstrap', '--workspace', bootstrap.workspace, '--email', bootstrap.email,
      '--name', bootstrap.name, '--timezone', bootstrap.timezone, '--data-dir', dataDir], `${PASSWORD}\n`);
    owner = JSON.parse(out.trim());
  }
  const extra = [...(demo ? ['--demo'] : []), ...(clockFile ? ['--clock-file', clockFile] : [])];
  const child = spawn(batonBin(), ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extra],
    { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that dies without its after-hooks must not leave a server behind.
  const reap = () => child.kill('SIGKILL');
  process.on('exit', reap);
  let output = '';
  const running = () => child.exitCode === null && child.signalCode === null;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s), keeps its log, removes its data. */
  const stop = async () => {
    if (running()) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', reap);
    writeFileSync(join(ARTIFACTS, `${name}.server.log`), output);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const base = await new Promise((ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`baton serve printed no URL within ${START_MS} ms:\n${output}`)), START_MS);
      const collect = (chunk) => {
        output += chunk;
        const match = /Baton is running at (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          ready(match[1]);
        }
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', (e) => { clearTimeout(timer); fail(e); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`baton serve exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    return { base, owner, stop, output: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The JSON API as `token`, to seed what a test is not about. Resolves to the parsed body. */
export function api(base, token) {
  const call = async (method, path, body) => {
    const response = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
  };
}

/** Headless Chromium; a browser that cannot start fails the suite (it never skips). */
export async function launchBrowser() {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (e) {
    throw new Error(`Chromium at ${CHROMIUM} did not start: ${e.message.split('\n')[0]}\n` +
      'Install it with `apt-get install -y chromium`, or set BATON_CHROMIUM to a Chromium binary.');
  }
}

/** A file name made from a test's words. */
function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Every page checked so far in this test file (paths). */
const checked = new Set();
/** What the page checks found wrong, one line per problem. */
const findings = [];

/**
 * Registers a file's last test: every page the file visited passed the page checks. Failed
 * checks do not stop a story; this test reports them all, named by page and member.
 */
export function testPageChecks(area) {
  test(`${area}: every page visited passes the page checks (labels, phone width, dark mode, weight, CSP)`,
    assertPagesPassed);
}

/** Fails with every problem the page checks found in this file, if any; needs pages checked. */
function assertPagesPassed() {
  assert.ok(checked.size > 0, 'no page was checked');
  const problems = [...new Set(findings)];
  if (problems.length > 0) {
    assert.fail(`${problems.length} problems on the ${checked.size} pages checked:\n- ${problems.join('\n- ')}`);
  }
}

/**
 * One person at one browser: their own context (cookies), a desktop viewport, their time zone,
 * and a record of what their page did. Every page they land on can be checked with `check()`.
 */
export class Member {
  /** Opens a new context for `who` ("owner", "ada"…) in `timezoneId`. */
  static async open(browser, base, who, timezoneId = 'UTC') {
    const context = await browser.newContext({ baseURL: base, viewport: DESKTOP, timezoneId, locale: 'en-GB' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    return new Member(who, context, page);
  }

  constructor(who, context, page) {
    this.who = who;
    this.context = context;
    this.page = page;
    /** Console errors about the Content-Security-Policy, and uncaught script errors. */
    this.problems = [];
    /** The last main-frame document response (the page now shown). */
    this.document = null;
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        this.problems.push(`CSP violation on ${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => this.problems.push(`script error on ${page.url()}: ${error.message}`));
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
        this.document = response;
      }
    });
  }

  /** Opens `path`, checks the page (see `check`) and returns the HTTP status it came with. */
  async goto(path) {
    await this.page.goto(path);
    return this.check();
  }

  /** Clicks `locator` (a submit button or link), waits for the page it leads to, checks it. */
  clickThrough(locator) {
    return this.follow(() => locator.click());
  }

  /** Runs `action` (a click, a key), waits for the page it leads to, checks it. */
  async follow(action) {
    const { page } = this;
    await Promise.all([page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame()), action()]);
    return this.check();
  }

  /**
   * The checks every page must pass: sent with a Content-Security-Policy; under 100 KiB of
   * HTML; every form control labelled; no sideways scrolling at 375 px; dark mode changes the
   * page background; no CSP violation and no script error. A failed check is recorded, not
   * thrown, so a story goes on and `testPageChecks` reports every page's problems at once.
   * Returns the page's HTTP status.
   */
  async check() {
    const { page } = this;
    await page.waitForLoadState('load');
    const where = new URL(page.url()).pathname;
    assert.ok(this.document, `no document response recorded for ${where}`);
    checked.add(where);
    const fail = (problem) => findings.push(`${where} (as ${this.who}): ${problem}`);

    if (!this.document.headers()['content-security-policy']) fail('no Content-Security-Policy header');
    const bytes = (await this.document.body()).length;
    if (bytes >= MAX_PAGE_BYTES) fail(`the HTML weighs ${bytes} bytes, over ${MAX_PAGE_BYTES}`);

    const unlabelled = await page.evaluate(() => Array.from(
      document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea'),
    ).filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
      .map((c) => c.outerHTML.slice(0, 100)));
    for (const control of unlabelled) fail(`a form control has no label: ${control}`);

    await page.setViewportSize({ width: PHONE_WIDTH, height: DESKTOP.height });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scrollWidth > PHONE_WIDTH) {
      const shotName = slug(`phone-${this.who}${where}`);
      await this.shoot(shotName);
      fail(`scrolls sideways on a phone: ${scrollWidth}px wide at ${PHONE_WIDTH}px (see screenshots/${shotName}.png)`);
    }
    await page.setViewportSize(DESKTOP);

    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    if (dark === light) fail(`dark mode does not change the background (${light})`);

    for (const problem of this.problems.splice(0)) fail(problem);
    return this.document.status();
  }

  /** Saves a full-page screenshot as screenshots/NAME.png. */
  async shoot(name) {
    await this.page.screenshot({ path: join(ARTIFACTS, `${slug(name)}.png`), fullPage: true });
  }

  /** Signs in through the sign-in form; lands wherever Baton sends a signed-in member. */
  async signIn(email, password = PASSWORD) {
    assert.equal(await this.goto('/signin'), 200);
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    return this.clickThrough(this.page.getByRole('button', { name: 'Sign in' }));
  }

  /** Closes this member's browser context. */
  async close() {
    await this.context.close();
  }
}

/** The text a page shows, whitespace collapsed, for assertions on what a person reads. */
export async function visibleText(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * A story told in steps: each `step(name, member, fn)` is a subtest of `t` that runs `fn`, then
 * saves the member's page as screenshots/PREFIX-NN-NAME.png (also when it failed). Once a step
 * fails the later ones are skipped, since each builds on the one before.
 */
export function story(t, prefix) {
  let failed = null;
  let count = 0;
  return async (name, member, fn) => {
    count += 1;
    const label = `${String(count).padStart(2, '0')} ${name}`;
    const skip = failed ? `step "${failed}" failed` : false;
    await t.test(label, { skip }, async () => {
      try {
        await fn();
      } catch (e) {
        failed = name;
        throw e;
      } finally {
        await member.shoot(`${prefix}-${label}`);
      }
    });
  };
}

/** Runs `fn`, then saves `member`'s page as screenshots/NAME.png, also when `fn` failed. */
export async function shot(member, name, fn) {
  try {
    await fn();
  } finally {
    await member.shoot(name);
  }
}
