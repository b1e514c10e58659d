/**
 * #14, the demo's phone types the pairing code: POST /api/simulator/enter-pairing-code against the real
 * Baileys socket. Malformed codes are refused with 400 before the simulator sees them, no waiting request is
 * 409, a wrong code 400 (nothing linked, the app still waits), and the code the admin API showed, typed
 * the way a person would (lower case, with a dash), links the app.
 */
import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/app.js';
import { isState, simAppFixture, waitState } from '../helpers/sim-app.js';

const fixture = simAppFixture();

describe('POST /api/simulator/enter-pairing-code', () => {
  it('validates the code, refuses a wrong one, and links with the right one', async () => {
    const { sim, t, simPost } = await fixture.start({ env: { LINK_METHOD: 'code' }, pair: false });
    await waitState(t, isState('awaiting-qr'));

    for (const body of [{}, { code: 'ABCD-EFG' }, { code: 'ABCD-EFGO' }, { code: 'ABCDEFGH', phone: '1' }, { code: 12345678 }]) {
      const r = await simPost('enter-pairing-code', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(await r.json()).toMatchObject({ code: 'bad_request' });
    }
    const letterO = await simPost('enter-pairing-code', { code: 'ABCD-EFGO' });
    expect(await letterO.json()).toMatchObject({ error: expect.stringMatching(/^code: the 8-character pairing code/) });
    expect((await t.api('/api/simulator/enter-pairing-code')).status).toBe(405);

    // No code requested yet: the phone has no companion to answer.
    const none = await simPost('enter-pairing-code', { code: 'ABCD-EFGH' });
    expect(none.status).toBe(409);
    expect(await none.json()).toMatchObject({ code: 'wrong_state', error: expect.stringMatching(/no companion is waiting/) });

    const asked = await postJson(t, '/api/pairing-code', { phone: `+${sim.phone.number}` });
    expect(asked.status).toBe(200);
    const { code } = (await asked.json()) as { code: string };
    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);

    // A different valid-looking code: the key bundle does not open, nothing is linked.
    const wrong = [...code].map((c) => (c === '1' ? '2' : '1')).join('');
    const refused = await simPost('enter-pairing-code', { code: wrong });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'bad_request', error: expect.stringMatching(/^the phone could not link: wrong pairing code/) });
    expect(t.app.runtime.getSummary()).toMatchObject({ state: 'awaiting-qr', authenticated: false, pairingCode: { available: true } });

    const typed = `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase();
    const linked = await simPost('enter-pairing-code', { code: typed });
    expect(linked.status).toBe(202);
    const body = (await linked.json()) as { linked: boolean; result: { jid: string } };
    expect(body.linked).toBe(true);
    expect(body.result.jid.startsWith(`${sim.phone.number}:`)).toBe(true);
    const open = await waitState(t, isState('open'));
    expect(open.me?.id.split(/[:@]/)[0]).toBe(sim.phone.number);
  }, 60_000);
});
