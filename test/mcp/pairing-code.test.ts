/**
 * `request_pairing_code` end to end (issue #14): the real MCP SDK client, the real app and Baileys socket,
 * the simulator's link-code exchange. The simulated phone types the code and the link opens.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import type { TestApp } from '../helpers/app.js';
import { isState, silenceConsole, startSim, startSimApp, waitState } from '../helpers/sim-app.js';
import { callErr, callOk, connectClient, startMcpApp } from './helpers.js';

interface CodeResult {
  code: string;
  display: string;
  phone: string;
  state: string;
  message: string;
}

describe('request_pairing_code', () => {
  let sim: Simulator | undefined;
  let t: TestApp | undefined;
  let client: Client | undefined;
  beforeAll(() => silenceConsole());
  afterEach(async () => {
    await client?.close();
    await t?.stop();
    await sim?.stop();
    client = t = sim = undefined;
  });

  it('LINK_METHOD=code: validates the number, reports a refusal, returns a confirmed code, and the typed code links', async () => {
    sim = await startSim();
    t = await startSimApp(sim, { LINK_METHOD: 'code' });
    client = await connectClient(t.url);
    const tool = (await client.listTools()).tools.find((x) => x.name === 'request_pairing_code');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
    expect(tool?.outputSchema).toBeDefined();
    await waitState(t, isState('awaiting-qr'));
    const pairingOf = async () => (await callOk<{ pairingCode: Record<string, unknown> }>(client!, 'check_auth_status')).pairingCode;
    expect(await pairingOf()).toEqual({ requestable: true, pending: false, available: false, phone: null, error: null });

    // Bad input never reaches WhatsApp.
    expect(await callErr(client, 'request_pairing_code', { phone: '07700 900123' })).toMatch(/international format.*country code/s);
    expect(await callErr(client, 'request_pairing_code', { phone: 'call me' })).toMatch(/not a phone number/);
    expect(await callErr(client, 'request_pairing_code', { phone: '+44', extra: 1 })).toMatch(/Unknown argument "extra"/);

    // A number WhatsApp has no account for: its refusal, not a dead code.
    expect(await callErr(client, 'request_pairing_code', { phone: '+1 555 000 9999' })).toMatch(/refused.*404/);
    expect(t.app.runtime.getSummary().pairingCode).toMatchObject({ requestable: true, available: false, error: expect.stringMatching(/404/) });
    expect(await pairingOf()).toEqual({ requestable: true, pending: false, available: false, phone: '15550009999', error: expect.stringMatching(/404/) });

    const r = await callOk<CodeResult>(client, 'request_pairing_code', { phone: `+${sim.phone.number}` });
    expect(r).toMatchObject({ phone: sim.phone.number, state: 'awaiting-qr' });
    expect(r.code).toMatch(/^[0-9A-Z]{8}$/);
    expect(r.display).toBe(`${r.code.slice(0, 4)}-${r.code.slice(4)}`);
    expect(r.message).toContain(r.display);
    expect(t.app.runtime.getState().value.connection).toEqual({ connecting: 'awaiting-code' });
    const status = await callOk<Record<string, unknown>>(client, 'check_auth_status');
    expect(status).toMatchObject({ state: 'awaiting-qr', reason: 'waiting for the pairing code to be entered on the phone' });
    // check_auth_status says a code waits and for which number, never the code.
    expect(status.pairingCode).toEqual({ requestable: true, pending: false, available: true, phone: sim.phone.number, error: null });
    expect(JSON.stringify(status)).not.toContain(r.code);
    // Like the QR, the code is never part of a status.
    const apiStatus = await (await t.api('/api/status')).text();
    expect(apiStatus).not.toContain(r.code);
    expect(JSON.parse(apiStatus)).toMatchObject({ pairingCode: { available: true, phone: sim.phone.number } });

    await sim.enterPairingCode(r.code);
    const open = await waitState(t, isState('open'));
    expect(open.me?.id).toMatch(new RegExp(`^${sim.phone.number}@`));
    expect(await pairingOf()).toEqual({ requestable: false, pending: false, available: false, phone: null, error: null });
    expect(await callErr(client, 'request_pairing_code', { phone: sim.phone.number })).toMatch(/Already linked as .*log out first \(logout\)/s);
  });

  it('a code dies with its socket; the next socket registers afresh (no login with half-made creds, no 401)', async () => {
    sim = await startSim();
    t = await startSimApp(sim, { LINK_METHOD: 'code' });
    client = await connectClient(t.url);
    await waitState(t, isState('awaiting-qr'));
    const first = await callOk<CodeResult>(client, 'request_pairing_code', { phone: sim.phone.number });
    const seenBefore = t.app.runtime.getState().recentTransitions.length;
    sim.injectFault({ kind: 'close' });
    // Back to a fresh QR on a new socket: the old code is gone from the status.
    await waitState(t, (s) => s.state === 'awaiting-qr' && s.pairing === null && s.lastDisconnect?.code === 428);
    const after = t.app.runtime.getState().recentTransitions.slice(seenBefore);
    expect(after.some((tr) => tr.code === 401)).toBe(false);
    expect(t.app.runtime.getSummary().authenticated).toBe(false);
    // The dead code links nothing; a new one does.
    await expect(sim.enterPairingCode(first.code)).rejects.toThrow(/no companion is waiting/);
    const second = await callOk<CodeResult>(client, 'request_pairing_code', { phone: sim.phone.number });
    await sim.enterPairingCode(second.code);
    await waitState(t, isState('open'));
  });

  it('LINK_METHOD=qr: the desktop identity is refused with the way out, and the QR still links', async () => {
    sim = await startSim();
    t = await startSimApp(sim);
    client = await connectClient(t.url);
    await waitState(t, isState('awaiting-qr'));
    const err = await callErr(client, 'request_pairing_code', { phone: sim.phone.number });
    expect(err).toMatch(/400 bad-request.*desktop app.*link_method to code/s);
    expect(t.app.runtime.getState().value.connection).toEqual({ connecting: 'awaiting-qr' });
    await sim.scanQr();
    await waitState(t, isState('open'));
  });

  it('refuses while no unpaired connection exists, retryable, with the next step', async () => {
    t = await startMcpApp();
    client = await connectClient(t.url);
    const r = (await client.callTool({ name: 'request_pairing_code', arguments: { phone: '+44 7700 900123' } })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(r._meta).toMatchObject({ code: 'wrong_state', retryable: true });
    expect(JSON.stringify(r.content)).toMatch(/state awaiting-qr.*the state is connecting/);
  });
});
