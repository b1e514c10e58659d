/**
 * Browser-test helpers: build the admin bundle when it is missing or older than its sources, launch a
 * Chromium (never one downloaded at run time), and save step screenshots to a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const SHOTS = process.env.UI_SCREENSHOT_DIR ?? join(tmpdir(), 'wa-mcp-ui-shots');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(path)) max = Math.max(max, newestMtime(join(path, e)));
  return max;
}

function isStale(): boolean {
  const dist = join(ROOT, 'web/dist/index.html');
  const sources = Math.max(
    newestMtime(join(ROOT, 'web/src')),
    newestMtime(join(ROOT, 'web/index.html')),
    newestMtime(join(ROOT, 'web/vite.config.ts')),
  );
  return !existsSync(dist) || statSync(dist).mtimeMs < sources;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs `vite build` for the admin UI unless web/dist is newer than every source file. Test files run in
 * parallel workers, so the build is serialised with a lock directory (mkdir is atomic).
 */
export function ensureWebBuild(): void {
  if (!isStale()) return;
  const lock = join(tmpdir(), `wa-mcp-web-build-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than two minutes is left over from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // vanished meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the web build lock ${lock}`);
      sleep(200);
    }
  }
  try {
    if (!isStale()) return;
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'pipe',
      timeout: 120_000,
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const COMMON_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// @sparticuz/chromium's defaults (made for AWS Lambda) relax the browser's security model, which the tests
// rely on (Origin/CSRF as a real browser enforces them), and run it as one process, which dies with the
// first closed context; those flags are dropped.
const UNSAFE_ARGS = /^--(disable-web-security|allow-running-insecure-content|disable-site-isolation-trials|single-process)\b/;

interface ChromiumChoice {
  executablePath: string;
  args: string[];
}

/**
 * The browser, in this order: `CHROMIUM_PATH`, Debian's `/usr/bin/chromium`, then the headless build that
 * the `@sparticuz/chromium` devDependency ships inside its npm package (unpacked to /tmp on first use), so
 * `npm ci && npm test` passes on a machine without a system browser.
 */
async function findChromium(): Promise<ChromiumChoice> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { executablePath: fromEnv, args: ['--headless', '--disable-gpu', ...COMMON_ARGS] };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: ['--headless', '--disable-gpu', ...COMMON_ARGS] };
  const packaged = (await import('@sparticuz/chromium')).default;
  const args = packaged.args.filter((a) => !UNSAFE_ARGS.test(a));
  return { executablePath: await packaged.executablePath(), args: [...new Set([...args, ...COMMON_ARGS])] };
}

let choice: Promise<ChromiumChoice> | null = null;

/** Every browser suite's start: a Chromium found, bundle fresh, browser launched. */
export async function prepareBrowser(): Promise<Browser> {
  ensureWebBuild();
  return launchBrowser();
}

export async function launchBrowser(): Promise<Browser> {
  choice ??= findChromium();
  const { executablePath, args } = await choice;
  return chromium.launch({ executablePath, args });
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  // From the top, so the sticky header sits where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The account the scripted engine opens as in the browser tests. */
export const ME = { id: '447700900001@s.whatsapp.net', name: 'Ops phone' };

/**
 * Long recovery timers without jitter: each state stays put while a test looks at it, and a close's label
 * names a known delay (a 2-minute backoff).
 */
export const HOLD_STILL_ENV: Readonly<Record<string, string>> = {
  WA_BACKOFF_BASE_MS: '120000',
  WA_BACKOFF_MAX_MS: '120000',
  WA_BACKOFF_JITTER: '0',
  WA_DISCONNECT_RECOVERY_DELAY_MS: '300000',
  WA_RESYNC_RECONNECT_DELAY_MS: '300000',
};

/** Signs in through the real form. */
export async function signIn(page: Page, url: string, token = 'admin-secret-token'): Promise<void> {
  await page.goto(`${url}/admin/`);
  await page.getByTestId('token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('header-state').waitFor();
}

/** Where the admin UI keeps the diagram layout it computed (web/src/diagram/index.ts). */
const LAYOUT_KEY = 'wa-mcp.diagram-layout.v1';
let storedLayout: string | null = null;

/**
 * A browser context as a returning visitor has it: once a page of this test file has laid the diagram out
 * (elkjs in its worker: seconds on a loaded machine), later contexts start with that layout in localStorage,
 * as the same browser would on its next visit. The first page of each file always takes the worker path.
 */
export async function newContext(browser: Browser, opts: BrowserContextOptions): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  if (storedLayout) {
    await ctx.addInitScript(
      ([key, value]) => {
        try {
          if (!localStorage.getItem(key)) localStorage.setItem(key, value);
        } catch {
          // opaque origins have no storage
        }
      },
      [LAYOUT_KEY, storedLayout] as const,
    );
  }
  return ctx;
}

/** Waits until the diagram is laid out and shows `leaf` as the active state (drawn, even while a phone shows the timeline). */
export async function waitActive(page: Page, leaf: string): Promise<void> {
  // The first layout of a fresh browser profile waits for elkjs to start (seconds on a loaded machine).
  await page.locator('[data-testid=diagram][data-ready=true]').waitFor({ state: 'attached', timeout: 45_000 });
  storedLayout ??= await page.evaluate((key) => localStorage.getItem(key), LAYOUT_KEY);
  await page.locator(`[data-testid=diagram][data-ready=true] [data-state="${leaf}"].active-leaf`).waitFor({ state: 'attached' });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) in the page and returns the serious and critical violations,
 * each with the selectors it failed on, so a failure message says what to fix.
 */
export async function axeSerious(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/**
 * A TCP pass-through in front of the app that a test can cut: `drop()` kills every open connection and
 * refuses new ones (the browser's EventSource sees the network go away) until `restore()`.
 */
export async function cuttableProxy(target: string): Promise<{ url: string; drop(): void; restore(): void; close(): Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const t = new URL(target);
  const sockets = new Set<import('node:net').Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = connect(Number(t.port), t.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    drop() {
      refusing = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((r) => {
        refusing = true;
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface BrowserSuite {
  /** The file's Chromium, launched once in `beforeAll`. */
  readonly browser: Browser;
  /** A new context (a returning visitor's, see `newContext`) closed after the test, with `timeoutMs` as its default timeout. */
  context(opts: BrowserContextOptions, timeoutMs?: number): Promise<BrowserContext>;
  /** A page in a new context, and the uncaught errors it throws (a test expects none). */
  page(opts: BrowserContextOptions, timeoutMs?: number): Promise<{ page: Page; errors: string[] }>;
  /** Stops `thing` (an app, a simulator) after the test: the newest first, after the contexts closed. */
  cleanup<T extends { stop(): Promise<unknown> }>(thing: T): T;
}

/**
 * A browser test file's lifecycle in one call: one Chromium per file (the launch may unpack
 * @sparticuz/chromium, hence the long `launchTimeoutMs`), and per test its contexts and what it started.
 */
export function browserSuite(launchTimeoutMs = 120_000): BrowserSuite {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const stops: { stop(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    browser = await prepareBrowser();
  }, launchTimeoutMs);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    for (const s of stops.splice(0).reverse()) await s.stop();
  });
  const suite: BrowserSuite = {
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll: use it inside a test');
      return browser;
    },
    async context(opts, timeoutMs) {
      const ctx = await newContext(suite.browser, opts);
      contexts.push(ctx);
      if (timeoutMs !== undefined) ctx.setDefaultTimeout(timeoutMs);
      return ctx;
    },
    async page(opts, timeoutMs) {
      const page = await (await suite.context(opts, timeoutMs)).newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      return { page, errors };
    },
    cleanup(thing) {
      stops.push(thing);
      return thing;
    },
  };
  return suite;
}
