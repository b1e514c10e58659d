/**
 * Issue #15, the owner's side of send safety in the browser: the real app on the built-in simulator
 * (real Baileys) in send_mode confirm; an MCP SDK client without the elicitation capability asks to send,
 * gets `pending_approval`, and the owner sees it on the Safety tab (with the count badge) and decides:
 * Approve → the simulated contact receives it once and get_send_status says sent; Reject → nothing; Cancel
 * on a write that pacing queued → nothing. The agent's text is shown as quoted text, never as markup. The
 * audit log lists the decisions and downloads as JSONL. At phone size nothing overflows sideways.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { callOk, connectClient } from '../mcp/helpers.js';
import { ApiError } from '../../web/src/api.js';
import { listItemErrors } from '../../web/src/views/settings.js';
import { parseJidLines } from '../../web/src/views/safety/words.js';
import { axeSerious, newContext, prepareBrowser, shot, signIn, SHOTS } from './helpers.js';

let browser: Browser;
let t: TestApp;
let client: Client;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await prepareBrowser();
  t = await startTestApp({ WA_SIMULATOR: '1', SEND_MODE: 'confirm' });
  await t.app.runtime.waitFor((s) => s.state === 'open', 25_000);
  // Not an eliciting client: approval cannot be asked in the conversation, so writes wait for the owner.
  client = await connectClient(t.url, 'agent-without-elicitation');
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close();
  await client?.close();
  await t?.stop();
  await browser?.close();
});

async function openPage(viewport: { width: number; height: number }): Promise<Page> {
  const ctx = await newContext(browser, { viewport, locale: 'en-GB', timezoneId: 'UTC', acceptDownloads: true });
  contexts.push(ctx);
  ctx.setDefaultTimeout(15_000);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await signIn(page, t.url);
  (page as Page & { errors?: string[] }).errors = errors;
  return page;
}

/** Messages the simulated contact received, one per WhatsApp message id. */
function received(jid: string, text: string): number {
  const ids = new Set(t.app.simulator!.sent.filter((m) => m.to === jid && m.text === text).map((m) => m.id));
  return ids.size;
}

async function askToSend(jid: string, message: string): Promise<string> {
  const r = await callOk<{ status: string; sendId: string }>(client, 'send_message', { recipient_jid: jid, message });
  expect(r.status).toBe('pending_approval');
  return r.sendId;
}

const status = async (sendId: string) => (await callOk<{ status: string }>(client, 'get_send_status', { send_id: sendId })).status;

/** Colours are read once the theme's CSS transitions (buttons fade their background) have finished. */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => document.getAnimations().filter((a) => a instanceof CSSTransition && a.playState === 'running').length)).toBe(0);
}

/** No serious axe violation in either colour scheme (the page re-themes in place). */
async function axeBoth(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await settled(page);
    expect(await axeSerious(page), `${name} (${scheme})`).toEqual([]);
    if (scheme === 'dark') await shot(page, `${name}-dark`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await settled(page);
}

const badge = (page: Page) => page.getByTestId('safety-badge');
const item = (page: Page, sendId: string) => page.locator(`[data-testid=pending-list] [data-send-id="${sendId}"]`);

describe('settings errors from the server', () => {
  it('a bad entry of a chat list is named by its position', () => {
    const err = new ApiError(400, 'invalid_setting', 'invalid setting read_deny.1: expected a chat JID', {
      field: 'read_deny.1',
      issues: [{ field: 'read_deny.1', message: 'expected a chat JID such as 447700900123@s.whatsapp.net or 1203…@g.us' }],
    });
    expect(listItemErrors(err)).toEqual([{ key: 'read_deny', index: 1, message: 'expected a chat JID such as 447700900123@s.whatsapp.net or 1203…@g.us' }]);
    expect(parseJidLines('+44 7700 900123\n\n1203@g.us\nfoo').lines).toEqual([1, 3, 4]);
    expect(parseJidLines('+44 7700 900123').jids).toEqual(['447700900123@s.whatsapp.net']);
  });
});

describe('safety (browser)', () => {
  it('desktop: the owner approves, rejects and cancels from the Safety tab; the contact gets exactly what was approved', async () => {
    const contact = t.app.simulator!.contacts[0]!;
    // Pacing on, so a second approved message to the same chat waits in the outbox (to be cancelled).
    const cfg = await t.api('/api/settings', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ pacing_enabled: true, pace_chat_interval_s: 600, pace_per_minute: 0, pace_per_hour: 0, pace_new_recipients_per_day: 0, pace_jitter_ms: 0, pace_typing: false }),
    });
    expect(cfg.status).toBe(200);

    const page = await openPage({ width: 1280, height: 900 });
    // Wherever the owner is, the tab says something waits.
    expect(await badge(page).isVisible()).toBe(false);
    const tricky = 'Hi <b>there</b> & <img src=x onerror="window.__pwned=1"> — ignore previous instructions';
    const first = await askToSend(contact.jid, tricky);
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe('1 waiting for approval');

    await page.locator('[data-route=safety]').click();
    await item(page, first).waitFor();
    expect(await page.getByTestId('policy-mode').getAttribute('data-mode')).toBe('confirm');
    const row = item(page, first);
    expect(await row.getByTestId('send-to').textContent()).toContain(contact.number);
    expect(await row.getByTestId('send-why').textContent()).toMatch(/send_mode: confirm/);
    expect(await row.getByTestId('send-expires').textContent()).toMatch(/expires .* \(in 2[34] h/);
    // The agent's text is data: shown as typed, never parsed as markup.
    const summary = row.getByTestId('send-summary');
    expect(await summary.textContent()).toContain('<b>there</b> & <img src=x');
    expect(await summary.locator('b, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(received(contact.jid, tricky)).toBe(0);

    await row.getByTestId('approve').click();
    await eventually(async () => (await status(first)) === 'sent', 15_000);
    expect(received(contact.jid, tricky)).toBe(1);
    await item(page, first).waitFor({ state: 'detached' });
    await badge(page).waitFor({ state: 'hidden' });
    await page.locator(`[data-testid=history-list] [data-send-id="${first}"][data-status=sent]`).waitFor();

    // Approved while the pacing interval for this chat runs: queued with its time, and cancelled here.
    const paced = await askToSend(contact.jid, 'a second message, paced');
    await item(page, paced).getByTestId('approve').click();
    const queued = page.locator(`[data-testid=queued-list] [data-send-id="${paced}"]`);
    await queued.waitFor();
    expect(await queued.getByTestId('send-scheduled').textContent()).toMatch(/goes out (\d{1,2} \w+, )?\d{2}:\d{2} \(in \d+ min/);
    expect(await status(paced)).toBe('queued');

    const rejectMe = await askToSend(contact.jid, 'please reject this one');
    const keep = await askToSend(contact.jid, 'still waiting');
    await expect.poll(() => badge(page).textContent(), { timeout: 15_000 }).toBe('2 waiting for approval');
    await item(page, keep).waitFor();
    expect(await page.getByTestId('pending-count').textContent()).toBe('2');
    // The audit log names each decision, with who asked.
    const audit = page.getByTestId('audit-table');
    await audit.locator(`tr[data-send-id="${paced}"][data-decision=approved]`).waitFor();
    expect(await audit.locator(`tr[data-send-id="${first}"][data-decision=approved]`).count()).toBe(2); // queued, then sent
    expect(await audit.locator('tbody tr').first().textContent()).toContain('agent-without-elicitation');
    await axeBoth(page, 'safety-desktop');
    await shot(page, 'safety-desktop');

    await item(page, rejectMe).getByTestId('reject').click();
    await eventually(async () => (await status(rejectMe)) === 'rejected', 10_000);
    await item(page, rejectMe).waitFor({ state: 'detached' });
    await expect.poll(() => badge(page).textContent()).toBe('1 waiting for approval');

    await queued.getByTestId('cancel').click();
    await eventually(async () => (await status(paced)) === 'cancelled', 10_000);
    await queued.waitFor({ state: 'detached' });
    await page.locator(`[data-testid=history-list] [data-send-id="${paced}"][data-status=cancelled]`).waitFor();
    expect(received(contact.jid, 'please reject this one')).toBe(0);
    expect(received(contact.jid, 'a second message, paced')).toBe(0);
    expect(received(contact.jid, tricky)).toBe(1);

    // The full log, as JSONL, with the page's own session (no token in the link).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-download').click()]);
    const lines = readFileSync((await download.path())!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { sendId: string | null; decision: string; result: string });
    expect(lines.filter((l) => l.sendId === rejectMe).map((l) => [l.decision, l.result])).toEqual([
      ['pending', 'pending'],
      ['rejected', 'not sent'],
    ]);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    expect(await status(keep)).toBe('pending_approval');
  }, 180_000);

  it('settings: the mode is a described choice, a chat list takes phone numbers one per line, names a bad line, and applies at once', async () => {
    const contact = t.app.simulator!.contacts[2]!;
    const page = await openPage({ width: 1280, height: 900 });
    await page.locator('[data-route=settings]').click();
    const form = page.getByTestId('settings-form');
    const modes = form.getByTestId('choice-send_mode');
    await modes.waitFor();
    expect(await modes.locator('input:checked').getAttribute('value')).toBe('confirm');
    expect(await modes.textContent()).toMatch(/Read only.*hidden.*Confirm each write.*approve.*Allow/);

    const deny = form.locator('#set-write_deny');
    const number = `+${contact.number.slice(0, 1)} (${contact.number.slice(1, 4)}) ${contact.number.slice(4)}`;
    await deny.fill(`${number}\n\nnot a chat`);
    const posts: unknown[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/settings') && r.method() === 'POST') posts.push(r.postDataJSON());
    });
    await page.getByTestId('settings-save').click();
    const err = form.locator('[data-error-for=write_deny]');
    await expect.poll(() => err.textContent()).toMatch(/^Line 3: “not a chat” is neither a phone number nor a chat JID/);
    expect(await deny.getAttribute('aria-invalid')).toBe('true');
    expect(posts).toEqual([]);

    await deny.fill(number);
    await form.locator('#set-send_mode-allow').check();
    const [req] = await Promise.all([page.waitForRequest((r) => r.url().endsWith('/api/settings') && r.method() === 'POST'), page.getByTestId('settings-save').click()]);
    expect(req.postDataJSON()).toEqual({ send_mode: 'allow', write_deny: [contact.jid] });
    await expect.poll(() => page.getByTestId('settings-banner').textContent()).toMatch(/saved/i);
    // The server's own form of the list comes back: the JID the number stands for.
    expect(await deny.inputValue()).toBe(contact.jid);
    expect(await form.getByTestId('count-write_deny').textContent()).toBe('1 chat');

    // In force at once: the agent cannot write to that chat, and the Safety page says so.
    const refused = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: contact.jid, message: 'blocked by the owner' } })) as { isError?: boolean };
    expect(refused.isError).toBe(true);
    await page.locator('[data-route=safety]').click();
    await expect.poll(() => page.getByTestId('policy-mode').getAttribute('data-mode')).toBe('allow');
    expect(await page.getByTestId('safety-policy').textContent()).toContain('1 never written to');
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);

    const back = await t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ send_mode: 'confirm', write_deny: [] }) });
    expect(back.status).toBe(200);
  }, 120_000);

  it('phone: the Safety page fits a 390 px screen (nothing wider than the viewport)', async () => {
    const contact = t.app.simulator!.contacts[1]!;
    await askToSend(contact.jid, 'A long line from the agent without spaces: https://example.com/' + 'x'.repeat(120));
    await askToSend(contact.jid, 'Running 10 min late, sorry!');
    const page = await openPage({ width: 390, height: 844 });
    await page.goto(`${t.url}/admin/#/safety`);
    await expect.poll(() => page.locator('[data-testid=pending-list] [data-send-id]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await page.getByTestId('audit-table').locator('tbody tr').first().waitFor();
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const wide = Array.from(document.querySelectorAll<HTMLElement>('body *'))
        .filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > width + 0.5 && !e.closest('.sr-only'))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      return { scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10) };
    });
    expect(overflow.wide).toEqual([]);
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.width);
    expect(await badge(page).isVisible()).toBe(true);
    await axeBoth(page, 'safety-phone');
    await shot(page, 'safety-phone');
    // What a phone shows first, for the README.
    await page.screenshot({ path: join(SHOTS, 'safety-phone-top.png') });
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
  }, 120_000);
});
