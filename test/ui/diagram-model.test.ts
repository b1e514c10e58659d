/** The diagram model and its elkjs layout, from the real machine definitions (no browser needed). */
import ELKModule from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../machines/connection.machine.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { layoutDiagram, type ElkLike } from '../../web/src/diagram/layout.js';
import { buildModel, edgeForTransition, leavesOfValue, withAncestors, type MachineJson } from '../../web/src/diagram/model.js';

// Exactly what GET /api/state/machine serves.
const machines = JSON.parse(JSON.stringify({ supervisor: supervisorMachine.toJSON(), connection: connectionMachine.toJSON() })) as Record<string, MachineJson>;

function elk(): ElkLike {
  let C: unknown = ELKModule;
  while (C && typeof C !== 'function' && typeof C === 'object' && 'default' in C) C = (C as { default: unknown }).default;
  return new (C as new () => ElkLike)();
}

describe('diagram model', () => {
  const model = buildModel(machines);

  it('nests the connection worker inside the supervisor state that invokes it', () => {
    expect(model.roots).toEqual(['supervisor']);
    expect(model.nodes.get('connection')?.parent).toBe('supervisor.running');
    expect(model.nodes.get('supervisor.running')?.kind).toBe('compound');
    expect(model.nodes.get('connection.connecting')?.children.filter((c) => !c.includes('#'))).toEqual([
      'connection.connecting.handshake',
      'connection.connecting.awaiting-qr',
      'connection.connecting.awaiting-code',
      'connection.connecting.backoff',
    ]);
    expect(model.nodes.get('connection.escalated')?.kind).toBe('final');
    expect(model.initialLeaf).toEqual({ supervisor: 'supervisor.running', connection: 'connection.connecting.handshake' });
  });

  it('draws one edge per source → target, labelled with every event that takes it', () => {
    const closeToBackoff = model.edges.find((e) => e.source === 'connection.open' && e.target === 'connection.connecting.backoff');
    expect(closeToBackoff?.events.map((e) => e.event)).toEqual(['ENGINE.CLOSED']);
    const restart = model.edges.find((e) => e.source === 'supervisor.running' && e.target === 'supervisor.restarting');
    expect(restart?.events.map((e) => e.lines)).toEqual([['operator: restart'], ['worker gave up'], ['worker crashed']]);
    expect(restart?.events.find((e) => e.event === 'xstate.done.actor.connection')?.guards).toEqual(['withinRestartBudget']);
    const ids = model.edges.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every edge connects two drawn nodes.
    for (const e of model.edges) {
      expect(model.nodes.has(e.source), e.source).toBe(true);
      expect(model.nodes.has(e.target), e.target).toBe(true);
    }
  });

  it('maps live values and runtime transitions onto the drawing', () => {
    expect(leavesOfValue('connection', { connecting: 'backoff' })).toEqual(['connection.connecting.backoff']);
    expect(leavesOfValue('connection', 'open')).toEqual(['connection.open']);
    expect(leavesOfValue('connection', null)).toEqual([]);
    expect([...withAncestors(model, ['connection.connecting.backoff'])]).toEqual([
      'connection.connecting.backoff',
      'connection.connecting',
      'connection',
      'supervisor.running',
      'supervisor',
    ]);
    // The shape the runtime publishes: source state id → target leaf ids.
    expect(edgeForTransition(model, { from: ['connection.open'], to: ['connection.soft-resync'] })?.id).toBe('connection.open->connection.soft-resync');
    expect(edgeForTransition(model, { from: ['connection.connecting'], to: ['connection.connecting.awaiting-qr'] })?.id).toBe(
      'connection.connecting->connection.connecting.awaiting-qr',
    );
    expect(edgeForTransition(model, { from: ['supervisor.running'], to: ['supervisor.restarting'] })).toBeTruthy();
    expect(edgeForTransition(model, { from: ['connection.open'], to: ['supervisor.stuck'] })).toBeUndefined();
  });
});

describe('diagram layout (elkjs)', () => {
  it('places every state inside its parent and gives every edge a route', async () => {
    const model = buildModel(machines);
    const layout = await layoutDiagram(elk(), model);
    expect(layout.width).toBeGreaterThan(100);
    for (const n of model.nodes.values()) {
      const b = layout.nodes.get(n.id);
      expect(b, n.id).toBeDefined();
      if (!n.parent) continue;
      const p = layout.nodes.get(n.parent)!;
      expect(b!.x, n.id).toBeGreaterThanOrEqual(p.x);
      expect(b!.y, n.id).toBeGreaterThanOrEqual(p.y);
      expect(b!.x + b!.width, n.id).toBeLessThanOrEqual(p.x + p.width + 0.5);
      expect(b!.y + b!.height, n.id).toBeLessThanOrEqual(p.y + p.height + 0.5);
    }
    // Sibling states never overlap.
    for (const n of model.nodes.values()) {
      const kids = n.children.map((c) => layout.nodes.get(c)!);
      for (let i = 0; i < kids.length; i++)
        for (let j = i + 1; j < kids.length; j++) {
          const a = kids[i]!;
          const b = kids[j]!;
          const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
          expect(apart, `${n.children[i]} / ${n.children[j]}`).toBe(true);
        }
    }
    for (const e of model.edges) {
      const le = layout.edges.get(e.id)!;
      expect(le.points.length, e.id).toBeGreaterThanOrEqual(2);
      // The route ends on the target's border.
      const end = le.points.at(-1)!;
      const t = layout.nodes.get(e.target)!;
      expect(end.x, e.id).toBeGreaterThanOrEqual(t.x - 1);
      expect(end.x, e.id).toBeLessThanOrEqual(t.x + t.width + 1);
      expect(end.y, e.id).toBeGreaterThanOrEqual(t.y - 1);
      expect(end.y, e.id).toBeLessThanOrEqual(t.y + t.height + 1);
    }
  });
});
