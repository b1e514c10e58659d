/**
 * The admin UI against the built-in WhatsApp simulator (real Baileys socket): the operator pairs by
 * pressing "scan", the diagram follows connecting → open without a reload, injected faults light up the
 * recovery path (any close code), and the chats viewer is live: delivered texts and media append to the open
 * thread (media inline), the list re-sorts, threads open at the newest message on desktop and phone, message
 * search highlights hits and jumps to them.
 */
import { describe, expect, it } from 'vitest';
import { postJson, startTestApp } from '../helpers/app.js';
import { join } from 'node:path';
import { axeSerious, browserSuite, ROOT, shot, signIn, waitActive } from './helpers.js';

const suite = browserSuite();

describe('admin UI with the simulator', () => {
  it('scan → open, a 428 → reconnect path → open, corrupt app state → soft-resync, a message in chats', async () => {
    const t = suite.cleanup(await startTestApp({ WA_SIMULATOR: '1', WA_SIMULATOR_AUTOPAIR: '0', WA_BACKOFF_BASE_MS: '1500', WA_BACKOFF_JITTER: '0', AUTO_DOWNLOAD_MEDIA: '1' }));
    const { page, errors } = await suite.page({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', locale: 'en-GB' }, 15_000);
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
    await log.locator('.log-item[data-event="ENGINE.APP_STATE_FAILURE"]', { hasText: 'app-state sync failed → soft-resync' }).waitFor();
    await waitActive(page, 'connection.open');
    // However fast the repair was, its first step is in the trail.
    await page.locator('.edge.trail[data-edge="connection.open->connection.soft-resync"]').waitFor({ state: 'attached' });
    await shot(page, '33-sim-soft-resync');

    await page.getByTestId('sim-text').fill('hello from the simulator');
    await panel.getByRole('button', { name: 'Deliver' }).click();
    await expect.poll(() => page.getByTestId('sim-result').textContent()).toMatch(/Deliver message: sent/);
    // Any close code: a stream error with 503 closes with 503 (not 515), and the trail says so.
    await page.getByTestId('sim-stream-code').fill('503');
    await panel.locator('[data-fault="stream-error"]').click();
    await expect.poll(() => page.getByTestId('last-disconnect').textContent()).toMatch(/503/);
    await waitActive(page, 'connection.open');
    await expect.poll(() => page.locator('[data-edge-label="connection.open->connection.connecting.backoff"]').textContent()).toMatch(/^503 service unavailable → backoff \d s$/);

    // Live chats: the thread is open, then messages arrive — they append without a reload, the list re-sorts.
    const contacts = (await (await t.api('/api/simulator/contacts')).json()) as { contacts: { jid: string }[] };
    const bob = contacts.contacts[1]!.jid;
    const post = (path: string, body: unknown) => postJson(t, `/api/simulator/${path}`, body);
    await page.locator('[data-route=chats]').click();
    const first = page.locator('[data-jid]').first();
    await first.waitFor();
    const firstJid = (await first.getAttribute('data-jid'))!;
    await first.click();
    await expect.poll(async () => (await page.locator('.msg-body').allTextContents()).join('|')).toContain('hello from the simulator');
    await waitNewest(page);
    await page.locator(`[data-jid="${bob}"]`).click();
    await page.locator('.thread .msg').first().waitFor();
    expect((await post('deliver', { from: bob, text: 'live one' })).status).toBe(202);
    await page.locator('.thread .msg-body', { hasText: 'live one' }).waitFor({ timeout: 5_000 });
    await waitNewest(page);
    await expect.poll(() => page.locator('[data-jid]').first().getAttribute('data-jid')).toBe(bob);
    expect(await page.locator(`[data-jid="${bob}"]`).getAttribute('aria-current')).toBe('true');
    // Reading it marked it read on the server (read receipts sent): no unread left for the open chat.
    await expect.poll(() => t.app.store.chats.get(bob)?.unreadCount).toBe(0);
    expect(firstJid === bob || (await page.locator(`[data-jid="${firstJid}"]`).count()) === 1).toBe(true);
    // Media inline once stored (auto-download on), a voice note as a player.
    expect((await post('deliver-media', { from: bob, kind: 'image', caption: 'sample photo' })).status).toBe(202);
    await page.locator('.thread .msg img.msg-img').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('.thread .msg img.msg-img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
    expect((await post('deliver-media', { from: bob, kind: 'audio' })).status).toBe(202);
    await page.locator('.thread .msg audio.msg-audio').waitFor({ timeout: 15_000 });
    await waitNewest(page);
    // No protocol stubs anywhere.
    expect(await page.locator('.chats').textContent()).not.toContain('[[');
    await shot(page, '34-sim-chat');
    // `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/ui/simulator.test.ts` refreshes the README's chats picture.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: join(ROOT, 'docs/admin-chats.png') });

    // Message search: highlighted hits; a hit opens its thread at the message.
    await page.getByTestId('chat-search').fill('hello from');
    const hit = page.getByTestId('search-hits').locator('.hit-item').first();
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toMatch(/hello/i);
    await hit.click();
    await page.locator('.thread .msg.msg-hit', { hasText: 'hello from the simulator' }).waitFor();
    await shot(page, '35-sim-search');
    // The live chat view with inline media and highlighted hits passes axe too.
    expect(await axeSerious(page)).toEqual([]);
    expect(errors).toEqual([]);

    // A phone opens a thread at the newest message too, and it grows live there.
    const phone = await suite.context({ viewport: { width: 390, height: 844 }, colorScheme: 'light', locale: 'en-GB' }, 15_000);
    try {
      const p = await phone.newPage();
      await signIn(p, t.url);
      await p.locator('[data-route=chats]').click();
      await p.locator(`[data-jid="${bob}"]`).click();
      await p.locator('.thread .msg-body', { hasText: 'live one' }).waitFor();
      await waitNewest(p);
      expect((await post('deliver', { from: bob, text: 'on the phone' })).status).toBe(202);
      await p.locator('.thread .msg-body', { hasText: 'on the phone' }).waitFor({ timeout: 5_000 });
      await waitNewest(p);
      await shot(p, '36-sim-chat-phone');
    } finally {
      await phone.close();
    }
  }, 120_000);
});

/** The thread is scrolled to its newest message (the last one is inside the visible part of the thread). */
async function waitNewest(page: import('playwright-core').Page): Promise<void> {
  await expect
    .poll(() =>
      page.getByTestId('thread').evaluate((th) => {
        const last = th.querySelector('.msg:last-of-type');
        if (!last) return false;
        const a = th.getBoundingClientRect();
        const b = last.getBoundingClientRect();
        return th.scrollHeight > th.clientHeight ? b.bottom <= a.bottom + 2 && b.top >= a.top - 2 && th.scrollHeight - th.scrollTop - th.clientHeight < 4 : true;
      }),
    )
    .toBe(true);
}
