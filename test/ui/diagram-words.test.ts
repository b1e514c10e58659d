/**
 * The diagram in words (labels, close codes, step texts, details learnt from the status), the recent
 * trail, and label placement: pure code, checked in node against the real machine definitions.
 */
import ELKModule from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { labelObstacles, placeLabels } from '../../web/src/diagram/labels.js';
import { layoutDiagram, roughMeasure, type Box, type ElkLike } from '../../web/src/diagram/layout.js';
import { buildModel, withAncestors, type MachineJson } from '../../web/src/diagram/model.js';
import { buildTrail } from '../../web/src/diagram/trail.js';
import { defaultLabelLines } from '../../web/src/diagram/view.js';
import { closeWords, edgeEventLines, eventWords, guardWords, inferredDelay, stepDetail, stepText } from '../../web/src/diagram/words.js';
import { checkField, humanFieldError } from '../../web/src/views/settings.js';

const machines = JSON.parse(JSON.stringify({ supervisor: supervisorMachine.toJSON(), connection: connectionMachine.toJSON() })) as Record<string, MachineJson>;
const model = buildModel(machines);

const close = { actor: 'connection', event: 'ENGINE.CLOSED', from: ['connection.open'], to: ['connection.connecting.backoff'], at: 1_000_000 };
const status = (over: Partial<{ lastDisconnect: { code: number; reason: string; at: number } | null; backoffUntil: number | null }> = {}) => ({
  lastDisconnect: over.lastDisconnect === undefined ? { code: 428, reason: 'closed (428)', at: 1_000_001 } : over.lastDisconnect,
  deadlines: { backoffUntil: over.backoffUntil === undefined ? 1_004_002 : over.backoffUntil, restartAt: null, stuckRetryAt: null, resyncDeadline: null },
});

describe('diagram words', () => {
  it('names events, close codes and guards in words', () => {
    expect(eventWords('ENGINE.OPEN')).toBe('logged in');
    expect(eventWords('xstate.after.backoff.connection.connecting.backoff')).toBe('backoff over');
    expect(eventWords('xstate.done.actor.connection')).toBe('worker gave up');
    expect(eventWords('xstate.error.actor.engine')).toBe('engine crashed');
    expect(eventWords('SOMETHING.NEW')).toBe('SOMETHING.NEW');
    expect(closeWords(428)).toBe('428 connection lost');
    expect(closeWords(515)).toBe('515 restart required');
    // An unknown code keeps the server's own reason, unless that is only "closed (code)".
    expect(closeWords(499, 'peer went away')).toBe('499 peer went away');
    expect(closeWords(499, 'closed (499)')).toBe('499 connection closed');
    expect(guardWords('withinRestartBudget')).toBe('restart budget left');
    expect(edgeEventLines('ENGINE.CLOSED', ['isRestartRequired', 'isLoggedOut'])).toEqual(['515 restart required', '401 logged out']);
    expect(edgeEventLines('ENGINE.CLOSED', [])).toEqual(['connection closed']);
  });

  it('reads the close code and the backoff from the status that followed a close: "428 connection lost → backoff 4 s"', () => {
    const d = stepDetail(close, status(), true);
    expect(d).toEqual({ code: 428, reason: 'closed (428)', delayMs: 4000 });
    expect(stepText(close, d)).toBe('428 connection lost → backoff 4 s');
    // Not the current state any more: its deadline belongs to a later visit, so no delay is read from it.
    expect(stepDetail(close, status(), false)).toEqual({ code: 428, reason: 'closed (428)' });
    // A last disconnect from another moment is not this close's.
    expect(stepDetail(close, status({ lastDisconnect: { code: 408, reason: 'x', at: 900_000 } }), false)).toEqual({});
    expect(stepText(close, undefined)).toBe('connection closed → backoff');
    // From history: the backoff timer fired 4.03 s later.
    const next = { actor: 'connection', event: 'xstate.after.backoff.connection.connecting.backoff', from: ['connection.connecting.backoff'], to: ['connection.connecting.handshake'], at: 1_004_030 };
    expect(inferredDelay(close, next)).toBe(4000);
    expect(inferredDelay(close, { ...next, event: 'ENGINE.OPEN' })).toBeUndefined();
    const restart = { actor: 'supervisor', event: 'xstate.done.actor.connection', from: ['supervisor.running'], to: ['supervisor.restarting'], at: 5 };
    expect(stepText(restart, { delayMs: 2000 })).toBe('worker gave up → restarting in 2 s');
  });

  it('folds a rotating QR into one trail step and keeps the five newest steps, newest first', () => {
    const t = (event: string, from: string, to: string, at: number) => ({ actor: 'connection', event, from: [from], to: [to], at });
    const qr = (at: number) => t('ENGINE.QR', 'connection.connecting', 'connection.connecting.awaiting-qr', at);
    const history = [
      t('ENGINE.QR', 'connection.connecting', 'connection.connecting.awaiting-qr', 1),
      qr(2),
      qr(3),
      t('ENGINE.OPEN', 'connection.connecting', 'connection.open', 4),
      t('ENGINE.APP_STATE_FAILURE', 'connection.open', 'connection.soft-resync', 5),
      t('ENGINE.RESYNC_FAILED', 'connection.soft-resync', 'connection.connecting.handshake', 6),
      t('ENGINE.OPEN', 'connection.connecting', 'connection.open', 7),
      // not drawn: stays out of the trail
      { actor: 'connection', event: 'X', from: ['connection.open'], to: ['supervisor.stuck'], at: 8 },
    ];
    const trail = buildTrail(history, model, () => undefined, (x) => String(x.at));
    expect(trail.map((s) => [s.edgeId, s.age, s.times])).toEqual([
      ['connection.connecting->connection.open', 0, 1],
      ['connection.soft-resync->connection.connecting.handshake', 1, 1],
      ['connection.open->connection.soft-resync', 2, 1],
      ['connection.connecting->connection.open', 3, 1],
      ['connection.connecting->connection.connecting.awaiting-qr', 4, 3],
    ]);
    expect(trail[1]!.text).toBe('resync failed → handshake');
    expect(buildTrail(history, model, () => undefined, (x) => String(x.at), 2)).toHaveLength(2);
  });
});

describe('settings copy', () => {
  it('turns validator text into human field errors', () => {
    expect(humanFieldError('Too small: expected number to be >=1')).toBe('Must be at least 1.');
    expect(humanFieldError('invalid setting upload_max_mb: Too big: expected number to be <=2048')).toBe('Must be at most 2048.');
    expect(humanFieldError('Invalid input: expected int, received number')).toBe('Must be a whole number.');
    expect(humanFieldError('expected an http(s) URL without query, fragment or credentials, or ""')).toBe('Must be an http(s) URL without query, fragment or credentials, or "".');
    expect(checkField({ type: 'integer', min: 1, max: 100 }, '0')).toBe('Must be at least 1.');
    expect(checkField({ type: 'integer', min: 1, max: 100 }, '2.5')).toBe('Must be a whole number.');
    expect(checkField({ type: 'number', min: 1, max: 2048 }, '')).toBe('Must be a number.');
    expect(checkField({ type: 'number', min: 1, max: 2048 }, '64')).toBeNull();
    expect(checkField({ type: 'url' }, 'wa.example.com')).toMatch(/full address/);
    expect(checkField({ type: 'url' }, '')).toBeNull();
  });
});

describe('edge label placement', () => {
  it('keeps the labels drawn by default off every state and off each other', async () => {
    let C: unknown = ELKModule;
    while (C && typeof C !== 'function' && typeof C === 'object' && 'default' in C) C = (C as { default: unknown }).default;
    const layout = await layoutDiagram(new (C as new () => ElkLike)(), model);
    const states: Box[] = [...model.nodes.values()].filter((n) => n.children.length === 0 && n.kind !== 'initial').map((n) => layout.nodes.get(n.id)!);
    const hit = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    // Each state's default view: the ways out of it and of its ancestors.
    for (const leaf of ['connection.open', 'connection.connecting.backoff', 'connection.soft-resync', 'supervisor.stuck']) {
      const active = withAncestors(model, [leaf]);
      const reqs = model.edges
        .filter((e) => !e.initial && active.has(e.source))
        .map((e) => {
          const lines = defaultLabelLines(e);
          return { id: e.id, points: layout.edges.get(e.id)!.points, width: Math.max(...lines.map((l) => roughMeasure(l, 'label'))) + 14, height: lines.length * 16 + 6 };
        });
      const placed = placeLabels(reqs, labelObstacles(model, layout, roughMeasure), layout);
      expect(placed.size, leaf).toBe(reqs.length);
      const boxes = [...placed.values()];
      const onStates = boxes.filter((b) => states.some((s) => hit(b, s)));
      expect(onStates, `${leaf}: labels covering a state`).toEqual([]);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(hit(boxes[i]!, boxes[j]!), `${leaf}: ${reqs[i]!.id} / ${reqs[j]!.id}`).toBe(false);
    }
  });
});
