import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { summarize } from '../../machines/status.js';
import { backoffDelay, DEFAULT_LIFECYCLE_CONFIG } from '../../machines/types.js';
import { allTransitions, startTree, takenTransitions, type Tree } from './harness.js';

const T0 = Date.UTC(2026, 0, 1);
let t: Tree;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  t?.stop();
  vi.useRealTimers();
});

function openTree(over = {}): Tree {
  t = startTree(over);
  t.takeCommands();
  t.open();
  expect(t.state()).toBe('open');
  return t;
}

describe('boot and pairing', () => {
  it('starts connecting, asks the engine to connect, and is healthy inside the grace period only', () => {
    t = startTree({ readinessGraceMs: 10_000 });
    expect(t.state()).toBe('connecting');
    expect(t.takeCommands()).toEqual(['CONNECT']);
    expect(t.status().deadlines.graceAt).toBe(T0 + 10_000);
    vi.setSystemTime(T0 + 9_999);
    expect(t.health()).toMatchObject({ ok: true, httpStatus: 200, state: 'connecting' });
    vi.setSystemTime(T0 + 10_000);
    expect(t.health()).toMatchObject({ ok: false, httpStatus: 503 });
    expect(t.health().reason).toMatch(/grace/);
  });

  it('shows the QR in awaiting-qr, healthy even after the grace period, then opens', () => {
    t = startTree({ readinessGraceMs: 1_000 });
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

  it('pairing: a 515 right after the scan reconnects at once; a 401 at login wipes auth and shows a QR', () => {
    t = startTree();
    t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
    t.takeCommands();
    t.close(515);
    expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
    expect(t.takeCommands()).toEqual(['CONNECT']);
    t.close(401);
    expect(t.takeCommands()).toEqual(['WIPE_AUTH', 'CONNECT']);
  });

  it('LOGOUT while awaiting a QR restarts the pairing', () => {
    t = startTree();
    t.emit({ type: 'ENGINE.QR', qr: 'ref-1' });
    t.takeCommands();
    t.send({ type: 'LOGOUT' });
    expect(t.takeCommands()).toEqual(['LOGOUT', 'CONNECT']);
    expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
  });

  it('handles a QR arriving while open (the server unlinked us silently)', () => {
    openTree();
    t.emit({ type: 'ENGINE.QR', qr: 'again' });
    expect(t.state()).toBe('awaiting-qr');
  });
});

describe('authenticated (a linked device)', () => {
  const summary = () => summarize(t.tree(), Date.now());

  it('is false from the moment the device is unlinked: a 401, a logout, a QR while open', () => {
    openTree();
    expect(summary()).toMatchObject({ authenticated: true, me: { id: '447700900001@s.whatsapp.net' } });
    t.close(401);
    expect(t.state()).toBe('connecting');
    expect(summary()).toMatchObject({ authenticated: false, me: null });
    t.open();
    t.send({ type: 'LOGOUT' });
    expect(summary()).toMatchObject({ state: 'connecting', authenticated: false, me: null });
    t.open();
    t.emit({ type: 'ENGINE.QR', qr: 'again' });
    expect(summary()).toMatchObject({ state: 'awaiting-qr', authenticated: false, me: null, qrAvailable: true });
  });

  it('stays true while a linked device reconnects or restarts', () => {
    openTree({ disconnectRecoveryDelayMs: 10 });
    t.close(428);
    expect(summary()).toMatchObject({ state: 'connecting', authenticated: true });
    vi.advanceTimersByTime(10);
    expect(summary()).toMatchObject({ state: 'restarting', authenticated: true });
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    expect(summary()).toMatchObject({ state: 'connecting', authenticated: true, me: { id: '447700900001@s.whatsapp.net' } });
  });
});

describe('close-code table (SPEC §7)', () => {
  it('515 restart-required reconnects at once with no backoff', () => {
    openTree();
    t.close(515);
    expect(t.state()).toBe('connecting');
    expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
    expect(t.takeCommands()).toEqual(['CONNECT']);
    expect(t.status().lastDisconnect).toMatchObject({ code: 515 });
  });

  it.each([428, 408, 503, 500, 999])('%i reconnects after an exponential backoff', (code) => {
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

  it('jitter keeps every backoff inside ±jitter of the nominal delay and caps at the maximum', () => {
    const cfg = { ...DEFAULT_LIFECYCLE_CONFIG, backoffBaseMs: 1_000, backoffMaxMs: 10_000, backoffJitter: 0.2 };
    expect(backoffDelay(cfg, 0, () => 0)).toBe(800);
    expect(backoffDelay(cfg, 0, () => 1)).toBe(1_200);
    expect(backoffDelay(cfg, 2, () => 0.5)).toBe(4_000);
    expect(backoffDelay(cfg, 30, () => 1)).toBe(12_000);
  });

  it('440 replaced goes to stuck without any reconnect or slow retry', () => {
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

  it.each([
    [403, 'forbidden'],
    [411, 'multi-device mismatch'],
  ])('%i goes to stuck with its reason and a slow retry', (code, reason) => {
    openTree({ stuckRetryMs: 60_000 });
    t.close(code);
    expect(t.state()).toBe('stuck');
    expect(t.status().reason).toBe(reason);
    expect(t.status().deadlines.stuckRetryAt).toBe(T0 + 60_000);
  });

  it('401 wipes the auth state before the next attempt and lands in awaiting-qr', () => {
    openTree();
    t.close(401);
    expect(t.takeCommands()).toEqual(['WIPE_AUTH', 'CONNECT']);
    t.emit({ type: 'ENGINE.QR', qr: 'fresh' });
    expect(t.state()).toBe('awaiting-qr');
    expect(t.status().me).toBeNull();
  });

  it('a self-inflicted close never triggers a second recovery', () => {
    openTree();
    for (const code of [428, 515, 401, 440]) t.close(code, true);
    expect(t.state()).toBe('open');
    expect(t.takeCommands()).toEqual([]);
  });
});

describe('disconnect watchdog', () => {
  it('escalates a restart-listed code (428) to a full restart when not open in time', () => {
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

  it('the close that began the outage decides, not the latest one (SPEC §7, #12 item 12)', () => {
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

  it('an outage begun by a code outside the restart list only reconnects, even if later closes are listed', () => {
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

  it('reconnects (no restart) for codes not in the restart list', () => {
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

  it('does not run while a QR is waiting for a human', () => {
    openTree({ disconnectRecoveryDelayMs: 1_000 });
    t.close(401);
    t.emit({ type: 'ENGINE.QR', qr: 'scan me' });
    vi.advanceTimersByTime(60_000);
    expect(t.state()).toBe('awaiting-qr');
    expect(t.engineStarts).toBe(1);
  });
});

describe('soft-resync ladder', () => {
  const ladder = { syncSoftRecoveryLimit: 2, syncRecoveryWindowMs: 900_000, syncRecoveryCooldownMs: 300_000 };
  const fail = (collection = 'regular_high') =>
    t.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection, detail: 'failed to find key to decode mutation' });

  it('first failure resyncs the collection in place and returns to open', () => {
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

  it('inside the cooldown a failure is counted, not acted on; past it, a new soft-resync runs', () => {
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

  it('more failures than the limit inside the window escalate to restarting, then stuck over budget, then an operator restart opens', () => {
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

  it('failures outside the window do not count towards the limit', () => {
    openTree({ ...ladder, syncRecoveryCooldownMs: 0 });
    fail();
    t.emit({ type: 'ENGINE.RESYNC_DONE' });
    fail();
    t.emit({ type: 'ENGINE.RESYNC_DONE' });
    vi.advanceTimersByTime(900_000);
    fail();
    expect(t.state()).toBe('soft-resync');
  });

  it('a failing resync reconnects the socket when WA_RESYNC_RECONNECT=1', () => {
    openTree({ ...ladder, resyncReconnect: true });
    fail();
    t.takeCommands();
    t.emit({ type: 'ENGINE.RESYNC_FAILED', error: 'boom' });
    expect(t.connectionValue()).toEqual({ connecting: 'handshake' });
    expect(t.takeCommands()).toEqual(['CONNECT']);
  });

  it('a failing resync returns to open when WA_RESYNC_RECONNECT=0', () => {
    openTree({ ...ladder, resyncReconnect: false });
    fail();
    t.emit({ type: 'ENGINE.RESYNC_FAILED', error: 'boom' });
    expect(t.state()).toBe('open');
  });

  it('a resync that never answers times out after WA_RESYNC_RECONNECT_DELAY_MS (reconnect or back to open)', () => {
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

  it('failures during a soft-resync count, and too many escalate', () => {
    openTree(ladder);
    fail();
    fail();
    expect(t.state()).toBe('soft-resync');
    fail();
    expect(t.state()).toBe('restarting');
  });

  it.each([
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

  it('LOGOUT during soft-resync abandons the resync and unlinks', () => {
    openTree(ladder);
    fail();
    t.takeCommands();
    t.send({ type: 'LOGOUT' });
    expect(t.takeCommands()).toEqual(['LOGOUT', 'CONNECT']);
    expect(t.status().deadlines.resyncDeadline).toBeNull();
  });
});

describe('restart budget (intensity/period)', () => {
  const fail = () => t.failEngineOnNextCommand();

  function escalateRestart(): void {
    // A worker escalation: the watchdog with a restart-listed code is the shortest scripted path.
    t.close(428);
    vi.advanceTimersByTime(t.config.disconnectRecoveryDelayMs);
  }

  it('allows exactly WA_RESTART_INTENSITY restarts in the period and goes stuck on the next one', () => {
    openTree({ restartIntensity: 3, restartPeriodMs: 600_000, disconnectRecoveryDelayMs: 10, backoffBaseMs: 1 });
    for (let i = 1; i <= 3; i++) {
      escalateRestart();
      expect(t.state()).toBe('restarting');
      expect(t.status().restartBudget.used).toBe(i);
      vi.advanceTimersByTime(Math.max(1, t.status().deadlines.restartAt! - Date.now()));
      expect(t.state()).toBe('connecting');
    }
    escalateRestart();
    expect(t.state()).toBe('stuck');
    expect(t.status().reason).toBe('restart budget exhausted');
  });

  it('restarts age out of the period', () => {
    openTree({ restartIntensity: 1, restartPeriodMs: 60_000, disconnectRecoveryDelayMs: 10 });
    escalateRestart();
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    vi.advanceTimersByTime(60_000);
    escalateRestart();
    expect(t.state()).toBe('restarting');
  });

  it('backs off between consecutive restarts', () => {
    openTree({ restartIntensity: 5, disconnectRecoveryDelayMs: 10, backoffBaseMs: 1_000 });
    escalateRestart();
    expect(t.status().deadlines.restartAt).toBe(Date.now());
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    escalateRestart();
    expect(t.status().deadlines.restartAt).toBe(Date.now() + 1_000);
    vi.advanceTimersByTime(999);
    expect(t.state()).toBe('restarting');
    vi.advanceTimersByTime(1);
    expect(t.state()).toBe('connecting');
  });

  it('intensity 0 means no automatic restart at all', () => {
    openTree({ restartIntensity: 0, disconnectRecoveryDelayMs: 10 });
    escalateRestart();
    expect(t.state()).toBe('stuck');
  });

  it('a failed engine command is a worker failure handled by the budget', () => {
    openTree({ restartIntensity: 1 });
    fail();
    t.send({ type: 'FORCE_RESYNC' });
    expect(t.state()).toBe('restarting');
    expect(t.actor.getSnapshot().context.lastEscalation).toEqual({ kind: 'restart', reason: 'engine crashed (RESYNC failed)' });
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    t.open();
    fail();
    t.send({ type: 'FORCE_RESYNC' });
    expect(t.state()).toBe('stuck');
  });

  it('an engine that throws while starting is a worker failure handled by the budget', () => {
    t = startTree({ restartIntensity: 1, stuckRetryMs: 0 }, { engineThrowsOnStart: true });
    expect(t.state()).toBe('restarting');
    expect(t.actor.getSnapshot().context.lastEscalation).toEqual({ kind: 'restart', reason: 'engine crashed' });
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    expect(t.state()).toBe('stuck');
    expect(t.status().reason).toBe('restart budget exhausted');
  });

  it('stuck retries slowly; a failed probe goes straight back to stuck, a successful one leaves it', () => {
    openTree({ restartIntensity: 0, stuckRetryMs: 120_000, disconnectRecoveryDelayMs: 10 });
    escalateRestart();
    expect(t.state()).toBe('stuck');
    const stuckAt = Date.now();
    expect(t.status().deadlines.stuckRetryAt).toBe(stuckAt + 120_000);
    vi.advanceTimersByTime(120_000);
    expect(t.state()).toBe('connecting');
    // Still unhealthy: the outage that began before stuck has outlived its grace.
    escalateRestart();
    expect(t.state()).toBe('stuck');
    expect(t.status().reason).toBe('restart budget exhausted');
    vi.advanceTimersByTime(120_000);
    t.open();
    expect(t.state()).toBe('open');
    expect(t.health().ok).toBe(true);
  });

  it('a worker asking to be stuck while on probation stays stuck with the new reason', () => {
    openTree({ restartIntensity: 0, stuckRetryMs: 1_000, disconnectRecoveryDelayMs: 10 });
    escalateRestart();
    vi.advanceTimersByTime(1_000);
    t.close(403);
    expect(t.state()).toBe('stuck');
    expect(t.status().reason).toBe('forbidden');
  });
});

describe('operator commands', () => {
  it('RESTART from open goes through restarting to a fresh worker without using the budget', () => {
    openTree();
    t.send({ type: 'RESTART' });
    expect(t.state()).toBe('restarting');
    expect(t.engineRunning).toBe(false);
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    expect(t.state()).toBe('connecting');
    expect(t.engineStarts).toBe(2);
    expect(t.status().restartBudget.used).toBe(0);
  });

  it('RESTART while restarting skips the remaining backoff', () => {
    openTree({ disconnectRecoveryDelayMs: 10, backoffBaseMs: 60_000 });
    t.close(428);
    vi.advanceTimersByTime(10);
    vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
    t.close(428);
    vi.advanceTimersByTime(10);
    expect(t.state()).toBe('restarting');
    t.send({ type: 'RESTART' });
    expect(t.state()).toBe('connecting');
  });

  it('LOGOUT from open unlinks through the engine and waits for a new QR', () => {
    openTree();
    t.send({ type: 'LOGOUT' });
    expect(t.takeCommands()).toEqual(['LOGOUT', 'CONNECT']);
    t.close(401, true);
    t.emit({ type: 'ENGINE.QR', qr: 'new' });
    expect(t.state()).toBe('awaiting-qr');
    expect(t.status().me).toBeNull();
  });

  it('LOGOUT while stuck or restarting starts a worker that wipes auth first', () => {
    openTree();
    t.close(440);
    t.send({ type: 'LOGOUT' });
    expect(t.state()).toBe('connecting');
    expect(t.takeCommands()).toEqual(['WIPE_AUTH', 'CONNECT']);
    t.emit({ type: 'ENGINE.QR', qr: 'x' });
    t.send({ type: 'RESTART' });
    expect(t.state()).toBe('restarting');
    t.send({ type: 'LOGOUT' });
    expect(t.takeCommands()).toEqual(['WIPE_AUTH', 'CONNECT']);
  });

  it('FORCE_RESYNC bypasses the cooldown', () => {
    openTree({ syncRecoveryCooldownMs: 300_000 });
    t.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular', detail: 'x' });
    t.emit({ type: 'ENGINE.RESYNC_DONE' });
    t.send({ type: 'FORCE_RESYNC', collection: 'critical_block' });
    expect(t.state()).toBe('soft-resync');
    expect(t.commands.at(-1)).toEqual({ type: 'RESYNC', collection: 'critical_block' });
  });

  it('RESET forgets the budget and failure history and starts a fresh worker', () => {
    openTree({ restartIntensity: 0, disconnectRecoveryDelayMs: 10 });
    t.close(428);
    vi.advanceTimersByTime(10);
    expect(t.state()).toBe('stuck');
    t.send({ type: 'RESET' });
    expect(t.state()).toBe('connecting');
    expect(t.status().restartBudget.used).toBe(0);
    expect(t.status().reason).toBe('reset by operator');
  });

  it('commands that make no sense in a state are refused by the machine (can() is false)', () => {
    openTree();
    t.close(440);
    expect(t.actor.getSnapshot().can({ type: 'FORCE_RESYNC' })).toBe(false);
    expect(t.actor.getSnapshot().can({ type: 'RESTART' })).toBe(true);
  });
});

describe('a worker that throws', () => {
  it('is restarted within the budget, goes stuck over it, and straight back to stuck on probation', () => {
    t = startTree({ restartIntensity: 1, stuckRetryMs: 1_000 }, { crashingWorker: true });
    expect(t.state()).toBe('restarting');
    expect(t.status().reason).toBe('restarting');
    vi.advanceTimersByTime(1);
    expect(t.state()).toBe('stuck');
    vi.advanceTimersByTime(1_000);
    expect(t.state()).toBe('stuck');
    expect(t.status().reason).toBe('restart budget exhausted');
  });
});

describe('machine definitions', () => {
  it('name the public states exactly', () => {
    const json = JSON.stringify([supervisorMachine.toJSON(), connectionMachine.toJSON()]);
    for (const s of ['connecting', 'awaiting-qr', 'open', 'soft-resync', 'restarting', 'stuck']) {
      expect(json).toContain(`"key":"${s}"`);
    }
  });

  it('every state carries a why-comment-sized description', () => {
    interface NodeJson { id: string; description?: unknown; states?: Record<string, NodeJson> }
    const nodes: NodeJson[] = [];
    const visit = (n: NodeJson) => {
      for (const child of Object.values(n.states ?? {})) {
        nodes.push(child);
        visit(child);
      }
    };
    for (const m of [supervisorMachine, connectionMachine]) visit(m.toJSON() as NodeJson);
    expect(nodes.map((n) => n.id).sort()).toEqual([
      'connection.connecting',
      'connection.connecting.awaiting-qr',
      'connection.connecting.backoff',
      'connection.connecting.handshake',
      'connection.escalated',
      'connection.open',
      'connection.soft-resync',
      'supervisor.restarting',
      'supervisor.running',
      'supervisor.stuck',
    ]);
    const bad = nodes
      .filter((n) => typeof n.description !== 'string' || !/^[^\n]{20,110}$/.test(n.description) || n.description.trim() !== n.description)
      .map((n) => `${n.id}: ${JSON.stringify(n.description)}`);
    expect(bad).toEqual([]);
  });

  // Runs last: the scenarios above must have taken every transition branch of both machines.
  it('every transition branch of both machines was taken by the scenarios above', () => {
    const missing = [...allTransitions(supervisorMachine), ...allTransitions(connectionMachine)].filter(
      (k) => !takenTransitions.has(k),
    );
    expect(missing).toEqual([]);
  });
});
