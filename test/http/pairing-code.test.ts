/**
 * POST/GET /api/pairing-code (issue #14) on the real server with a scripted engine: the status codes and
 * bodies of every outcome, and the code never leaking into a status.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const post = (app: TestApp, body: unknown) =>
  app.api('/api/pairing-code', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('/api/pairing-code', () => {
  it('answers every outcome with its status, and shows the confirmed code only here', async () => {
    const engine = scriptedEngine();
    t = await startTestApp({}, { engine: engine.factory });
    const app = t;

    expect((await app.api('/api/pairing-code')).status).toBe(204);
    expect((await app.api('/api/pairing-code', { method: 'DELETE' })).status).toBe(405);
    const badBody = await post(app, { number: '447700900123' });
    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toMatchObject({ code: 'invalid_input' });
    const national = await post(app, { phone: '07700 900123' });
    expect(national.status).toBe(400);
    expect(await national.json()).toMatchObject({ code: 'invalid_input', error: expect.stringMatching(/international format/) });

    // Still connecting: not a state where a code can be requested.
    const early = await post(app, { phone: '+44 7700 900123' });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: 'wrong_state', retryable: true, nextStep: expect.stringMatching(/awaiting-qr/) });

    engine.emit({ type: 'ENGINE.QR', qr: '2@ref,a,b,c' });
    // WhatsApp refuses: 502 with WhatsApp's words.
    const refused = post(app, { phone: '+44 7700 900123' });
    await eventually(() => engine.commands.some((c) => c.type === 'PAIRING_CODE'));
    expect(engine.commands.at(-1)).toEqual({ type: 'PAIRING_CODE', phone: '447700900123' });
    engine.emit({ type: 'ENGINE.PAIRING_CODE_FAILED', phone: '447700900123', error: 'WhatsApp refused the pairing code request (400 bad-request)', code: 400 });
    const r1 = await refused;
    expect(r1.status).toBe(502);
    expect(await r1.json()).toMatchObject({ code: 'upstream_failed', error: expect.stringMatching(/400 bad-request/) });

    // Confirmed: 200 with the code; GET shows it again; statuses only say it exists.
    const ok = post(app, { phone: '+44 7700 900123' });
    await eventually(() => engine.commands.filter((c) => c.type === 'PAIRING_CODE').length === 2);
    engine.emit({ type: 'ENGINE.PAIRING_CODE', phone: '447700900123', code: 'K3Y5P8QZ' });
    const r2 = await ok;
    expect(r2.status).toBe(200);
    expect(await r2.json()).toMatchObject({ code: 'K3Y5P8QZ', display: 'K3Y5-P8QZ', phone: '447700900123', state: 'awaiting-qr' });
    expect(await (await app.api('/api/pairing-code')).json()).toMatchObject({ code: 'K3Y5P8QZ', display: 'K3Y5-P8QZ', phone: '447700900123' });
    for (const path of ['/api/status', '/api/state']) {
      const text = await (await app.api(path)).text();
      expect(text).not.toContain('K3Y5P8QZ');
    }
    expect(await (await app.api('/api/status')).json()).toMatchObject({ state: 'awaiting-qr', pairingCode: { available: true, requestable: true } });

    // Linked: nothing to show, and a request says so.
    engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900123@s.whatsapp.net' } });
    expect((await app.api('/api/pairing-code')).status).toBe(204);
    const linked = await post(app, { phone: '+44 7700 900123' });
    expect(linked.status).toBe(409);
    expect(await linked.json()).toMatchObject({ code: 'wrong_state', error: expect.stringMatching(/Already linked/) });
  });
});
