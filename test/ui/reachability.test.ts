/**
 * The connection to the server is part of the truth: stop the server and, within 5 s, every open page
 * (desktop 1280×800 and phone 390×844 at once) says "server unreachable since …", greys the state, disables
 * the controls and stops counting time in state; start it again on the same port and the pages recover by
 * themselves — to the sign-in page, since admin sessions live in the server's memory and a restart ends them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { newContext, prepareBrowser, shot, signIn, waitActive } from './helpers.js';

let browser: Browser;
let t: TestApp | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await prepareBrowser();
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await t?.stop();
  await browser?.close();
});

const COMMANDS = ['btn-restart', 'btn-resync', 'btn-reset', 'btn-logout-wa'];

describe('server reachability (browser)', () => {
  it('stop → "server unreachable" within 5 s on every page, greyed and frozen; restart on the same port → the pages recover by themselves', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory, sseHeartbeatMs: 1000 });
    const port = new URL(t.url).port;
    const pages: { name: string; page: Page; errors: string[] }[] = [];
    for (const vp of [
      { name: 'desktop', width: 1280, height: 800 },
      { name: 'phone', width: 390, height: 844 },
    ]) {
      const ctx = await newContext(browser, { viewport: { width: vp.width, height: vp.height }, colorScheme: 'light', locale: 'en-GB' });
      ctx.setDefaultTimeout(10_000);
      contexts.push(ctx);
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      pages.push({ name: vp.name, page, errors });
    }
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net' } });
    for (const { page } of pages) {
      await signIn(page, t.url);
      await waitActive(page, 'connection.open');
      await page.getByTestId('stream-status').filter({ hasText: 'live' }).waitFor();
      for (const id of COMMANDS) expect(await page.getByTestId(id).isEnabled(), id).toBe(true);
    }

    const stoppedAt = Date.now();
    await t.stop({ keepData: true });
    const dataDir = t.dataDir;
    t = undefined;
    for (const { name, page } of pages) {
      await page.getByTestId('server-unreachable').filter({ hasText: /^Server unreachable since \d\d:\d\d:\d\d\./ }).waitFor({ timeout: 5_000 - (Date.now() - stoppedAt) });
      expect(await page.locator('#app').getAttribute('data-link'), name).toBe('down');
      // Greyed, not live, and nothing to command.
      expect(await page.getByTestId('header-state').evaluate((el) => getComputedStyle(el).filter), name).toContain('grayscale');
      expect(await page.getByTestId('stream-status').textContent(), name).toBe('server unreachable');
      for (const id of COMMANDS) expect(await page.getByTestId(id).isDisabled(), `${name} ${id}`).toBe(true);
      // Time in state stands still at the moment the stream was lost.
      const since = page.locator('.status-card .small');
      const frozen = await since.textContent();
      expect(frozen, name).toContain('last known');
      const pageNow = () => page.evaluate(() => Date.now());
      const t0 = await pageNow();
      await expect.poll(pageNow, { timeout: 5_000 }).toBeGreaterThan(t0 + 1_100);
      expect(await since.textContent(), name).toBe(frozen);
      await shot(page, `50-${name}-server-unreachable`);
    }

    // Back on the same port: each page notices by itself and, its session gone with the old process, asks to sign in.
    t = await startTestApp({ PORT: port }, { engine: scriptedEngine().factory, sseHeartbeatMs: 1000 }, dataDir);
    expect(new URL(t.url).port).toBe(port);
    for (const { name, page, errors } of pages) {
      await page.getByTestId('login-error').filter({ hasText: 'The server restarted' }).waitFor({ timeout: 15_000 });
      await shot(page, `51-${name}-server-back`);
      await signIn(page, t.url);
      await page.getByTestId('stream-status').filter({ hasText: 'live' }).waitFor();
      expect(await page.getByTestId('server-unreachable').isHidden(), name).toBe(true);
      expect(await page.getByTestId('btn-restart').isEnabled(), name).toBe(true);
      expect(errors, name).toEqual([]);
    }
  }, 90_000);
});
