/** Connection worker scenarios (close-code table, watchdog, pairing, soft-resync ladder) on the real tree. */
import { expect, vi } from 'vitest';
import { accepts, summarize } from '../../../machines/status.js';
import type { LifecycleConfig } from '../../../machines/types.js';
import { startTree, type Tree } from '../harness.js';
import { defineScenarios, T0 } from '../scenario-kit.js';

/** The tree of the running scenario (the scenarios read it the way tests read a `beforeEach` fixture). */
let t: Tree;
let live: Tree | undefined;

function start(...args: Parameters<typeof startTree>): Tree {
  t = live = startTree(...args);
  return t;
}

function openTree(over: Partial<LifecycleConfig> = {}): Tree {
  const tree = start(over);
  tree.takeCommands();
  tree.open();
  expect(tree.state()).toBe('open');
  return tree;
}

export const connectionScenarios = defineScenarios(
  () => {
    live?.stop();
    live = undefined;
  },
  ({ group, scenario, each }) => {
    group('boot and pairing', () => {
      scenario('starts connecting, asks the engine to connect, and is healthy inside the grace period only', () => {
        start({ readinessGraceMs: 10_000 });
        expect(t.state()).toBe('connecting');
        expect(t.takeCommands()).toEqual(['CONNECT']);
        expect(t.status().deadlines.graceAt).toBe(T0 + 10_000);
        vi.setSystemTime(T0 + 9_999);
        expect(t.health()).toMatchObject({ ok: true, httpStatus: 200, state: 'connecting' });
        vi.setSystemTime(T0 + 10_000);
        expect(t.health()).toMatchObject({ ok: false, httpStatus: 503 });
        expect(t.health().reason).toMatch(/grace/);
      });

      scenario('shows the QR in awaiting-qr, healthy even after the grace period, then opens', () => {
        start({ readinessGraceMs: 1_000 });
        t.emit({ type: 'ENGINE.CONNECTING' });
        t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
        expect(t.state()).toBe('awaiting-qr');
        expect(t.status().qr).toBe('ref-1');
        t.emit({ type: 'ENGINE.QR', qr: 'ref-2' });
        expect(t.status().qr).toBe('ref-2');
        vi.advanceTimersByTime(5_000);
        expect(t.health()).toMatchObject({ ok: true, state: 'awaiting-qr' });
        t.open('447700900001@s.whatsapp.net');
        expect(t.status()).toMatchObject({ state: 'open', reason: null, qr: null, me: { id: '447700900001@s.whatsapp.net' } });
        expect(t.status().deadlines.graceAt).toBeNull();
        expect(t.health().ok).toBe(true);
      });

      scenario('pairing: a 515 right after the scan reconnects at once; a 401 at login wipes auth and shows a QR', () => {
        start();
        t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
        t.takeCommands();
        t.close(515);
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
        expect(t.takeCommands()).toEqual(['CONNECT']);
        t.close(401);
        expect(t.takeCommands()).toEqual(['WIPE_AUTH', 'CONNECT']);
      });

      scenario('LOGOUT while awaiting a QR restarts the pairing', () => {
        start();
        t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
        t.takeCommands();
        t.send({ type: 'LOGOUT' });
        expect(t.takeCommands()).toEqual(['LOGOUT', 'CONNECT']);
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
      });

      scenario('handles a QR arriving while open (the server unlinked us silently)', () => {
        openTree();
        t.emit({ type: 'ENGINE.QR', qr: 'again' });
        expect(t.state()).toBe('awaiting-qr');
      });
    });

    group('linking by phone number (issue #14)', () => {
      const PHONE = '447700900001';
      const request = { type: 'REQUEST_PAIRING_CODE', phone: PHONE } as const;

      scenario('a code is asked for on the unpaired socket, awaited as awaiting-qr/awaiting-code, and the link opens', () => {
        start();
        expect(accepts(t.tree(), request)).toBe(false); // no socket offered a QR yet
        t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
        t.takeCommands();
        expect(summarize(t.tree(), Date.now()).pairingCode).toMatchObject({ requestable: true, pending: false, available: false });
        t.send(request);
        expect(t.commands.at(-1)).toEqual({ type: 'PAIRING_CODE', phone: PHONE });
        expect(t.status()).toMatchObject({ state: 'awaiting-qr', reason: 'waiting for WhatsApp to confirm the pairing code request', pairing: { id: 1, phone: PHONE, code: null } });
        // One request at a time: a second one while WhatsApp has not answered is refused.
        expect(accepts(t.tree(), request)).toBe(false);
        t.emit({ type: 'ENGINE.PAIRING_CODE', phone: PHONE, code: 'ABCD2345' });
        expect(t.connectionValue()).toEqual({ connecting: 'awaiting-code' });
        expect(t.status()).toMatchObject({ state: 'awaiting-qr', reason: 'waiting for the pairing code to be entered on the phone', pairing: { code: 'ABCD2345' } });
        expect(t.health()).toMatchObject({ ok: true, state: 'awaiting-qr' });
        // The QR keeps rotating (still scannable) without leaving the code.
        t.emit({ type: 'ENGINE.QR', qr: 'ref-2' });
        expect(t.connectionValue()).toEqual({ connecting: 'awaiting-code' });
        expect(t.status()).toMatchObject({ qr: 'ref-2', pairing: { code: 'ABCD2345' } });
        const summary = summarize(t.tree(), Date.now());
        expect(summary.pairingCode).toEqual({ requestable: true, pending: false, available: true, phone: PHONE, error: null });
        expect(JSON.stringify(summary)).not.toContain('ABCD2345');
        // The phone typed it: WhatsApp restarts the stream (515) and the login opens.
        t.takeCommands();
        t.close(515);
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
        expect(t.status().pairing).toBeNull();
        expect(t.takeCommands()).toEqual(['CONNECT']);
        t.open();
        expect(t.status()).toMatchObject({ state: 'open', pairing: null });
        expect(accepts(t.tree(), request)).toBe(false);
      });

      scenario('a refused request stays on the QR with the reason; a refused replacement drops the old code too', () => {
        start();
        t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
        t.send(request);
        // An answer for another number is not this request's.
        t.emit({ type: 'ENGINE.PAIRING_CODE_FAILED', phone: '15550001', error: 'stale' });
        expect(t.status().pairing).toMatchObject({ code: null, error: null });
        t.emit({ type: 'ENGINE.PAIRING_CODE_FAILED', phone: PHONE, error: 'WhatsApp refused the request (400 bad-request)', code: 400 });
        expect(t.connectionValue()).toEqual({ connecting: 'awaiting-qr' });
        expect(summarize(t.tree(), Date.now()).pairingCode).toMatchObject({ requestable: true, pending: false, error: 'WhatsApp refused the request (400 bad-request)' });
        // Again, successfully, then a replacement that WhatsApp refuses.
        t.send(request);
        expect(t.status().pairing).toMatchObject({ id: 2, error: null });
        t.emit({ type: 'ENGINE.PAIRING_CODE', phone: PHONE, code: 'FIRST234' });
        t.send(request);
        expect(t.connectionValue()).toEqual({ connecting: 'awaiting-code' });
        expect(t.status().pairing).toMatchObject({ id: 3, code: null });
        t.emit({ type: 'ENGINE.PAIRING_CODE', phone: '15550001', code: 'STALE234' });
        expect(t.status().pairing?.code).toBeNull();
        t.emit({ type: 'ENGINE.PAIRING_CODE_FAILED', phone: PHONE, error: 'no answer from WhatsApp' });
        expect(t.connectionValue()).toEqual({ connecting: 'awaiting-qr' });
        expect(t.status().pairing).toMatchObject({ code: null, error: 'no answer from WhatsApp' });
      });

      scenario('a replacement code supersedes the first; the code dies with its socket', () => {
        start();
        t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
        t.send(request);
        t.emit({ type: 'ENGINE.PAIRING_CODE', phone: PHONE, code: 'FIRST234' });
        t.send({ type: 'REQUEST_PAIRING_CODE', phone: '15550001' });
        t.emit({ type: 'ENGINE.PAIRING_CODE', phone: '15550001', code: 'SECOND23' });
        expect(t.status().pairing).toMatchObject({ phone: '15550001', code: 'SECOND23' });
        // The QR refs ran out (408): the socket is gone and with it the code.
        t.close(408);
        expect(t.connectionValue()).toEqual({ connecting: 'backoff' });
        expect(t.status()).toMatchObject({ state: 'connecting', pairing: null });
        expect(summarize(t.tree(), Date.now()).pairingCode).toEqual({ requestable: false, pending: false, available: false, phone: null, error: null });
        // A late answer from the dead socket changes nothing.
        t.emit({ type: 'ENGINE.PAIRING_CODE', phone: '15550001', code: 'LATE2345' });
        expect(t.status().pairing).toBeNull();
      });
    });

    group('close-code table (SPEC §7)', () => {
      scenario('515 restart-required reconnects at once with no backoff', () => {
        openTree();
        t.close(515);
        expect(t.state()).toBe('connecting');
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
        expect(t.takeCommands()).toEqual(['CONNECT']);
        expect(t.status().lastDisconnect).toMatchObject({ code: 515 });
      });

      each([428, 408, 503, 500, 999])('%i reconnects after an exponential backoff', (code) => {
        openTree({ backoffBaseMs: 1_000, backoffMaxMs: 8_000 });
        t.close(code);
        expect(t.connectionValue()).toEqual({ connecting: 'backoff' });
        expect(t.status().deadlines.backoffUntil).toBe(T0 + 1_000);
        expect(t.takeCommands()).toEqual([]);
        vi.advanceTimersByTime(999);
        expect(t.takeCommands()).toEqual([]);
        vi.advanceTimersByTime(1);
        expect(t.takeCommands()).toEqual(['CONNECT']);
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
        // The next failure doubles the delay.
        t.close(code);
        expect(t.status().deadlines.backoffUntil).toBe(Date.now() + 2_000);
        // An open resets the exponent.
        vi.advanceTimersByTime(2_000);
        t.open();
        t.close(code);
        expect(t.status().deadlines.backoffUntil).toBe(Date.now() + 1_000);
      });

      scenario('440 replaced goes to stuck without any reconnect or slow retry', () => {
        openTree();
        t.close(440);
        expect(t.state()).toBe('stuck');
        expect(t.status().reason).toBe('replaced');
        expect(t.status().deadlines.stuckRetryAt).toBeNull();
        expect(t.engineRunning).toBe(false);
        vi.advanceTimersByTime(24 * 3600_000);
        expect(t.state()).toBe('stuck');
        expect(t.engineStarts).toBe(1);
        expect(t.health()).toMatchObject({ ok: false, httpStatus: 503, reason: 'replaced' });
        expect(t.status().lastDisconnect).toMatchObject({ code: 440, reason: 'replaced' });
      });

      each([
        [403, 'forbidden'],
        [411, 'multi-device mismatch'],
      ])('%i goes to stuck with its reason and a slow retry', (code, reason) => {
        openTree({ stuckRetryMs: 60_000 });
        t.close(code);
        expect(t.state()).toBe('stuck');
        expect(t.status().reason).toBe(reason);
        expect(t.status().deadlines.stuckRetryAt).toBe(T0 + 60_000);
      });

      scenario('401 wipes the auth state before the next attempt and lands in awaiting-qr', () => {
        openTree();
        t.close(401);
        expect(t.takeCommands()).toEqual(['WIPE_AUTH', 'CONNECT']);
        t.emit({ type: 'ENGINE.QR', qr: 'fresh' });
        expect(t.state()).toBe('awaiting-qr');
        expect(t.status().me).toBeNull();
      });

      scenario('a self-inflicted close never triggers a second recovery', () => {
        openTree();
        for (const code of [428, 515, 401, 440]) t.close(code, true);
        expect(t.state()).toBe('open');
        expect(t.takeCommands()).toEqual([]);
      });
    });

    group('disconnect watchdog', () => {
      scenario('escalates a restart-listed code (428) to a full restart when not open in time', () => {
        openTree({ disconnectRecoveryDelayMs: 30_000, backoffBaseMs: 1_000, backoffMaxMs: 1_000 });
        const startsBefore = t.engineStarts;
        t.close(428);
        expect(t.status().deadlines.watchdogAt).toBe(T0 + 30_000);
        // Keeps failing transiently; the watchdog deadline does not move with later closes.
        for (let i = 0; i < 5; i++) {
          vi.advanceTimersByTime(1_000);
          t.close(428);
        }
        expect(t.status().deadlines.watchdogAt).toBe(T0 + 30_000);
        vi.setSystemTime(T0 + 5_000);
        vi.advanceTimersByTime(30_000 - 5_000 - 1);
        expect(t.state()).toBe('connecting');
        vi.advanceTimersByTime(1);
        expect(t.state()).not.toBe('connecting');
        // restarting → a fresh worker (new engine) right away for the first restart
        vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
        expect(t.engineStarts).toBe(startsBefore + 1);
        expect(t.status().restartBudget.used).toBe(1);
      });

      scenario('the close that began the outage decides, not the latest one (SPEC §7, #12 item 12)', () => {
        openTree({ disconnectRecoveryDelayMs: 8_000, disconnectRecoveryRestartCodes: [428], backoffBaseMs: 1_000, backoffMaxMs: 1_000 });
        const startsBefore = t.engineStarts;
        t.close(428);
        // Every later attempt fails with 408, which alone would only reconnect.
        for (let i = 0; i < 5; i++) {
          vi.advanceTimersByTime(1_000);
          t.close(408);
        }
        expect(t.status().lastDisconnect).toMatchObject({ code: 408 });
        expect(t.status().outage).toEqual({ code: 428, reason: 'code 428', at: T0 });
        vi.advanceTimersByTime(8_000 - 5_000 - 1);
        expect(t.state()).toBe('connecting');
        vi.advanceTimersByTime(1);
        expect(t.state()).toBe('restarting');
        vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
        expect(t.engineStarts).toBe(startsBefore + 1);
        expect(t.status().restartBudget.used).toBe(1);
      });

      scenario('an outage begun by a code outside the restart list only reconnects, even if later closes are listed', () => {
        openTree({ disconnectRecoveryDelayMs: 8_000, disconnectRecoveryRestartCodes: [428], backoffBaseMs: 1_000, backoffMaxMs: 1_000 });
        t.close(408);
        for (let i = 0; i < 5; i++) {
          vi.advanceTimersByTime(1_000);
          t.close(428);
        }
        t.takeCommands();
        vi.advanceTimersByTime(3_000);
        expect(t.state()).toBe('connecting');
        expect(t.engineStarts).toBe(1);
        expect(t.status().outage).toMatchObject({ code: 408, at: T0 });
        // An open ends the outage.
        t.open();
        expect(t.status().outage).toBeNull();
      });

      scenario('reconnects (no restart) for codes not in the restart list', () => {
        openTree({ disconnectRecoveryDelayMs: 30_000, backoffBaseMs: 100_000, backoffMaxMs: 100_000 });
        t.close(503);
        t.takeCommands();
        vi.advanceTimersByTime(30_000);
        expect(t.state()).toBe('connecting');
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
        expect(t.takeCommands()).toEqual(['CONNECT']);
        expect(t.engineStarts).toBe(1);
        expect(t.status().deadlines.watchdogAt).toBe(Date.now() + 30_000);
      });

      scenario('does not run while a QR is waiting for a human', () => {
        openTree({ disconnectRecoveryDelayMs: 1_000 });
        t.close(401);
        t.emit({ type: 'ENGINE.QR', qr: 'scan me' });
        vi.advanceTimersByTime(60_000);
        expect(t.state()).toBe('awaiting-qr');
        expect(t.engineStarts).toBe(1);
      });
    });

    group('soft-resync ladder', () => {
      const ladder = { syncSoftRecoveryLimit: 2, syncRecoveryWindowMs: 900_000, syncRecoveryCooldownMs: 300_000 };
      const fail = (collection = 'regular_high') =>
        t.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection, detail: 'failed to find key to decode mutation' });

      scenario('first failure resyncs the collection in place and returns to open', () => {
        openTree(ladder);
        fail();
        expect(t.state()).toBe('soft-resync');
        expect(t.commands.at(-1)).toEqual({ type: 'RESYNC', collection: 'regular_high' });
        expect(t.health().ok).toBe(true);
        // A resync is not a disconnect.
        expect(t.status().lastDisconnect).toBeNull();
        t.emit({ type: 'ENGINE.RESYNC_DONE', collection: 'regular_high' });
        expect(t.state()).toBe('open');
        expect(t.engineStarts).toBe(1);
      });

      scenario('inside the cooldown a failure is counted, not acted on; past it, a new soft-resync runs', () => {
        openTree({ ...ladder, syncSoftRecoveryLimit: 5 });
        fail();
        t.emit({ type: 'ENGINE.RESYNC_DONE' });
        vi.advanceTimersByTime(300_000 - 1);
        fail();
        expect(t.state()).toBe('open');
        expect(t.status().syncFailures).toBe(2);
        vi.advanceTimersByTime(1);
        fail();
        expect(t.state()).toBe('soft-resync');
      });

      scenario('more failures than the limit inside the window escalate to restarting, then stuck over budget, then an operator restart opens', () => {
        openTree({ ...ladder, restartIntensity: 1, restartPeriodMs: 3_600_000, stuckRetryMs: 0 });
        fail(); // 1 → soft-resync
        t.emit({ type: 'ENGINE.RESYNC_DONE' });
        fail(); // 2 → counted (cooldown)
        expect(t.state()).toBe('open');
        fail(); // 3 > limit → restart
        expect(t.state()).toBe('restarting');
        vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
        t.open();
        fail();
        t.emit({ type: 'ENGINE.RESYNC_DONE' });
        fail();
        fail(); // over the limit again, but the budget (1 per hour) is used up
        expect(t.state()).toBe('stuck');
        expect(t.status().reason).toBe('restart budget exhausted');
        expect(t.health().httpStatus).toBe(503);
        t.send({ type: 'RESTART' });
        expect(t.state()).toBe('connecting');
        t.open();
        expect(t.status()).toMatchObject({ state: 'open', reason: null });
        expect(t.health().ok).toBe(true);
      });

      scenario('failures outside the window do not count towards the limit', () => {
        openTree({ ...ladder, syncRecoveryCooldownMs: 0 });
        fail();
        t.emit({ type: 'ENGINE.RESYNC_DONE' });
        fail();
        t.emit({ type: 'ENGINE.RESYNC_DONE' });
        vi.advanceTimersByTime(900_000);
        fail();
        expect(t.state()).toBe('soft-resync');
      });

      scenario('a failing resync reconnects the socket when WA_RESYNC_RECONNECT=1', () => {
        openTree({ ...ladder, resyncReconnect: true });
        fail();
        t.takeCommands();
        t.emit({ type: 'ENGINE.RESYNC_FAILED', error: 'boom' });
        expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
        expect(t.takeCommands()).toEqual(['CONNECT']);
      });

      scenario('a failing resync returns to open when WA_RESYNC_RECONNECT=0', () => {
        openTree({ ...ladder, resyncReconnect: false });
        fail();
        t.emit({ type: 'ENGINE.RESYNC_FAILED', error: 'boom' });
        expect(t.state()).toBe('open');
      });

      scenario('a resync that never answers times out after WA_RESYNC_RECONNECT_DELAY_MS (reconnect or back to open)', () => {
        openTree({ ...ladder, resyncReconnectDelayMs: 15_000 });
        fail();
        expect(t.status().deadlines.resyncDeadline).toBe(T0 + 15_000);
        vi.advanceTimersByTime(14_999);
        expect(t.state()).toBe('soft-resync');
        vi.advanceTimersByTime(1);
        expect(t.state()).toBe('connecting');
        t.stop();
        openTree({ ...ladder, resyncReconnect: false, resyncReconnectDelayMs: 15_000 });
        fail();
        vi.advanceTimersByTime(15_000);
        expect(t.state()).toBe('open');
      });

      scenario('failures during a soft-resync count, and too many escalate', () => {
        openTree(ladder);
        fail();
        fail();
        expect(t.state()).toBe('soft-resync');
        fail();
        expect(t.state()).toBe('restarting');
      });

      each([
        [428, false, 'connecting', { connecting: 'backoff' }],
        [515, false, 'connecting', { connecting: 'handshake' }],
        [401, false, 'connecting', { connecting: 'handshake' }],
        [440, false, 'stuck', undefined],
        [428, true, 'soft-resync', 'soft-resync'],
      ])('a close %i (self-inflicted: %s) during soft-resync follows the close table', (code, self, state, value) => {
        openTree(ladder);
        fail();
        t.close(code, self);
        expect(t.state()).toBe(state);
        expect(t.connectionValue()).toEqual(value);
      });

      scenario('LOGOUT during soft-resync abandons the resync and unlinks', () => {
        openTree(ladder);
        fail();
        t.takeCommands();
        t.send({ type: 'LOGOUT' });
        expect(t.takeCommands()).toEqual(['LOGOUT', 'CONNECT']);
        expect(t.status().deadlines.resyncDeadline).toBeNull();
      });
    });

  },
);
