/**
 * The live diagram as a person reads it, at 1280×800 and 390×844: 100 % scale with text measured at ≥ 12 px,
 * a fast fault detour (open → soft-resync → handshake → open) fully visible in the trail and labelled in
 * words, a close labelled with its code and backoff, details on focus, zoom / fit / full screen, and on a
 * phone the "what happened" timeline first with the graph one tap away.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { browserSuite, ROOT, shot, signIn, waitActive, HOLD_STILL_ENV, ME } from './helpers.js';

const suite = browserSuite();

/** Every drawn text of the diagram: its rendered height and font size (px on screen). */
async function diagramText(page: Page) {
  return page.locator('svg.diagram').evaluate((svg: SVGSVGElement) =>
    Array.from(svg.querySelectorAll('text'))
      .filter((el) => el.textContent?.trim() && el.getClientRects().length > 0)
      .map((el) => {
        const r = el.getBoundingClientRect();
        const font = parseFloat(getComputedStyle(el).fontSize) * (svg.getBoundingClientRect().width / svg.viewBox.baseVal.width);
        return { text: el.textContent!.trim(), height: r.height, font };
      }),
  );
}

const edge = (page: Page, id: string) => page.locator(`.edge[data-edge="${id}"]`);
const label = (page: Page, id: string) => page.locator(`[data-edge-label="${id}"]`);
/** A transition label's focusable part (its background shape). */
const labelFocus = (page: Page, id: string) => page.locator(`[data-edge-label="${id}"] .edge-label-bg`);

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe('live diagram (browser)', () => {
  for (const vp of VIEWPORTS) {
    it(`${vp.name} ${vp.width}×${vp.height}: readable at 100 %, a fast detour in the trail in words, details on focus, zoom / fit / full screen`, async () => {
      const engine = scriptedEngine();
      const t = suite.cleanup(await startTestApp(HOLD_STILL_ENV, { engine: engine.factory, sseHeartbeatMs: 1000 }));
      const context = await suite.context({ viewport: { width: vp.width, height: vp.height }, colorScheme: 'light', locale: 'en-GB', timezoneId: 'Europe/London' }, 10_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const machines = (await (await t.api('/api/state/machine')).json()) as {
        connection: { states: { connecting: { states: { backoff: { description?: string } } } } };
      };

      engine.emit({ type: 'ENGINE.OPEN', me: ME });
      await signIn(page, t.url);
      await waitActive(page, 'connection.open');

      // The fast detour: app-state failure → resync fails → reconnect → open, all within milliseconds.
      engine.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular_high', detail: 'failed to find key' });
      engine.emit({ type: 'ENGINE.RESYNC_FAILED', collection: 'regular_high', error: 'still broken' });
      engine.emit({ type: 'ENGINE.OPEN', me: ME });
      const detour = ['connection.open->connection.soft-resync', 'connection.soft-resync->connection.connecting.handshake', 'connection.connecting->connection.open'];
      await expect.poll(async () => Promise.all(detour.map((id) => edge(page, id).getAttribute('class')))).toEqual(detour.map(() => expect.stringMatching(/\btrail\b/)));
      expect(await edge(page, detour[2]!).getAttribute('data-age')).toBe('0');
      expect(await edge(page, detour[1]!).getAttribute('data-age')).toBe('1');
      expect(await edge(page, detour[0]!).getAttribute('data-age')).toBe('2');
      expect(await label(page, detour[0]!).textContent()).toBe('app-state sync failed → soft-resync (deadline 5 min 00 s)');
      expect(await label(page, detour[1]!).textContent()).toBe('resync failed → handshake');
      // The first login took the same edge: one label, counted.
      expect(await label(page, detour[2]!).textContent()).toBe('logged in → open (×2)');

      // A close: its code in words and the backoff it started.
      engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'connection closed', selfInflicted: false });
      await waitActive(page, 'connection.connecting.backoff');
      const closeEdge = 'connection.open->connection.connecting.backoff';
      await expect.poll(() => label(page, closeEdge).textContent()).toBe('428 connection lost → backoff 2 min 00 s');
      expect(await edge(page, closeEdge).getAttribute('data-last-event')).toBe('ENGINE.CLOSED');
      // The detour is still in the trail, one step older each.
      expect(await edge(page, detour[0]!).getAttribute('data-age')).toBe('3');

      if (vp.name === 'phone') {
        // A phone opens on the timeline; the graph is one tap away.
        const timeline = page.getByTestId('timeline');
        expect(await timeline.isVisible()).toBe(true);
        expect(await page.getByTestId('diagram-viewport').isVisible()).toBe(false);
        const lines = await timeline.locator('.tl-what').allTextContents();
        expect(lines.slice(0, 5)).toEqual([
          'Connecting',
          '428 connection lost → backoff 2 min 00 s',
          'logged in → open',
          'resync failed → handshake',
          'app-state sync failed → soft-resync (deadline 5 min 00 s)',
        ]);
        await shot(page, '40-phone-timeline');
        // `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/ui` also refreshes the README's phone picture.
        if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
          await page.evaluate(() => document.querySelector<HTMLElement>('.topbar')?.style.setProperty('position', 'static'));
          await page.locator('.diagram-card').screenshot({ path: join(ROOT, 'docs/admin-phone.png') });
          await page.evaluate(() => document.querySelector<HTMLElement>('.topbar')?.style.removeProperty('position'));
        }
        await page.getByTestId('diagram-toggle').click();
        await page.getByTestId('diagram-viewport').waitFor({ state: 'visible' });
      }
      expect(await page.getByTestId('diagram-viewport').getAttribute('data-scale')).toBe('1.00');
      // The current state is scrolled into view.
      await expect.poll(() => page.locator('[data-state="connection.connecting.backoff"]').isVisible()).toBe(true);
      const inView = await page.getByTestId('diagram-viewport').evaluate((vpEl) => {
        const r = vpEl.getBoundingClientRect();
        const b = vpEl.querySelector('[data-state="connection.connecting.backoff"] rect')!.getBoundingClientRect();
        return b.left >= r.left - 1 && b.right <= r.right + 1 && b.top >= r.top - 1 && b.bottom <= r.bottom + 1;
      });
      expect(inView).toBe(true);

      // ≥ 12 px on screen for every drawn text at the default zoom.
      const texts = await diagramText(page);
      expect(texts.length).toBeGreaterThan(15);
      const small = texts.filter((x) => x.height < 12 || x.font < 12);
      expect(small).toEqual([]);
      await shot(page, `41-${vp.name}-diagram`);

      // Focus a state: why it exists, its timer counting down.
      await page.locator('[data-state="connection.connecting.backoff"] > .st-box').focus();
      const details = page.getByTestId('diagram-details');
      await expect.poll(() => details.locator('.details-title').textContent()).toMatch(/^backoff/);
      const description = machines.connection.states.connecting.states.backoff.description;
      expect(await details.getByTestId('state-description').textContent()).toBe(description ?? 'The machine definition carries no description for this state yet.');
      expect(await details.locator('[data-timer=backoff]').textContent()).toMatch(/reconnect backoff.*fires in (1 min 5\d s|2 min 00 s)/);
      // Focus a transition label: its guards in words, and when the trail took it.
      await labelFocus(page, 'connection.connecting->connection.connecting.handshake').focus();
      await expect.poll(() => details.textContent()).toContain('only if code 515 (restart required)');
      await labelFocus(page, closeEdge).focus();
      await expect.poll(() => details.textContent()).toContain('Recently taken');
      expect(await details.textContent()).toContain('428 connection lost → backoff 2 min 00 s');
      await shot(page, `42-${vp.name}-details`);

      // Zoom, fit, back to 100 %.
      const viewport = page.getByTestId('diagram-viewport');
      await page.getByTestId('zoom-in').click();
      expect(await viewport.getAttribute('data-scale')).toBe('1.25');
      expect(await page.getByTestId('zoom-level').textContent()).toBe('125 %');
      await page.getByTestId('zoom-fit').click();
      const fitted = Number(await viewport.getAttribute('data-scale'));
      expect(fitted).toBeLessThan(1);
      const box = await page.locator('svg.diagram').boundingBox();
      const vbox = await viewport.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(vbox!.width + 1);
      expect(box!.height).toBeLessThanOrEqual(vbox!.height + 1);
      await page.getByTestId('zoom-reset').click();
      expect(await viewport.getAttribute('data-scale')).toBe('1.00');

      // Full screen: the card takes the whole window, and gives it back.
      await page.getByTestId('diagram-fullscreen').click();
      await expect.poll(() => page.getByTestId('diagram-fullscreen').getAttribute('aria-pressed')).toBe('true');
      const card = await page.locator('.diagram-card').boundingBox();
      expect(Math.round(card!.width)).toBe(vp.width);
      expect(Math.round(card!.height)).toBe(vp.height);
      await shot(page, `43-${vp.name}-fullscreen`);
      await page.getByTestId('diagram-fullscreen').click();
      await expect.poll(() => page.getByTestId('diagram-fullscreen').getAttribute('aria-pressed')).toBe('false');
      expect(errors).toEqual([]);
    }, 60_000);
  }
});
