/**
 * WCAG 2.1 AA on every view at 1280×800 and 390×844, light and dark: axe-core finds no serious or critical
 * violation on sign-in, overview (awaiting a scan and open, phone timeline and graph), a confirmation
 * dialog, chats with a thread open, and settings with a field error. Also checked by hand where axe cannot:
 * one h1, `aria-current` on the tab and the chat, a focus ring of ≥ 3:1 that no scroller clips, keyboard
 * access to scroll areas, and one polite live region that speaks on state changes and never on a QR rotation.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { axeSerious, browserSuite, shot, signIn, waitActive } from './helpers.js';

const suite = browserSuite();

/** axe in both colour schemes (the page re-themes in place; nothing reloads). */
async function axeBoth(page: Page, where: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await settled(page);
    expect(await axeSerious(page), `${where} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Colours are checked once the theme's CSS transitions (buttons fade their background) have finished. */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => document.getAnimations().filter((a) => a instanceof CSSTransition && a.playState === 'running').length)).toBe(0);
}

type Rgb = [number, number, number];
function parseColor(c: string): Rgb | null {
  let m = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = /color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(c);
  if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255];
  return null;
}
function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(a: string, b: string): number {
  const x = parseColor(a);
  const y = parseColor(b);
  if (!x || !y) throw new Error(`cannot read colours ${a} / ${b}`);
  const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The focused element's ring: its colour against what surrounds it, and whether a scroller cuts it off. */
async function focusRing(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const cs = getComputedStyle(el);
    const width = parseFloat(cs.outlineWidth);
    const offset = parseFloat(cs.outlineOffset);
    const bgOf = (start: Element | null): string => {
      for (let n = start; n; n = n.parentElement) {
        const b = getComputedStyle(n).backgroundColor;
        if (b && b !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(b)) return b;
      }
      return getComputedStyle(document.body).backgroundColor;
    };
    // An inward ring sits on the element itself; an outward one on what is around it.
    const behind = offset < 0 ? bgOf(el) : bgOf(el.parentElement);
    const r = el.getBoundingClientRect();
    const grow = Math.max(0, offset + width);
    const ring = { left: r.left - grow, right: r.right + grow, top: r.top - grow, bottom: r.bottom + grow };
    let clipped = false;
    for (let n = el.parentElement; n; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const c = n.getBoundingClientRect();
      if (ring.left < c.left - 0.5 || ring.right > c.right + 0.5 || ring.top < c.top - 0.5 || ring.bottom > c.bottom + 0.5) clipped = true;
    }
    return { tag: el.tagName, id: el.dataset.testid ?? el.className, style: cs.outlineStyle, width, color: cs.outlineColor, behind, clipped };
  });
}

async function expectGoodRing(page: Page, what: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await settled(page);
    const ring = await focusRing(page);
    expect(ring.style, `${what} ${scheme}: ${JSON.stringify(ring)}`).toBe('solid');
    expect(ring.width, what).toBeGreaterThanOrEqual(2);
    expect(contrast(ring.color, ring.behind), `${what} ${scheme}: ${JSON.stringify(ring)}`).toBeGreaterThanOrEqual(3);
    expect(ring.clipped, `${what} ${scheme}: ${JSON.stringify(ring)}`).toBe(false);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Tabs forward until `selector` has the focus (a person's way there). */
async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} not reached with Tab`);
}

/** Text of every live region except the one announcer. */
const otherLiveRegions = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]'))
      .filter((e) => e.getAttribute('data-testid') !== 'announcer')
      .map((e) => e.textContent ?? ''),
  );

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe('accessibility (browser)', () => {
  for (const vp of VIEWPORTS) {
    it(`${vp.name} ${vp.width}×${vp.height}, light and dark: no serious/critical axe violations on any view; h1, aria-current, focus ring, scroll areas, live region`, async () => {
      const engine = scriptedEngine();
      const t = suite.cleanup(await startTestApp({ WA_BACKOFF_BASE_MS: '120000', WA_DISCONNECT_RECOVERY_DELAY_MS: '300000' }, { engine: engine.factory, sseHeartbeatMs: 1000 }));
      const alice = '447700900123@s.whatsapp.net';
      const t0 = Date.UTC(2026, 0, 15, 13, 5);
      t.app.store.chats.upsertChats([
        { id: alice, name: 'Alice Example', timestamp: t0 + 120_000, unreadCount: 1 },
        { id: '447700900124@s.whatsapp.net', name: 'Bob Example', timestamp: t0 },
      ]);
      t.app.store.messages.upsertMessages(
        Array.from({ length: 40 }, (_, i) => ({ chatId: alice, keyId: `A${i}`, fromMe: i % 3 === 0, timestamp: t0 + i * 60_000, type: 'text', body: `message number ${i}` })),
      );
      const context = await suite.context({ viewport: { width: vp.width, height: vp.height }, colorScheme: 'light', locale: 'en-GB', timezoneId: 'Europe/London' }, 10_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));

      // Sign-in.
      await page.goto(`${t.url}/admin/`);
      await page.getByTestId('token').waitFor();
      expect(await page.locator('h1').count()).toBe(1);
      await axeBoth(page, 'sign-in');
      await signIn(page, t.url);

      // Overview, awaiting a scan.
      engine.emit({ type: 'ENGINE.QR', qr: '2@a11y-qr-1,abc,def,ghi' });
      await waitActive(page, 'connection.connecting.awaiting-qr');
      await expect.poll(() => page.getByTestId('qr-img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
      expect(await page.locator('h1').count()).toBe(1);
      expect((await page.locator('h1').textContent())?.length).toBeGreaterThan(3);
      expect(await page.locator('[data-route=overview]').getAttribute('aria-current')).toBe('page');
      await axeBoth(page, 'overview awaiting-qr');

      // One polite live region, for state changes only: a rotating QR says nothing, anywhere.
      const announcer = page.getByTestId('announcer');
      expect(await page.locator('[aria-live=polite]').evaluateAll((els) => els.filter((e) => e.textContent?.trim()).length)).toBeLessThanOrEqual(1);
      const saidBefore = await announcer.textContent();
      const othersBefore = await otherLiveRegions(page);
      const v1 = Number(await page.getByTestId('qr-img').getAttribute('data-version'));
      engine.emit({ type: 'ENGINE.QR', qr: '2@a11y-qr-2,abc,def,ghi' });
      await expect.poll(async () => Number(await page.getByTestId('qr-img').getAttribute('data-version'))).toBeGreaterThan(v1);
      expect(await announcer.textContent()).toBe(saidBefore);
      expect(await otherLiveRegions(page)).toEqual(othersBefore);
      engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900001@s.whatsapp.net', name: 'Ops phone' } });
      await waitActive(page, 'connection.open');
      await expect.poll(() => announcer.textContent()).toBe('WhatsApp connection: Connected');
      await axeBoth(page, 'overview open');

      // Focus: visible, ≥ 3:1, never clipped — on a tab, a control, the diagram's scroll area and a diagram state.
      await page.locator('body').click({ position: { x: 2, y: 2 } });
      await tabTo(page, '[data-route=overview]');
      await expectGoodRing(page, 'tab');
      await tabTo(page, '[data-testid=btn-restart]');
      await expectGoodRing(page, 'restart button');
      if (vp.name === 'phone') {
        // The timeline first; the graph one tap away, and just as accessible.
        await axeBoth(page, 'overview timeline (phone)');
        await page.getByTestId('diagram-toggle').click();
        await page.getByTestId('diagram-viewport').waitFor({ state: 'visible' });
      }
      await tabTo(page, '[data-testid=diagram-viewport]');
      await expectGoodRing(page, 'diagram scroll area');
      // The scroll area scrolls from the keyboard.
      const top = await page.getByTestId('diagram-viewport').evaluate((e) => e.scrollTop);
      await page.keyboard.press('PageDown');
      await expect.poll(() => page.getByTestId('diagram-viewport').evaluate((e) => e.scrollTop)).toBeGreaterThan(top);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('button');
      expect(await page.evaluate(() => document.activeElement?.closest('svg.diagram') !== null)).toBe(true);
      await expect.poll(() => page.getByTestId('diagram-details').locator('.details-title').count()).toBe(1);
      await axeBoth(page, 'overview graph with details');
      // The event log scrolls from the keyboard too.
      expect(await page.locator('.log-scroll').getAttribute('tabindex')).toBe('0');

      // A confirmation dialog.
      await page.getByTestId('btn-logout-wa').click();
      await page.locator('dialog[open]').waitFor();
      await axeBoth(page, 'logout dialog');
      await page.locator('dialog[open]').getByRole('button', { name: 'Cancel' }).click();
      await page.locator('dialog[open]').waitFor({ state: 'detached' });

      // Chats, with a thread open.
      await page.locator('[data-route=chats]').click();
      await expect.poll(() => page.locator('[data-route=chats]').getAttribute('aria-current')).toBe('page');
      await page.locator(`[data-jid="${alice}"]`).click();
      await expect.poll(() => page.locator('.msg').count()).toBe(40);
      expect(await page.locator(`[data-jid="${alice}"]`).getAttribute('aria-current')).toBe('true');
      expect(await page.locator('[data-jid][aria-current]').count()).toBe(1);
      await axeBoth(page, 'chats thread');
      await tabTo(page, '[data-testid=thread]');
      await expectGoodRing(page, 'message thread');
      await shot(page, `60-${vp.name}-a11y-chats`);
      if (vp.name === 'desktop') {
        await tabTo(page, `[data-jid="${alice}"]`, 80).catch(async () => {
          await page.keyboard.down('Shift');
          await tabTo(page, `[data-jid="${alice}"]`, 80);
          await page.keyboard.up('Shift');
        });
        await expectGoodRing(page, 'selected chat in the list');
      }

      // Settings, with a field error.
      await page.locator('[data-route=settings]').click();
      await page.locator('#set-max_files_per_upload').fill('0');
      await page.getByTestId('settings-save').click();
      await page.locator('[data-error-for=max_files_per_upload]:not([hidden])').waitFor();
      expect(await page.locator('[data-error-for=max_files_per_upload]').textContent()).toBe('Must be at least 1.');
      expect(await page.locator('h1').count()).toBe(1);
      await axeBoth(page, 'settings with an error');
      await shot(page, `61-${vp.name}-a11y-settings`);
      expect(errors).toEqual([]);
    }, 120_000);
  }
});
