/**
 * #14: the overview's words while linking by phone number, from a real status summary (scripted engine):
 * a code requested, then confirmed, turns "scan the code" into "type the code on the phone" (what-now plan
 * and the header's state words), and nothing of the code itself is in the words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { planFor } from '../../web/src/views/overview/what-now.js';
import { stateText } from '../../web/src/views/overview/lifecycle.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('what-now plan while linking by phone number', () => {
  it('says scan, then asking, then type the code', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    const app = t.app;
    engine.emit({ type: 'ENGINE.QR', qr: '2@ref,a,b,c' });
    await eventually(() => app.runtime.getSummary().state === 'awaiting-qr');

    const scan = app.runtime.getSummary();
    expect(planFor(scan, Date.now())).toMatchObject({ title: 'Link this server to WhatsApp', qr: true });
    expect(stateText(scan)).toBe('Waiting for QR scan');

    const asked = app.runtime.send({ type: 'REQUEST_PAIRING_CODE', phone: '447700900123' });
    expect(asked.accepted).toBe(true);
    const pending = app.runtime.getSummary();
    expect(pending.pairingCode).toMatchObject({ pending: true, available: false, phone: '447700900123' });
    expect(planFor(pending, Date.now())).toMatchObject({ title: 'Asking WhatsApp for a pairing code', what: expect.stringContaining('+447700900123'), qr: true });
    expect(stateText(pending)).toBe('Asking WhatsApp for a pairing code');

    engine.emit({ type: 'ENGINE.PAIRING_CODE', phone: '447700900123', code: 'ABCD2345' });
    await eventually(() => app.runtime.getSummary().pairingCode.available);
    const shown = app.runtime.getSummary();
    const plan = planFor(shown, Date.now());
    expect(plan).toMatchObject({ tone: 'info', title: 'Type the code on the phone', qr: true });
    expect(plan.what).toContain('A pairing code for +447700900123 is waiting to be typed');
    expect(plan.todo).toContain('“Link with phone number instead”');
    expect(JSON.stringify(plan)).not.toContain('ABCD');
    expect(stateText(shown)).toBe('Waiting for the code to be typed on the phone');
  });
});
