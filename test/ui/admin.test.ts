/**
 * The admin UI in headless Chromium against the real server (port 0) with a scripted WhatsApp engine:
 * sign-in, the live diagram following each lifecycle step without a reload, linking, controls, settings,
 * chats. Screenshots of every step go to $UI_SCREENSHOT_DIR (default: <tmp>/wa-mcp-ui-shots).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { eventually, startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { join } from 'node:path';
import { browserSuite, cuttableProxy, ROOT, shot, signIn, waitActive, HOLD_STILL_ENV, ME } from './helpers.js';

const suite = browserSuite();

async function setup(env: Record<string, string> = {}, viewport = { width: 1360, height: 900 }, colorScheme: 'light' | 'dark' = 'light') {
  const engine = scriptedEngine();
  const app = suite.cleanup(await startTestApp({ ...HOLD_STILL_ENV, ...env }, { engine: engine.factory, sseHeartbeatMs: 1000 }));
  // Fail with a locator message well before the test timeout.
  const { page, errors } = await suite.page({ viewport, colorScheme, locale: 'en-GB', timezoneId: 'Europe/London' }, 8_000);
  return { engine, page, errors, app };
}

/** A marker that survives only as long as the page is not reloaded. */
async function markPage(page: Page) {
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  return async () => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
}

describe('admin UI (browser)', () => {
  it('refuses a wrong token with a clear message, signs in with the right one, and signs out', async () => {
    const { page, errors, app } = await setup();
    const context = page.context();
    await page.goto(`${app.url}/admin/`);
    await page.getByTestId('token').fill('not-the-token');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/not correct/i);
    expect(await page.getByTestId('header-state').count()).toBe(0);
    await shot(page, '01-login-wrong-token');

    await page.getByTestId('token').fill('admin-secret-token');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('header-state').waitFor();
    // The session is a cookie: a reload stays signed in.
    await page.reload();
    await page.getByTestId('header-state').waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.httpOnly && c.sameSite === 'Strict')).toBeTruthy();

    await page.getByTestId('sign-out').click();
    await page.getByTestId('token').waitFor();
    const res = await page.evaluate(async () => (await fetch('/api/state')).status);
    expect(res).toBe(401);
    expect(errors).toEqual([]);
  });

  it('links: the QR panel appears in awaiting-qr and the diagram moves to open without a reload', async () => {
    const { page, engine, errors, app } = await setup();
    await signIn(page, app.url);
    await waitActive(page, 'connection.connecting.handshake');
    const notReloaded = await markPage(page);

    engine.emit({ type: 'ENGINE.QR', qr: '2@scripted-qr-1,abc,def,ghi' });
    await waitActive(page, 'connection.connecting.awaiting-qr');
    await page.getByTestId('qr-card').waitFor({ state: 'visible' });
    expect(await page.getByTestId('state-pill').getAttribute('data-state')).toBe('awaiting-qr');
    // GET /api/qr serves the PNG; the image is replaced when the code rotates.
    await expect.poll(() => page.getByTestId('qr-img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    const v1 = Number(await page.getByTestId('qr-img').getAttribute('data-version'));
    engine.emit({ type: 'ENGINE.QR', qr: '2@scripted-qr-2,abc,def,ghi' });
    await expect.poll(async () => Number(await page.getByTestId('qr-img').getAttribute('data-version'))).toBeGreaterThan(v1);
    await shot(page, '02-awaiting-qr');

    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await waitActive(page, 'connection.open');
    await page.getByTestId('qr-success').waitFor({ state: 'visible' });
    expect(await page.getByTestId('qr-success').textContent()).toContain('+447700900001');
    expect(await page.getByTestId('me').textContent()).toContain('+447700900001');
    const edge = page.locator('.edge-last[data-source="connection.connecting"][data-target="connection.open"]');
    await edge.waitFor({ state: 'attached' });
    expect(await edge.getAttribute('data-last-event')).toBe('ENGINE.OPEN');
    expect(await notReloaded()).toBe(true);
    await shot(page, '03-linked-open');
    expect(errors).toEqual([]);
  });

  it('a 428 close lights up backoff with its edge labelled in words, countdowns and the disconnect code', async () => {
    const { page, engine, app } = await setup();
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await signIn(page, app.url);
    await waitActive(page, 'connection.open');

    engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'connection closed', selfInflicted: false });
    await waitActive(page, 'connection.connecting.backoff');
    // The parent compound state is lit too.
    await page.locator('[data-state="connection.connecting"].active').waitFor();
    const edge = page.locator('.edge-last[data-source="connection.open"][data-target="connection.connecting.backoff"]');
    await edge.waitFor({ state: 'attached' });
    expect(await edge.getAttribute('data-last-event')).toBe('ENGINE.CLOSED');
    // In words, with the code and the backoff it started (2 min, no jitter).
    await expect.poll(() => page.locator('.edge-label-last').textContent()).toBe('428 connection lost → backoff 2 min 00 s');
    await expect.poll(() => page.getByTestId('last-disconnect').textContent()).toMatch(/428/);
    await expect.poll(() => page.locator('[data-testid=timers] [data-timer=backoffUntil]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=timers] [data-timer=watchdogAt]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-badge="connection.connecting.backoff"]').textContent()).toMatch(/retry in \d/);
    expect(await page.getByTestId('event-log').textContent()).toContain('ENGINE.CLOSED');
    await shot(page, '04-backoff-428');
    // `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/ui` refreshes the README's picture of the diagram.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      await page.evaluate(() => document.querySelector<HTMLElement>('.topbar')?.style.setProperty('position', 'static'));
      await page.locator('.diagram-card').screenshot({ path: join(ROOT, 'docs/admin-diagram.png') });
    }
  });

  it('an app-state failure lights up soft-resync, and resync done returns to open', async () => {
    const { page, engine, app } = await setup();
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await signIn(page, app.url);
    await waitActive(page, 'connection.open');

    engine.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular_high', detail: 'failed to find key to decode mutation' });
    await waitActive(page, 'connection.soft-resync');
    const edge = page.locator('.edge-last[data-source="connection.open"][data-target="connection.soft-resync"]');
    await edge.waitFor({ state: 'attached' });
    expect(await edge.getAttribute('data-last-event')).toBe('ENGINE.APP_STATE_FAILURE');
    expect(await page.getByTestId('state-pill').getAttribute('data-state')).toBe('soft-resync');
    await expect.poll(() => page.locator('[data-badge="connection.soft-resync"]').textContent()).toMatch(/deadline/);
    await shot(page, '05-soft-resync');

    engine.emit({ type: 'ENGINE.RESYNC_DONE', collection: 'regular_high' });
    await waitActive(page, 'connection.open');
  });

  it('restart button: running → restarting → a new worker, shown in the result, the log and the diagram', async () => {
    const { page, engine, app } = await setup();
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await signIn(page, app.url);
    await waitActive(page, 'connection.open');
    const startsBefore = engine.starts;

    await page.getByTestId('btn-restart').click();
    await expect.poll(() => page.getByTestId('control-result').textContent()).toMatch(/Reconnect now: accepted/);
    // The result lists the transitions that followed: into restarting and back to running.
    await expect.poll(() => page.getByTestId('control-result').textContent()).toMatch(/running → restarting/);
    await expect.poll(() => page.getByTestId('control-result').textContent()).toMatch(/restarting → running/);
    await waitActive(page, 'connection.connecting.handshake');
    await eventually(() => engine.starts > startsBefore);
    const log = await page.getByTestId('event-log').textContent();
    expect(log).toContain('RESTART');
    await shot(page, '06-restarted');

    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await waitActive(page, 'connection.open');
  });

  it('force resync: disabled with the reason while connecting, accepted when open; then a 403 close → stuck', async () => {
    const { page, engine, app } = await setup({ WA_STUCK_RETRY_MS: '600000' });
    await signIn(page, app.url);
    await waitActive(page, 'connection.connecting.handshake');
    // The supervisor would answer 409: the button is off and says why, so nobody gets an error for trying.
    await expect.poll(() => page.getByTestId('btn-resync').isDisabled()).toBe(true);
    expect(await page.locator('#ctl-why-FORCE_RESYNC').textContent()).toMatch(/Not possible while connecting\./);
    await shot(page, '07-not-possible-now');

    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await waitActive(page, 'connection.open');

    await page.getByTestId('btn-resync').click();
    await waitActive(page, 'connection.soft-resync');
    await expect.poll(() => page.getByTestId('control-result').textContent()).toMatch(/open → soft-resync/);
    expect(engine.commands.some((c) => c.type === 'RESYNC')).toBe(true);

    engine.emit({ type: 'ENGINE.CLOSED', code: 403, reason: 'forbidden', selfInflicted: false });
    await waitActive(page, 'supervisor.stuck');
    // No worker runs while stuck: nothing inside `running` is lit.
    expect(await page.locator('[data-state^="connection"].active').count()).toBe(0);
    await expect.poll(() => page.getByTestId('state-pill').getAttribute('data-state')).toBe('stuck');
    expect(await page.locator('.state-reason').textContent()).toBe('forbidden');
    await expect.poll(() => page.locator('[data-testid=timers] [data-timer=stuckRetryAt]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-badge="supervisor.stuck"]').textContent()).toMatch(/retry in 9 min|retry in 10 min/);
    // Stuck is never healthy, so the readiness grace is not a countdown worth showing.
    expect(await page.locator('[data-testid=timers] [data-timer=graceAt]').count()).toBe(0);
    const edge = page.locator('.edge-last[data-source="supervisor.running"][data-target="supervisor.stuck"]');
    await edge.waitFor({ state: 'attached' });
    expect(await edge.getAttribute('data-last-event')).toBe('xstate.done.actor.connection');
    await shot(page, '07-stuck-403');
  });

  it('logout asks for confirmation, then unlinks and shows the way back to a QR', async () => {
    const { page, engine, app } = await setup();
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await signIn(page, app.url);
    await waitActive(page, 'connection.open');

    await page.getByTestId('btn-logout-wa').click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await shot(page, '08-logout-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(engine.commands.some((c) => c.type === 'LOGOUT')).toBe(false);

    await page.getByTestId('btn-logout-wa').click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Log out WhatsApp' }).click();
    await waitActive(page, 'connection.connecting.handshake');
    await expect.poll(() => page.getByTestId('control-result').textContent()).toMatch(/Unlink WhatsApp: accepted/);
    expect(engine.commands.some((c) => c.type === 'LOGOUT')).toBe(true);
  });

  it('stays correct across a dropped event stream (resyncs from /api/state)', async () => {
    const { page, engine, app } = await setup();
    const proxy = await cuttableProxy(app.url);
    try {
      engine.emit({ type: 'ENGINE.OPEN', me: ME });
      await signIn(page, proxy.url);
      await waitActive(page, 'connection.open');
      await page.getByTestId('stream-status').filter({ hasText: 'live' }).waitFor();

      // Cut the network: the EventSource drops; the page says the server is unreachable, greys the state and
      // disables the controls; what happens meanwhile must show once it is back.
      proxy.drop();
      await page.getByTestId('server-unreachable').filter({ hasText: /Server unreachable since \d\d:\d\d:\d\d/ }).waitFor();
      expect(await page.locator('#app').getAttribute('data-link')).toBe('down');
      expect(await page.getByTestId('stream-status').textContent()).toBe('server unreachable');
      for (const id of ['btn-restart', 'btn-resync', 'btn-reset', 'btn-logout-wa']) expect(await page.getByTestId(id).isDisabled(), id).toBe(true);
      expect(await page.locator('.status-card').textContent()).toContain('last known');
      engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'connection closed', selfInflicted: false });
      expect(await page.locator('[data-state="connection.open"].active-leaf').count()).toBe(1);
      await shot(page, '09-server-unreachable');
      proxy.restore();
      await waitActive(page, 'connection.connecting.backoff');
      await page.getByTestId('stream-status').filter({ hasText: 'live' }).waitFor();
      await page.getByTestId('server-unreachable').waitFor({ state: 'hidden' });
      expect(await page.getByTestId('btn-restart').isEnabled()).toBe(true);
      expect(await page.locator('.status-card').textContent()).not.toContain('last known');
      await expect.poll(() => page.getByTestId('state-pill').getAttribute('data-state')).toBe('connecting');
      expect(await page.locator('.st.active-leaf').count()).toBe(1);
      // The transition missed while offline is the one highlighted now.
      const edge = page.locator('.edge-last[data-source="connection.open"][data-target="connection.connecting.backoff"]');
      await edge.waitFor({ state: 'attached' });
      expect(await edge.getAttribute('data-last-event')).toBe('ENGINE.CLOSED');
      await expect.poll(() => page.getByTestId('event-log').textContent()).toContain('ENGINE.CLOSED');
      await shot(page, '09-after-stream-reconnect');
    } finally {
      await page.context().close();
      await proxy.close();
    }
  });

  it('settings: bad values get human errors (in the page and from the API); only changed fields are sent; unsaved edits ask before leaving; saved values survive a reload; the token stays write-only', async () => {
    const { page, app } = await setup();
    await signIn(page, app.url);
    await page.locator('[data-route=settings]').click();
    const form = page.getByTestId('settings-form');
    await form.locator('#set-upload_max_mb').waitFor();
    const posts: unknown[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/settings') && r.method() === 'POST') posts.push(r.postDataJSON());
    });
    // Out of range: said in words before anything is sent.
    await form.locator('#set-upload_max_mb').fill('5000');
    await page.getByTestId('settings-save').click();
    await form.locator('[data-error-for=upload_max_mb]:not([hidden])').waitFor();
    expect(await form.locator('[data-error-for=upload_max_mb]').textContent()).toBe('Must be at most 2048.');
    expect(await form.locator('#set-upload_max_mb').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error:not([hidden])').count()).toBe(1);
    expect(posts).toEqual([]);
    await shot(page, '10-settings-invalid');
    // A rule only the server knows (no query string in the base URL): its answer in words, next to the field.
    await form.locator('#set-upload_max_mb').fill('64');
    await form.locator('#set-media_public_base_url').fill('https://wa.example.com/?a=1');
    await page.getByTestId('settings-save').click();
    await form.locator('[data-error-for=media_public_base_url]:not([hidden])').waitFor();
    expect(await form.locator('[data-error-for=media_public_base_url]').textContent()).toBe('Must be an http(s) URL without query, fragment or credentials, or "".');
    expect(posts).toHaveLength(1);
    await form.locator('#set-media_public_base_url').fill('');
    // Unsaved edits: leaving asks first; "keep editing" stays with the edits.
    expect(await page.getByTestId('settings-dirty').isVisible()).toBe(true);
    await page.locator('[data-route=chats]').click();
    const leave = page.locator('dialog[open]');
    await leave.waitFor();
    expect(await leave.textContent()).toContain('Leave without saving?');
    await leave.getByRole('button', { name: 'Keep editing' }).click();
    await leave.waitFor({ state: 'detached' });
    // The address is put back once the dialog has answered (a microtask after it closes).
    await expect.poll(() => page.url()).toMatch(/#\/settings$/);
    expect(await form.locator('#set-upload_max_mb').inputValue()).toBe('64');

    await form.locator('#set-upload_max_mb').fill('64');
    await form.locator('#set-require_upload_token').check();
    await form.locator('#set-upload_token').fill('a-new-upload-token');
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/settings') && r.method() === 'POST'),
      page.getByTestId('settings-save').click(),
    ]);
    // A partial update: what the operator changed, nothing else (untouched values stay env/default-driven).
    expect(req.postDataJSON()).toEqual({ upload_max_mb: 64, require_upload_token: true, upload_token: 'a-new-upload-token' });
    await expect.poll(() => page.getByTestId('settings-banner').textContent()).toMatch(/saved/i);

    await page.reload();
    await page.locator('#set-upload_max_mb').waitFor();
    expect(await page.locator('#set-upload_max_mb').inputValue()).toBe('64');
    expect(await page.locator('#set-require_upload_token').isChecked()).toBe(true);
    // Write-only: never echoed back, only "set".
    expect(await page.locator('#set-upload_token').inputValue()).toBe('');
    expect(await page.getByTestId('token-state').textContent()).toBe('set');
    const body = await page.evaluate(async () => (await fetch('/api/settings')).text());
    expect(body).not.toContain('a-new-upload-token');
    await page.getByTestId('settings-save').click();
    await expect.poll(() => page.getByTestId('settings-banner').textContent()).toMatch(/nothing to save/i);
    await shot(page, '10-settings-saved');
    // "Discard changes" in the leave dialog goes, and nothing was saved.
    await form.locator('#set-max_files_per_upload').fill('7');
    await page.locator('[data-route=chats]').click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Discard changes' }).click();
    await page.getByTestId('chat-list').waitFor();
    expect(((await (await app.api('/api/settings')).json()) as { max_files_per_upload: number }).max_files_per_upload).not.toBe(7);
  });

  it('chats viewer over the real store: search, a thread with local times and media labels, export downloads a ZIP', async () => {
    const { page, app } = await setup();
    const alice = '447700900123@s.whatsapp.net';
    const t0 = Date.UTC(2026, 0, 15, 13, 5); // 13:05 in London (winter time)
    app.app.store.chats.upsertChats([
      { id: alice, name: 'Alice Example', timestamp: t0 + 120_000, unreadCount: 1 },
      { id: '447700900124@s.whatsapp.net', name: 'Bob Example', timestamp: t0 },
    ]);
    app.app.store.messages.upsertMessages([
      { chatId: alice, keyId: 'A1', fromMe: false, timestamp: t0, type: 'text', body: 'Lunch?' },
      { chatId: alice, keyId: 'A2', fromMe: true, timestamp: t0 + 60_000, type: 'text', body: 'Sure' },
      { chatId: alice, keyId: 'A3', fromMe: false, timestamp: t0 + 120_000, type: 'image', caption: 'the place', hasMedia: true, mediaMime: 'image/jpeg' },
    ]);
    await signIn(page, app.url);
    await waitActive(page, 'connection.connecting.handshake');
    // Without the simulator the simulator panel stays hidden.
    expect(await page.getByTestId('simulator-panel').isHidden()).toBe(true);
    await page.locator('[data-route=chats]').click();
    await page.locator(`[data-jid="${alice}"]`).waitFor();
    expect(await page.locator('[data-jid]').count()).toBe(2);
    await page.getByTestId('chat-search').fill('bob');
    await expect.poll(() => page.locator('[data-jid]').count()).toBe(1);
    await page.getByTestId('chat-search').fill('');
    await page.locator(`[data-jid="${alice}"]`).click();
    await expect.poll(() => page.locator('.msg').count()).toBe(3);
    expect(await page.locator('.msg-time').allTextContents()).toEqual(['13:05', '13:06', '13:07']);
    expect(await page.locator('.day-sep').allTextContents()).toEqual([expect.stringMatching(/15 January/)]);
    expect(await page.locator('.msg').nth(2).locator('.media-label').textContent()).toBe('Photo');
    expect(await page.locator('.msg-out').count()).toBe(1);
    await shot(page, '11-chats-real-store');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-link').click()]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const zip = readFileSync((await download.path())!);
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(zip.includes(Buffer.from('chat.json'))).toBe(true);
  });

  it('is readable on a phone (dark mode)', async () => {
    const { page, engine, app } = await setup({}, { width: 390, height: 844 }, 'dark');
    engine.emit({ type: 'ENGINE.OPEN', me: ME });
    await signIn(page, app.url);
    await waitActive(page, 'connection.open');
    // No horizontal page scroll: wide content (the diagram) scrolls inside its own box.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, '12-phone');
  });
});
