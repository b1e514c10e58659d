/**
 * Issue #15 / #16 item 2: when WhatsApp restricts sends (463 reachout timelock, 429, restricted account),
 * the "What now" panel says so with its end, at desktop and phone sizes, and the banner goes when the
 * restriction does. The real app with a scripted engine; the restriction is reported the way the sending
 * path reports it (runtime.report).
 */
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { axeSerious, browserSuite, shot, signIn } from './helpers.js';

const suite = browserSuite(180_000);

describe('restriction banner (browser)', () => {
  for (const vp of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`${vp.name}: a 463 restriction is shown with its end while connected, and goes when it ends`, async () => {
      const engine = scriptedEngine();
      const t = suite.cleanup(await startTestApp({}, { engine: engine.factory, sseHeartbeatMs: 1000 }));
      engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900000@s.whatsapp.net', name: 'Test' } });
      const { page } = await suite.page({ viewport: { width: vp.width, height: vp.height }, locale: 'en-GB', timezoneId: 'UTC' }, 15_000);
      await signIn(page, t.url);
      const panel = page.getByTestId('what-now');
      await expect.poll(() => panel.getAttribute('data-tone')).toBe('ok');
      const banner = page.getByTestId('what-now-restriction');
      expect(await banner.isVisible()).toBe(false);

      const until = Date.UTC(2030, 0, 2, 3, 4, 5);
      t.app.runtime.report({ type: 'ACCOUNT.RESTRICTED', kind: 'reachout_timelock', until, detail: '463' });
      await banner.waitFor({ state: 'visible' });
      const text = (await banner.textContent()) ?? '';
      expect(text).toContain('463 reachout timelock');
      expect(text).toContain(new Date(until).toLocaleString('en-GB', { timeZone: 'UTC' }));
      expect(text).toMatch(/Replies in existing chats still go out; first messages to new contacts are refused/);
      expect(await panel.getAttribute('data-tone')).toBe('warn');
      expect(await page.getByTestId('what-now-title').textContent()).toBe('Connected');
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, `restriction-${vp.name}`);

      t.app.runtime.report({ type: 'ACCOUNT.UNRESTRICTED' });
      await banner.waitFor({ state: 'hidden' });
      await expect.poll(() => panel.getAttribute('data-tone')).toBe('ok');
    }, 120_000);
  }
});
