/**
 * The admin UI against the built-in WhatsApp simulator (real Baileys socket): the operator pairs by
 * pressing "scan", the diagram follows connecting → open without a reload, injected faults light up the
 * recovery path, and a delivered message shows up in the chats viewer.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { newContext, prepareBrowser, shot, signIn, waitActive } from './helpers.js';

let browser: Browser;
let t: TestApp | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await prepareBrowser();
}, 120_000);
afterAll(async () => {
  await context?.close();
  await t?.stop();
  await browser?.close();
});

describe('admin UI with the simulator', () => {
  it('scan → open, a 428 → reconnect path → open, corrupt app state → soft-resync, a message in chats', async () => {
    t = await startTestApp({ WA_SIMULATOR: '1', WA_SIMULATOR_AUTOPAIR: '0', WA_BACKOFF_BASE_MS: '1500', WA_BACKOFF_JITTER: '0' });
    context = await newContext(browser, { viewport: { width: 1360, height: 900 }, colorScheme: 'light', locale: 'en-GB' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, t.url);
    const panel = page.getByTestId('simulator-panel');
    await panel.waitFor({ state: 'visible' });

    await waitActive(page, 'connection.connecting.awaiting-qr');
    await expect.poll(() => page.getByTestId('qr-img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    await shot(page, '30-sim-qr');
    await page.getByTestId('sim-scan').click();
    await waitActive(page, 'connection.open');
    await page.getByTestId('qr-success').waitFor({ state: 'visible' });
    await shot(page, '31-sim-open');

    await panel.locator('[data-fault=close]').click();
    // The reconnect path, back to open by itself: every edge of the detour stays in the trail, in words.
    await expect.poll(() => page.getByTestId('last-disconnect').textContent()).toMatch(/428/);
    await waitActive(page, 'connection.open');
    const trail = ['connection.open->connection.connecting.backoff', 'connection.connecting.backoff->connection.connecting.handshake', 'connection.connecting->connection.open'];
    for (const id of trail) await page.locator(`.edge.trail[data-edge="${id}"]`).waitFor({ state: 'attached' });
    expect(await page.locator(`[data-edge-label="${trail[0]}"]`).textContent()).toMatch(/^428 connection lost → backoff \d s$/);
    expect(await page.locator(`[data-edge-label="${trail[1]}"]`).textContent()).toBe('backoff over → handshake');
    await shot(page, '32-sim-428');

    await panel.locator('[data-fault="corrupt-app-state"]').click();
    // The repair can be over within a second (resync → reconnect → open), so look for the step in the log.
    const log = page.getByTestId('event-log');
    await log.locator('.log-item', { hasText: 'ENGINE.APP_STATE_FAILURE' }).filter({ hasText: 'open → soft-resync' }).waitFor();
    await waitActive(page, 'connection.open');
    // However fast the repair was, its first step is in the trail.
    await page.locator('.edge.trail[data-edge="connection.open->connection.soft-resync"]').waitFor({ state: 'attached' });
    await shot(page, '33-sim-soft-resync');

    await page.getByTestId('sim-text').fill('hello from the simulator');
    await panel.getByRole('button', { name: 'Deliver' }).click();
    await expect.poll(() => page.getByTestId('sim-result').textContent()).toMatch(/Deliver message: sent/);
    await page.locator('[data-route=chats]').click();
    await page.locator('[data-jid]').first().click();
    await expect.poll(async () => (await page.locator('.msg-body').allTextContents()).join('|')).toContain('hello from the simulator');
    await shot(page, '34-sim-chat');
    expect(errors).toEqual([]);
  }, 60_000);
});
