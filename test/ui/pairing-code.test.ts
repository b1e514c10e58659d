/**
 * Linking by phone number from the admin UI (issue #14), in headless Chromium against the real server and
 * the real Baileys socket on the simulator: the form (open by default with LINK_METHOD=code) refuses a
 * number in national format, shows the code WhatsApp confirmed, the simulated phone types it, and the card
 * turns into "Linked!" without a reload.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import type { TestApp } from '../helpers/app.js';
import { isState, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';
import { axeSerious, newContext, prepareBrowser, shot, signIn } from './helpers.js';

let browser: Browser;
let sim: Simulator | undefined;
let t: TestApp | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  silenceConsole();
  browser = await prepareBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await t?.stop();
  await sim?.stop();
  context = t = sim = undefined;
});

describe('admin UI: link with phone number (browser)', () => {
  it('requests a code, shows it, and shows the link once the phone typed it', async () => {
    sim = await startSim();
    t = await startSimApp(sim, { LINK_METHOD: 'code' });
    context = await newContext(browser, { viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, t.url);
    await waitState(t, isState('awaiting-qr'));
    await page.getByTestId('qr-card').waitFor({ state: 'visible' });

    // LINK_METHOD=code: the form is open without a click.
    await expect.poll(() => page.getByTestId('pairing').evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    await expect.poll(() => page.getByTestId('pairing-submit').isEnabled()).toBe(true);
    expect(await axeSerious(page)).toEqual([]);

    await page.getByTestId('pairing-phone').fill('07700 900123');
    await page.getByTestId('pairing-submit').click();
    await expect.poll(() => page.getByTestId('pairing-error').textContent()).toMatch(/international format/);
    expect(await page.getByTestId('pairing-phone').getAttribute('aria-invalid')).toBe('true');

    await page.getByTestId('pairing-phone').fill(`+${sim.phone.number}`);
    await page.getByTestId('pairing-submit').click();
    const code = page.getByTestId('pairing-code');
    await code.waitFor({ state: 'visible' });
    const shown = (await code.textContent()) ?? '';
    expect(shown).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(await page.getByTestId('pairing-error').isHidden()).toBe(true);
    await shot(page, 'pairing-code-shown');

    // A reload shows the same code again (GET /api/pairing-code), not a new one.
    await page.reload();
    await expect.poll(() => page.getByTestId('pairing-code').textContent()).toBe(shown);

    await sim.enterPairingCode(shown);
    await page.getByTestId('qr-success').waitFor({ state: 'visible' });
    await expect.poll(() => page.getByTestId('linked-as').textContent()).toContain(`+${sim.phone.number}`);
    await shot(page, 'pairing-code-linked');
    expect(errors).toEqual([]);
  });
});
