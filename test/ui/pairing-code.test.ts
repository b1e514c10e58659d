/**
 * Linking by phone number from the admin UI (issue #14), in headless Chromium against the real server and
 * the real Baileys socket on the simulator: the form (open by default with LINK_METHOD=code) refuses a
 * number in national format, shows the code WhatsApp confirmed, the overview says to type it on the phone
 * (what-now panel, header pill), the simulator panel's phone types it (a wrong code first: nothing links),
 * and the card turns into "Linked!" without a reload.
 */
import { describe, expect, it } from 'vitest';
import { isState, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';
import { axeSerious, browserSuite, shot, signIn } from './helpers.js';

const suite = browserSuite();

describe('admin UI: link with phone number (browser)', () => {
  it('requests a code, shows it with the steps, and shows the link once the phone typed it', async () => {
    silenceConsole();
    const sim = suite.cleanup(await startSim());
    const t = suite.cleanup(await startSimApp(sim, { LINK_METHOD: 'code' }));
    const { page, errors } = await suite.page({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' }, 10_000);
    await signIn(page, t.url);
    await waitState(t, isState('awaiting-qr'));
    await page.getByTestId('qr-card').waitFor({ state: 'visible' });
    await expect.poll(() => page.getByTestId('header-state').textContent()).toBe('Waiting for QR scan');

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

    // The overview now asks for the code to be typed, not for a scan.
    await expect.poll(() => page.getByTestId('what-now-title').textContent()).toBe('Type the code on the phone');
    expect(await page.getByTestId('what-now-what').textContent()).toContain(`A pairing code for +${sim.phone.number} is waiting to be typed`);
    expect(await page.getByTestId('what-now-todo').textContent()).toMatch(/Linked devices → Link a device → “Link with phone number instead”/);
    expect(await page.getByTestId('header-state').textContent()).toBe('Waiting for the code to be typed on the phone');
    expect(await page.title()).toMatch(/^Waiting for the code to be typed on the phone — /);
    await shot(page, 'pairing-code-shown');

    // A reload shows the same code again (GET /api/pairing-code), not a new one.
    await page.reload();
    await expect.poll(() => page.getByTestId('pairing-code').textContent()).toBe(shown);

    // The demo's phone types it in the simulator panel: a wrong code links nothing, the right one links.
    const panel = page.getByTestId('simulator-panel');
    await panel.waitFor({ state: 'visible' });
    // The panel names the number to request the code for.
    expect(await page.getByTestId('sim-phone-number').textContent()).toBe(`+${sim.phone.number}`);
    const wrong = [...shown.replace('-', '')].map((c) => (c === '1' ? '2' : '1')).join('');
    await page.getByTestId('sim-pairing-code').fill(wrong);
    await page.getByTestId('sim-enter-code').click();
    await expect.poll(() => page.getByTestId('sim-result').textContent()).toBe('Enter pairing code: The phone could not link: wrong pairing code: the companion key bundle did not open');
    expect(t.app.runtime.getSummary().state).toBe('awaiting-qr');
    expect(await page.getByTestId('what-now-title').textContent()).toBe('Type the code on the phone');

    await page.getByTestId('sim-pairing-code').fill(shown.toLowerCase());
    await page.getByTestId('sim-enter-code').click();
    await expect.poll(() => page.getByTestId('sim-result').textContent()).toBe('Enter pairing code: sent.');
    await page.getByTestId('qr-success').waitFor({ state: 'visible' });
    await expect.poll(() => page.getByTestId('linked-as').textContent()).toContain(`+${sim.phone.number}`);
    expect(await page.getByTestId('sim-pairing-code').inputValue()).toBe('');
    await expect.poll(() => page.getByTestId('header-state').textContent()).toBe('Connected');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'pairing-code-linked');
    expect(errors).toEqual([]);
  });
});
