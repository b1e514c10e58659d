/**
 * Admin UI v2 (#16) in headless Chromium against the real server with a scripted engine, at 1280×800 and
 * 390×844: sign-out ends the other tabs' streams (item 4), the "What now" panel per state with controls
 * enabled only when the supervisor accepts them (item 2), and the operations views (item 7). axe-core
 * reports no serious/critical violation on the new views.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { join } from 'node:path';
import { axeSerious, browserSuite, ROOT, shot, signIn, waitActive, HOLD_STILL_ENV, ME } from './helpers.js';
import type { StatusSummary } from '../../src/runtime/index.js';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const suite = browserSuite();

async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; ctx: BrowserContext; errors: string[] }> {
  const { page, errors } = await suite.page({ viewport, colorScheme: 'light', locale: 'en-GB', timezoneId: 'Europe/London' }, 10_000);
  return { page, ctx: page.context(), errors };
}

describe('admin UI v2 (browser)', () => {
  it('sign-out in one tab ends the stream of every other tab of that session: it lands on the sign-in page', async () => {
    const engine = scriptedEngine();
    const t = suite.cleanup(await startTestApp(HOLD_STILL_ENV, { engine: engine.factory, sseHeartbeatMs: 60_000 }));
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

  it('"What now" leads with what the state asks for; controls are enabled exactly when the supervisor accepts them', async () => {
    const engine = scriptedEngine();
    const t = suite.cleanup(await startTestApp({ ...HOLD_STILL_ENV, WA_STUCK_RETRY_MS: '600000' }, { engine: engine.factory, sseHeartbeatMs: 1000 }));
    const app = t;
    const pages: { name: string; page: Page; errors: string[]; height: number }[] = [];
    for (const [name, vp] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const p = await openPage(vp);
      await signIn(p.page, app.url);
      pages.push({ name, page: p.page, errors: p.errors, height: vp.height });
    }
    const title = (page: Page) => page.getByTestId('what-now-title').textContent();
    /** Every control is enabled iff the server's status says the command is accepted now. */
    const controlsMatchServer = async () => {
      const st = (await (await app.api('/api/status')).json()) as StatusSummary;
      const ids = { RESTART: 'btn-restart', FORCE_RESYNC: 'btn-resync', RESET: 'btn-reset', LOGOUT: 'btn-logout-wa' } as const;
      for (const { name, page } of pages) {
        for (const [cmd, id] of Object.entries(ids)) {
          await expect.poll(() => page.getByTestId(id).isEnabled(), { message: `${name} ${id}` }).toBe(st.commands[cmd as keyof typeof ids]);
        }
      }
      return st;
    };

    // First run: the QR is the main element, inside the first screen on both sizes.
    engine.emit({ type: 'ENGINE.QR', qr: '2@first-run-qr' });
    for (const { name, page, height } of pages) {
      await expect.poll(() => title(page)).toBe('Link this server to WhatsApp');
      await expect.poll(() => page.getByTestId('qr-img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      const box = await page.getByTestId('qr-img').boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.y + box!.height / 2, `${name}: QR centre above the fold`).toBeLessThan(height);
      await shot(page, `41-what-now-qr-${name}`);
    }
    let st = await controlsMatchServer();
    expect(st.commands.FORCE_RESYNC).toBe(false);
    expect(await pages[0]!.page.getByTestId('btn-resync').getAttribute('aria-describedby')).toBeTruthy();
    expect(await pages[0]!.page.locator('#ctl-why-FORCE_RESYNC').textContent()).toMatch(/Not possible until a phone is linked\./);
    expect(await axeSerious(pages[0]!.page)).toEqual([]);

    // Backoff after a 428: the cause in words and a countdown; the trail says the code too.
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    for (const { page } of pages) await expect.poll(() => title(page)).toBe('Connected');
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'Connection Closed', selfInflicted: false });
    for (const { name, page } of pages) {
      await expect.poll(() => title(page)).toBe('Connection lost — reconnecting by itself');
      expect(await page.getByTestId('what-now-what').textContent()).toContain('428 connection lost');
      await expect.poll(() => page.getByTestId('what-now-countdown').textContent()).toMatch(/^Next attempt in (1 min \d\d|2 min 00) s$/);
      expect(await page.getByTestId('what-now-action').textContent()).toBe('Reconnect now');
      await shot(page, `42-what-now-backoff-${name}`);
    }
    // `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/ui/v2.test.ts` refreshes the README's overview pictures:
    // what a person sees in the window (no full-page stitching), desktop and phone.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      await waitActive(pages[0]!.page, 'connection.connecting.backoff');
      for (const { name, page } of pages) {
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: join(ROOT, name === 'desktop' ? 'docs/admin-overview.png' : 'docs/admin-overview-phone.png') });
      }
    }
    await waitActive(pages[0]!.page, 'connection.connecting.backoff');
    await expect
      .poll(() => pages[0]!.page.locator('[data-edge-label="connection.open->connection.connecting.backoff"]').textContent())
      .toBe('428 connection lost → backoff 2 min 00 s');
    await expect.poll(() => pages[1]!.page.getByTestId('timeline').textContent()).toContain('428 connection lost → backoff 2 min 00 s');
    st = await controlsMatchServer();
    expect(st.commands.RESTART).toBe(true);

    // Stuck after a 403: why, what to do, and the one button — which gets it out of stuck.
    engine.emit({ type: 'ENGINE.CLOSED', code: 403, reason: 'forbidden', selfInflicted: false });
    for (const { name, page } of pages) {
      await expect.poll(() => title(page)).toBe('Stuck — needs you');
      expect(await page.getByTestId('what-now-what').textContent()).toMatch(/403 forbidden/);
      expect(await page.getByTestId('what-now-todo').textContent()).toMatch(/Open WhatsApp on the phone/);
      await expect.poll(() => page.getByTestId('what-now-countdown').textContent()).toMatch(/^Next automatic try in (9|10) min/);
      await shot(page, `43-what-now-stuck-${name}`);
    }
    await controlsMatchServer();
    for (const { name, page } of pages) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        // Colours are read once the theme's CSS transitions (buttons fade their background) are over.
        await expect.poll(() => page.evaluate(() => document.getAnimations().filter((a) => a instanceof CSSTransition && a.playState === 'running').length)).toBe(0);
        expect(await axeSerious(page), `stuck ${name} ${scheme}`).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
    const action = pages[0]!.page.getByTestId('what-now-action');
    expect(await action.textContent()).toBe('Try to reconnect');
    await action.click();
    for (const { page } of pages) await expect.poll(() => title(page)).toBe('Connecting to WhatsApp…');

    // 401: the phone unlinked this device; the way back is the new QR.
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    engine.emit({ type: 'ENGINE.CLOSED', code: 401, reason: 'logged out', selfInflicted: false });
    engine.emit({ type: 'ENGINE.QR', qr: '2@after-unlink' });
    for (const { name, page } of pages) {
      await expect.poll(() => title(page)).toBe('Your phone unlinked this device');
      expect(await page.getByTestId('what-now-todo').textContent()).toMatch(/Scan the new code/);
      await page.getByTestId('qr-img').waitFor({ state: 'visible' });
      await shot(page, `44-what-now-unlinked-${name}`);
    }
    await controlsMatchServer();
    for (const { errors } of pages) expect(errors).toEqual([]);
  }, 120_000);

  it('Operations: MCP endpoint and client configs with a token placeholder (never the token), store statistics, the event log newest first with filters', async () => {
    const engine = scriptedEngine();
    const t = suite.cleanup(await startTestApp(HOLD_STILL_ENV, { engine: engine.factory, sseHeartbeatMs: 1000 }));
    const app = t;
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'Connection Closed', selfInflicted: false });
    expect((await app.api('/api/restart-wa', { method: 'POST' })).status).toBe(202);
    // The restarted worker starts its engine asynchronously: emit once it runs.
    await eventually(() => {
      try {
        engine.emit({ type: 'ENGINE.OPEN', me: ME });
        return true;
      } catch {
        return false;
      }
    });
    await app.app.runtime.waitFor((s) => s.state === 'open', 5_000);
    const ops = (await (await app.api('/api/ops')).json()) as { stats: { messages: number; chats: number; dbBytes: number } };
    expect(ops.stats.dbBytes).toBeGreaterThan(0);

    for (const [name, vp] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const { page, errors } = await openPage(vp);
      await signIn(page, app.url);
      await page.locator('[data-route=operations]').click();
      await expect.poll(() => page.locator('[data-route=operations]').getAttribute('aria-current')).toBe('page');
      await expect.poll(() => page.getByTestId('mcp-url').textContent()).toBe(`${app.url}/mcp`);
      const http = JSON.parse((await page.getByTestId('config-http').textContent())!) as { mcpServers: { whatsapp: { url: string; headers: Record<string, string> } } };
      expect(http.mcpServers.whatsapp.url).toBe(`${app.url}/mcp`);
      expect(http.mcpServers.whatsapp.headers.Authorization).toBe('Bearer <MCP_AUTH_TOKEN>');
      const stdio = JSON.parse((await page.getByTestId('config-stdio').textContent())!) as { mcpServers: { whatsapp: { args: string[]; env: Record<string, string> } } };
      expect(stdio.mcpServers.whatsapp.args.at(-1)).toBe('--stdio');
      expect(stdio.mcpServers.whatsapp.env.DATA_DIR).toBe(app.dataDir);
      // The token itself is nowhere on the page.
      expect(await page.content()).not.toContain('mcp-secret-token');

      const stats = page.getByTestId('store-stats');
      await expect.poll(() => stats.locator('.stat').count()).toBe(7);
      expect(await stats.locator('.stat', { hasText: 'Messages' }).locator('dd').textContent()).toBe(ops.stats.messages.toLocaleString('en-GB'));
      expect(await stats.locator('.stat', { hasText: 'Database size' }).locator('dd').textContent()).toMatch(/\d (B|KB|MB)$/);

      // Newest first, one line per event; filters narrow it down.
      const log = page.getByTestId('event-log');
      await expect.poll(() => log.locator('.log-item').count()).toBeGreaterThan(4);
      const times = await log.locator('.log-item time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const heights = await log.locator('.log-item').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
      expect(Math.max(...heights), 'one line per event').toBeLessThan(40);
      expect(await log.locator('.log-item', { hasText: '428 connection lost → backoff' }).count()).toBe(1);
      await page.getByTestId('log-kind').selectOption('operator');
      await expect.poll(async () => [...new Set(await log.locator('.log-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-event'))))]).toEqual(['RESTART']);
      await page.getByTestId('log-kind').selectOption('all');
      await page.getByTestId('log-actor').selectOption('supervisor');
      await expect.poll(async () => (await log.locator('.log-item .log-actor').allTextContents()).every((a) => a === 'supervisor')).toBe(true);
      await page.getByTestId('log-actor').selectOption('');
      await page.getByTestId('log-text').fill('428');
      await expect.poll(() => log.locator('.log-item').count()).toBe(1);
      await page.getByTestId('log-text').fill('');
      // Nothing sticks out sideways (a phone would scroll the whole page).
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} page width`).toBeLessThanOrEqual(vp.width);
      await shot(page, `45-operations-${name}`);
      expect(await axeSerious(page), `operations ${name}`).toEqual([]);
      expect(errors).toEqual([]);
    }
  }, 120_000);
});
