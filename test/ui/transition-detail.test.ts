/**
 * #16 item 2: the runtime's transition records carry the close code, reason and the entered state's timer
 * delay, so the UI can say "428 connection lost → backoff 4 s" without guessing from later statuses.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../machines/types.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Transition } from '../../src/runtime/index.js';
import { eventually } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

describe('transition records', () => {
  it('a close carries its code and reason, the backoff its delay; a stuck escalation its code', async () => {
    const engine = scriptedEngine();
    const lifecycle = { ...DEFAULT_LIFECYCLE_CONFIG, backoffBaseMs: 4_000, backoffMaxMs: 4_000, backoffJitter: 0 };
    const runtime = createRuntime({ lifecycle, engine: engine.factory, logger: silentLogger() });
    const seen: Transition[] = [];
    runtime.subscribe((c) => {
      if (c.type === 'transition') seen.push(c.transition);
    });
    runtime.start();
    try {
      engine.emit({ type: 'ENGINE.OPEN', me: { id: '1@s.whatsapp.net' } });
      engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'Connection Closed', selfInflicted: false });
      const close = await eventually<Transition | undefined>(() => seen.find((t) => t.event === 'ENGINE.CLOSED' && t.to.includes('connection.connecting.backoff')));
      if (!close) throw new Error('no close');
      expect(close.code).toBe(428);
      expect(close.reason).toBe('Connection Closed');
      expect(close.delayMs).toBeGreaterThan(3_900);
      expect(close.delayMs).toBeLessThanOrEqual(4_000);
      // An open carries nothing of the kind.
      const open = seen.find((t) => t.event === 'ENGINE.OPEN')!;
      expect(open.code).toBeUndefined();
      expect(open.delayMs).toBeUndefined();

      // 440 replaced: the worker escalates and the supervisor goes stuck; both steps name the code.
      engine.emit({ type: 'ENGINE.CLOSED', code: 440, reason: 'replaced', selfInflicted: false });
      const stuck = await eventually<Transition | undefined>(() => seen.find((t) => t.actor === 'supervisor' && t.to.includes('supervisor.stuck')));
      if (!stuck) throw new Error('no stuck');
      expect(stuck.code).toBe(440);
      expect(stuck.reason).toBe('replaced');
      // The records are what /api/state serves too.
      expect(runtime.getState().recentTransitions.find((t) => t.event === 'ENGINE.CLOSED')?.code).toBe(428);
    } finally {
      runtime.stop();
    }
  });
});
