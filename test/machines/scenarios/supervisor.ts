/** Supervisor scenarios (restart budget, stuck and probation, operator commands, crashing workers) on the real tree. */
import { expect, vi } from 'vitest';
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

export const supervisorScenarios = defineScenarios(
  () => {
    live?.stop();
    live = undefined;
  },
  ({ group, scenario }) => {
    group('restart budget (intensity/period)', () => {
      const fail = () => t.failEngineOnNextCommand();

      function escalateRestart(): void {
        // A worker escalation: the watchdog with a restart-listed code is the shortest scripted path.
        t.close(428);
        vi.advanceTimersByTime(t.config.disconnectRecoveryDelayMs);
      }

      scenario('allows exactly WA_RESTART_INTENSITY restarts in the period and goes stuck on the next one', () => {
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

      scenario('restarts age out of the period', () => {
        openTree({ restartIntensity: 1, restartPeriodMs: 60_000, disconnectRecoveryDelayMs: 10 });
        escalateRestart();
        vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
        vi.advanceTimersByTime(60_000);
        escalateRestart();
        expect(t.state()).toBe('restarting');
      });

      scenario('backs off between consecutive restarts', () => {
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

      scenario('intensity 0 means no automatic restart at all', () => {
        openTree({ restartIntensity: 0, disconnectRecoveryDelayMs: 10 });
        escalateRestart();
        expect(t.state()).toBe('stuck');
      });

      scenario('a failed engine command is a worker failure handled by the budget', () => {
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

      scenario('an engine that throws while starting is a worker failure handled by the budget', () => {
        start({ restartIntensity: 1, stuckRetryMs: 0 }, { engineThrowsOnStart: true });
        expect(t.state()).toBe('restarting');
        expect(t.actor.getSnapshot().context.lastEscalation).toEqual({ kind: 'restart', reason: 'engine crashed' });
        vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
        expect(t.state()).toBe('stuck');
        expect(t.status().reason).toBe('restart budget exhausted');
      });

      scenario('stuck retries slowly; a failed probe goes straight back to stuck, a successful one leaves it', () => {
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

      scenario('a worker asking to be stuck while on probation stays stuck with the new reason', () => {
        openTree({ restartIntensity: 0, stuckRetryMs: 1_000, disconnectRecoveryDelayMs: 10 });
        escalateRestart();
        vi.advanceTimersByTime(1_000);
        t.close(403);
        expect(t.state()).toBe('stuck');
        expect(t.status().reason).toBe('forbidden');
      });
    });

    group('operator commands', () => {
      scenario('RESTART from open goes through restarting to a fresh worker without using the budget', () => {
        openTree();
        t.send({ type: 'RESTART' });
        expect(t.state()).toBe('restarting');
        expect(t.engineRunning).toBe(false);
        vi.advanceTimersByTime(1); // node clamps a 0 ms timer to 1 ms
        expect(t.state()).toBe('connecting');
        expect(t.engineStarts).toBe(2);
        expect(t.status().restartBudget.used).toBe(0);
      });

      scenario('RESTART while restarting skips the remaining backoff', () => {
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

      scenario('LOGOUT from open unlinks through the engine and waits for a new QR', () => {
        openTree();
        t.send({ type: 'LOGOUT' });
        expect(t.takeCommands()).toEqual(['LOGOUT', 'CONNECT']);
        t.close(401, true);
        t.emit({ type: 'ENGINE.QR', qr: 'new' });
        expect(t.state()).toBe('awaiting-qr');
        expect(t.status().me).toBeNull();
      });

      scenario('LOGOUT while stuck or restarting starts a worker that wipes auth first', () => {
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

      scenario('FORCE_RESYNC bypasses the cooldown', () => {
        openTree({ syncRecoveryCooldownMs: 300_000 });
        t.emit({ type: 'ENGINE.APP_STATE_FAILURE', collection: 'regular', detail: 'x' });
        t.emit({ type: 'ENGINE.RESYNC_DONE' });
        t.send({ type: 'FORCE_RESYNC', collection: 'critical_block' });
        expect(t.state()).toBe('soft-resync');
        expect(t.commands.at(-1)).toEqual({ type: 'RESYNC', collection: 'critical_block' });
      });

      scenario('RESET forgets the budget and failure history and starts a fresh worker', () => {
        openTree({ restartIntensity: 0, disconnectRecoveryDelayMs: 10 });
        t.close(428);
        vi.advanceTimersByTime(10);
        expect(t.state()).toBe('stuck');
        t.send({ type: 'RESET' });
        expect(t.state()).toBe('connecting');
        expect(t.status().restartBudget.used).toBe(0);
        expect(t.status().reason).toBe('reset by operator');
      });

      scenario('commands that make no sense in a state are refused by the machine (can() is false)', () => {
        openTree();
        t.close(440);
        expect(t.actor.getSnapshot().can({ type: 'FORCE_RESYNC' })).toBe(false);
        expect(t.actor.getSnapshot().can({ type: 'RESTART' })).toBe(true);
      });
    });

    group('account restriction (issue #15)', () => {
      scenario('is kept in context in any state, healthy but explained, over when it ends, on UNRESTRICTED or on RESET', () => {
        openTree();
        t.send({ type: 'ACCOUNT.RESTRICTED', kind: 'reachout_timelock', until: T0 + 60_000, detail: '463' });
        const s = t.status();
        expect(s.state).toBe('open');
        expect(s.restriction).toMatchObject({ kind: 'reachout_timelock', until: T0 + 60_000, since: T0 });
        expect(t.health()).toMatchObject({ ok: true, reason: `WhatsApp restricts messages to new contacts (463 reachout timelock) until ${new Date(T0 + 60_000).toISOString()}` });
        // It survives a reconnect (it is the account's, not the socket's)…
        t.close(428);
        expect(t.status().restriction?.kind).toBe('reachout_timelock');
        // …and is over once its end passes, without any event.
        vi.advanceTimersByTime(60_000);
        expect(t.status().restriction).toBeNull();
        // With no announced end it holds until a reachout succeeds or the operator resets.
        t.send({ type: 'ACCOUNT.RESTRICTED', kind: 'account_restricted', until: null, detail: 'notice' });
        vi.advanceTimersByTime(86_400_000);
        expect(t.status().restriction?.kind).toBe('account_restricted');
        t.send({ type: 'ACCOUNT.UNRESTRICTED' });
        expect(t.status().restriction).toBeNull();
        t.send({ type: 'ACCOUNT.RESTRICTED', kind: 'rate_overlimit', until: null, detail: '429' });
        t.send({ type: 'RESET' });
        expect(t.status().restriction).toBeNull();
      });
    });

    group('a worker that throws', () => {
      scenario('is restarted within the budget, goes stuck over it, and straight back to stuck on probation', () => {
        start({ restartIntensity: 1, stuckRetryMs: 1_000 }, { crashingWorker: true });
        expect(t.state()).toBe('restarting');
        expect(t.status().reason).toBe('restarting');
        vi.advanceTimersByTime(1);
        expect(t.state()).toBe('stuck');
        vi.advanceTimersByTime(1_000);
        expect(t.state()).toBe('stuck');
        expect(t.status().reason).toBe('restart budget exhausted');
      });
    });

  },
);
