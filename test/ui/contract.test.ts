/**
 * The chats viewer and the simulator panel in Chromium against the API contract (SPEC §4), served by
 * route mocks: data shapes the real store cannot easily produce in a test (pages of chats, messages
 * across a midnight in another time zone) and every simulator control without a simulator. The real
 * server still serves the page, the session and the live state; admin.test.ts and simulator.test.ts
 * cover the same views end to end.
 */
import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { browserSuite, shot, signIn } from './helpers.js';

const suite = browserSuite();

async function setup(opts: { timezoneId?: string; viewport?: { width: number; height: number } } = {}) {
  const engine = scriptedEngine();
  const app = suite.cleanup(await startTestApp({}, { engine: engine.factory }));
  const { page, errors } = await suite.page(
    { viewport: opts.viewport ?? { width: 1280, height: 860 }, colorScheme: 'light', locale: 'en-GB', timezoneId: opts.timezoneId ?? 'Europe/London' },
    8_000,
  );
  return { page, engine, errors, app };
}

const json = (route: Route, status: number, body: unknown) =>
  route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

describe('chats viewer (contract)', () => {
  // 15 Jan 2026 13:05 UTC and 20:00 UTC: in Kolkata (+05:30) 18:35 on the 15th and 01:30 on the 16th.
  const t1 = Date.UTC(2026, 0, 15, 13, 5);
  const t2 = Date.UTC(2026, 0, 15, 20, 0);
  const chats = Array.from({ length: 30 }, (_, i) => ({
    id: `4477009${String(i).padStart(5, '0')}@s.whatsapp.net`,
    name: i === 0 ? 'Alice Example' : `Contact ${i}`,
    isGroup: false,
    unreadCount: i === 0 ? 2 : 0,
    timestamp: t2 - i * 3_600_000,
    lastMessage: i === 0 ? { id: 'x', chatId: 'x', from: 'x', fromMe: false, timestamp: t2, body: 'see you', type: 'image', hasMedia: true } : null,
  }));
  chats.push({ id: '120363000000000001@g.us', name: 'Ops team', isGroup: true, unreadCount: 0, timestamp: t1, lastMessage: null });
  const alice = chats[0]!.id;
  const messages = [
    { id: `${alice}:1`, chatId: alice, from: alice, fromMe: false, timestamp: t1, body: 'Lunch?', type: 'text', hasMedia: false },
    { id: `${alice}:2`, chatId: alice, from: 'me', fromMe: true, timestamp: t1 + 60_000, body: 'Sure', type: 'text', hasMedia: false },
    { id: `${alice}:3`, chatId: alice, from: alice, fromMe: false, timestamp: t2, body: 'see you', type: 'image', hasMedia: true },
    { id: `${alice}:4`, chatId: alice, from: alice, fromMe: false, timestamp: t2 + 1000, body: '', type: 'ptt', hasMedia: true },
  ];

  it('searches, paginates, separates days and shows local times, media labels and the export link', async () => {
    const { page, app, errors } = await setup({ timezoneId: 'Asia/Kolkata' });
    const queries: URLSearchParams[] = [];
    await page.route('**/api/chats?*', (route) => {
      const u = new URL(route.request().url());
      queries.push(u.searchParams);
      const q = (u.searchParams.get('q') ?? '').toLowerCase();
      const limit = Number(u.searchParams.get('limit'));
      const offset = Number(u.searchParams.get('offset'));
      const hits = chats.filter((c) => c.name.toLowerCase().includes(q));
      return json(route, 200, { chats: hits.slice(offset, offset + limit), total: hits.length });
    });
    await page.route('**/api/chats/*/messages?*', (route) => {
      const u = new URL(route.request().url());
      expect(decodeURIComponent(u.pathname.split('/')[3]!)).toBe(alice);
      return json(route, 200, { chatId: alice, messages: u.searchParams.has('cursor') ? [] : messages, hasMore: false, nextCursor: null });
    });
    await signIn(page, app.url);
    await page.locator('[data-route=chats]').click();
    await page.locator('[data-jid]').first().waitFor();
    expect(await page.locator('[data-jid]').count()).toBe(25);
    await page.getByRole('button', { name: 'Older ›' }).click();
    await expect.poll(() => page.locator('[data-jid]').count()).toBe(6);
    expect(queries.at(-1)?.get('offset')).toBe('25');
    expect(await page.locator('.pager').textContent()).toContain('26–31 of 31');

    await page.getByTestId('chat-search').fill('alice');
    await expect.poll(() => page.locator('[data-jid]').count()).toBe(1);
    expect(queries.at(-1)?.get('q')).toBe('alice');
    expect(queries.at(-1)?.get('offset')).toBe('0');
    const item = page.locator(`[data-jid="${alice}"]`);
    expect(await item.textContent()).toContain('Photo');
    await item.click();

    await page.locator('.msg').first().waitFor();
    const seps = await page.locator('.day-sep').allTextContents();
    expect(seps).toHaveLength(2);
    expect(seps[0]).toMatch(/15 January/);
    expect(seps[1]).toMatch(/16 January/);
    const times = await page.locator('.msg-time').allTextContents();
    expect(times).toEqual(['18:35', '18:36', '01:30', '01:30']);
    expect(await page.locator('.msg').nth(2).locator('.media-label').textContent()).toBe('Photo');
    expect(await page.locator('.msg').nth(3).locator('.media-label').textContent()).toBe('Voice message');
    expect(await page.locator('.msg-out').count()).toBe(1);
    const exportLink = page.getByTestId('export-link');
    expect(await exportLink.getAttribute('href')).toBe(`/api/export/chat/${encodeURIComponent(alice)}?include_media=true`);
    await shot(page, '22-chats-thread');
    // A plain link, so the browser streams the ZIP straight to disk (route mocks do not apply to downloads).
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    expect(download.url()).toBe(`${app.url}/api/export/chat/${encodeURIComponent(alice)}?include_media=true`);
    await download.cancel();
    expect(errors).toEqual([]);
  });

  it('works on a phone: list first, then the thread with a way back', async () => {
    const { page, app } = await setup({ viewport: { width: 390, height: 800 } });
    await page.route('**/api/chats?*', (route) => json(route, 200, { chats: chats.slice(0, 5), total: 5 }));
    await page.route('**/api/chats/*/messages?*', (route) => json(route, 200, { messages }));
    await signIn(page, app.url);
    await page.locator('[data-route=chats]').click();
    await page.locator(`[data-jid="${alice}"]`).click();
    await page.locator('.msg').first().waitFor();
    expect(await page.locator('.chat-list-card').isHidden()).toBe(true);
    await shot(page, '23-chats-phone');
    await page.getByRole('button', { name: '‹ Chats' }).click();
    await page.locator('.chat-list-card').waitFor({ state: 'visible' });
  });
});

describe('simulator panel (contract)', () => {
  it('appears when the simulator answers and sends scan, text/media/group deliveries and every fault kind with its parameters', async () => {
    const { page, app, errors } = await setup();
    const calls: { path: string; body: unknown }[] = [];
    await page.route('**/api/simulator/**', (route) => {
      const req = route.request();
      const path = new URL(req.url()).pathname;
      if (req.method() === 'GET') {
        return json(route, 200, {
          phone: '447700900001@s.whatsapp.net',
          contacts: [{ jid: '447700900123@s.whatsapp.net', lid: '123456@lid', name: 'Alice', number: '447700900123' }],
          groups: [{ jid: '120363000000000001@g.us', subject: 'Team', size: 3 }],
        });
      }
      calls.push({ path, body: req.postDataJSON() });
      return json(route, 202, { accepted: true });
    });
    await signIn(page, app.url);
    const panel = page.getByTestId('simulator-panel');
    await panel.waitFor({ state: 'visible' });
    await page.getByTestId('sim-scan').click();
    await expect.poll(() => calls.length).toBe(1);
    expect(calls[0]).toEqual({ path: '/api/simulator/scan-qr', body: {} });

    await page.getByTestId('sim-from').selectOption('447700900123@s.whatsapp.net');
    await page.getByTestId('sim-text').fill('hello from Alice');
    await panel.getByRole('button', { name: 'Deliver' }).click();
    await expect.poll(() => calls.length).toBe(2);
    expect(calls[1]).toEqual({ path: '/api/simulator/deliver', body: { from: '447700900123@s.whatsapp.net', text: 'hello from Alice' } });

    // Every fault kind, each with its parameters: any code, switches that go on and off again.
    await page.getByTestId('sim-stream-code').fill('503');
    await panel.locator('[data-fault="stream-error"]').click();
    await page.getByTestId('sim-failure-code').fill('411');
    await panel.locator('[data-fault="failure"]').click();
    for (const k of ['close', 'xmlstreamend', 'conflict', 'logout']) await panel.locator(`[data-fault="${k}"]`).click();
    await page.getByTestId('sim-slow-ms').fill('2500');
    for (const k of ['silence', 'refuse', 'slow']) {
      await panel.locator(`[data-fault="${k}"]`).click();
      await expect.poll(() => panel.locator(`[data-fault="${k}"]`).getAttribute('aria-pressed')).toBe('true');
      await panel.locator(`[data-fault="${k}"]`).click();
      await expect.poll(() => panel.locator(`[data-fault="${k}"]`).getAttribute('aria-pressed')).toBe('false');
    }
    await page.getByTestId('sim-collection').selectOption('regular_high');
    await page.getByTestId('sim-repairable').uncheck();
    await panel.locator('[data-fault="corrupt-app-state"]').click();
    await page.getByTestId('sim-refusal-code').selectOption('429');
    await panel.locator('[data-fault="refuse-sends"]').click();
    await expect.poll(() => calls.length).toBe(2 + 14);
    expect(calls.slice(2).map((c) => c.body)).toEqual([
      { kind: 'stream-error', code: 503 },
      { kind: 'failure', code: 411 },
      { kind: 'close' },
      { kind: 'xmlstreamend' },
      { kind: 'conflict' },
      { kind: 'logout' },
      { kind: 'silence', enabled: true },
      { kind: 'silence', enabled: false },
      { kind: 'refuse', enabled: true },
      { kind: 'refuse', enabled: false },
      { kind: 'slow', enabled: true, delayMs: 2500 },
      { kind: 'slow', enabled: false },
      { kind: 'corrupt-app-state', collection: 'regular_high', repairable: false },
      { kind: 'refuse-sends', code: 429, count: 1 },
    ]);
    expect(new Set(calls.slice(2).map((c) => c.path))).toEqual(new Set(['/api/simulator/fault']));

    // Media and group deliveries from a chosen contact.
    await page.getByTestId('sim-kind').selectOption('image');
    await page.getByTestId('sim-text').fill('a caption');
    await panel.getByRole('button', { name: 'Deliver' }).click();
    await page.getByTestId('sim-kind').selectOption('group');
    await page.getByTestId('sim-text').fill('hi all');
    await panel.getByRole('button', { name: 'Deliver' }).click();
    await expect.poll(() => calls.length).toBe(18);
    expect(calls[16]).toEqual({ path: '/api/simulator/deliver-media', body: { kind: 'image', from: '447700900123@s.whatsapp.net', caption: 'a caption' } });
    expect(calls[17]).toEqual({ path: '/api/simulator/deliver-group', body: { from: '447700900123@s.whatsapp.net', group: '120363000000000001@g.us', text: 'hi all' } });
    await expect.poll(() => page.getByTestId('sim-result').textContent()).toMatch(/sent/);
    await shot(page, '24-simulator-panel');
    expect(errors).toEqual([]);
  });
});
