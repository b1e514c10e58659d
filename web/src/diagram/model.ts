/**
 * Turns the XState machine definitions served by /api/state/machine into a diagram model: a tree of
 * state nodes (the connection worker nested inside the supervisor state that invokes it) and merged edges
 * (one per source → target pair, labelled with every event that takes it). Pure: unit-tested in node.
 */
import { afterDelay, edgeEventLines } from './words.js';

export interface MachineJson {
  id: string;
  key?: string;
  type?: string;
  initial?: { target?: string[] } | null;
  states?: Record<string, MachineJson>;
  transitions?: TransitionJson[];
  invoke?: { id?: string; src?: unknown }[];
  /** XState `description`: why the state exists (shown when a state is focused). */
  description?: string;
  tags?: string[];
}

export interface TransitionJson {
  eventType: string;
  target?: string[];
  source?: string;
  guard?: unknown;
  delay?: unknown;
  description?: string;
}

export type NodeKind = 'machine' | 'compound' | 'atomic' | 'final' | 'initial';

export interface DiagramNode {
  id: string;
  label: string;
  kind: NodeKind;
  parent: string | null;
  children: string[];
  /** Actors this state invokes (shown as a note). */
  invokes: string[];
  /** Which machine the node belongs to ("supervisor" / "connection"). */
  machine: string;
  /** From the machine definition, when it has one. */
  description: string | null;
  tags: string[];
  /** Named delays of this state's `after` transitions (its timers). */
  timers: string[];
}

export interface EdgeEvent {
  event: string;
  /** The event in words, one line per code family for closes ("515 restart required"). */
  lines: string[];
  guards: string[];
  /** The named delay of an `after` transition. */
  delay: string | null;
  description: string | null;
}

export interface DiagramEdge {
  id: string;
  source: string;
  target: string;
  events: EdgeEvent[];
  /** Edge from an initial-state marker (no label). */
  initial: boolean;
}

export interface DiagramModel {
  nodes: Map<string, DiagramNode>;
  roots: string[];
  edges: DiagramEdge[];
  /** The leaf a freshly started machine enters, per machine id. */
  initialLeaf: Record<string, string>;
}

const MACHINE_NOTES: Record<string, string> = {
  supervisor: 'root actor',
  connection: 'worker (invoked)',
};

/** The small italic note in a container's title row: what kind of machine it is and what it invokes. */
export function nodeNote(n: DiagramNode): string {
  const invokes = n.invokes.length ? `invokes ${n.invokes.join(', ')}` : '';
  if (n.kind !== 'machine') return invokes;
  const kind = MACHINE_NOTES[n.id] ?? 'machine';
  return invokes ? `${kind} · ${invokes}` : kind;
}

const stripHash = (s: string) => (s.startsWith('#') ? s.slice(1) : s);

function guardName(g: unknown): string | null {
  if (typeof g === 'string') return g;
  if (g && typeof g === 'object' && typeof (g as { type?: unknown }).type === 'string') return (g as { type: string }).type;
  return null;
}

function invokeIds(n: MachineJson): string[] {
  return (n.invoke ?? []).map((i) => (typeof i.src === 'string' ? i.src : i.id ?? '')).filter((x) => x !== '');
}

export function buildModel(machines: Record<string, MachineJson>): DiagramModel {
  const nodes = new Map<string, DiagramNode>();
  const edgeMap = new Map<string, DiagramEdge>();
  const initialLeaf: Record<string, string> = {};
  const byMachineId = new Map<string, MachineJson>();
  for (const m of Object.values(machines)) byMachineId.set(m.id, m);

  // Which machine is invoked from which state: the invoked one nests inside that state.
  const hostOf = new Map<string, string>();
  const scan = (n: MachineJson) => {
    for (const src of invokeIds(n)) if (byMachineId.has(src) && src !== n.id) hostOf.set(src, n.id);
    for (const c of Object.values(n.states ?? {})) scan(c);
  };
  for (const m of byMachineId.values()) scan(m);

  const addEdge = (source: string, target: string, ev: EdgeEvent | null) => {
    const id = ev ? `${source}->${target}` : `${source}=>${target}`;
    let e = edgeMap.get(id);
    if (!e) {
      e = { id, source, target, events: [], initial: ev === null };
      edgeMap.set(id, e);
    }
    if (!ev) return;
    const existing = e.events.find((x) => x.event === ev.event);
    if (existing) {
      for (const g of ev.guards) if (!existing.guards.includes(g)) existing.guards.push(g);
      existing.lines = edgeEventLines(existing.event, existing.guards);
      existing.description ??= ev.description;
    } else {
      e.events.push(ev);
    }
  };

  const visit = (n: MachineJson, parent: string | null, machine: string): string => {
    const states = Object.values(n.states ?? {});
    const isRoot = parent === null || n.id === machine;
    const kind: NodeKind = isRoot ? 'machine' : n.type === 'final' ? 'final' : states.length > 0 ? 'compound' : 'atomic';
    const node: DiagramNode = {
      id: n.id,
      label: n.key ?? n.id,
      kind,
      parent,
      children: [],
      invokes: invokeIds(n),
      machine,
      description: typeof n.description === 'string' && n.description.trim() !== '' ? n.description.trim() : null,
      tags: n.tags ?? [],
      timers: [...new Set((n.transitions ?? []).map((t) => afterDelay(t.eventType)).filter((d): d is string => d !== null))],
    };
    nodes.set(n.id, node);

    const initialTarget = n.initial?.target?.[0];
    if (states.length > 0 && initialTarget) {
      const initId = `${n.id}#initial`;
      nodes.set(initId, { id: initId, label: '', kind: 'initial', parent: n.id, children: [], invokes: [], machine, description: null, tags: [], timers: [] });
      node.children.push(initId);
      addEdge(initId, stripHash(initialTarget), null);
    }
    for (const c of states) node.children.push(visit(c, n.id, machine));

    // A nested machine (the invoked worker) becomes a child of the state that invokes it.
    for (const [child, host] of hostOf) {
      if (host === n.id) {
        const m = byMachineId.get(child)!;
        node.children.push(visit(m, n.id, m.id));
        node.kind = 'compound';
      }
    }

    for (const t of n.transitions ?? []) {
      const targets = t.target ?? [];
      if (targets.length === 0) continue; // actions only: no arrow to draw
      const g = guardName(t.guard);
      const guards = g ? [g] : [];
      const description = typeof t.description === 'string' && t.description.trim() !== '' ? t.description.trim() : null;
      for (const target of targets) {
        addEdge(stripHash(t.source ?? n.id), stripHash(target), {
          event: t.eventType,
          lines: edgeEventLines(t.eventType, guards),
          guards,
          delay: afterDelay(t.eventType),
          description,
        });
      }
    }
    return n.id;
  };

  const roots: string[] = [];
  for (const m of byMachineId.values()) {
    if (hostOf.has(m.id)) continue;
    roots.push(visit(m, null, m.id));
  }

  for (const m of byMachineId.values()) initialLeaf[m.id] = initialLeafOf(m);
  return { nodes, roots, edges: [...edgeMap.values()], initialLeaf };
}

function initialLeafOf(n: MachineJson): string {
  const t = n.initial?.target?.[0];
  if (!t) return n.id;
  const id = stripHash(t);
  const child = Object.values(n.states ?? {}).find((c) => c.id === id);
  return child ? initialLeafOf(child) : id;
}

/** Leaf state ids of an XState `value` ("open", {connecting: "backoff"}) for a machine id. */
export function leavesOfValue(machine: string, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [`${machine}.${value}`];
  if (typeof value === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = leavesOfValue(`${machine}.${k}`, v);
      out.push(...(sub.length > 0 ? sub : [`${machine}.${k}`]));
    }
    return out;
  }
  return [];
}

/** Every node on the way from the given leaves to the top, leaves included. */
export function withAncestors(model: DiagramModel, leaves: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const leaf of leaves) {
    let cur: string | null = leaf;
    while (cur && !out.has(cur)) {
      out.add(cur);
      cur = model.nodes.get(cur)?.parent ?? null;
    }
  }
  return out;
}

/** The edge a runtime transition took (same source and target), if the diagram draws it. */
export function edgeForTransition(model: DiagramModel, t: { from: string[]; to: string[] }): DiagramEdge | undefined {
  for (const from of t.from) {
    for (const to of t.to) {
      const e = model.edges.find((x) => !x.initial && x.source === from && x.target === to);
      if (e) return e;
    }
  }
  // A transition into a compound state lands on one of its leaves: match the nearest drawn ancestor.
  for (const from of t.from) {
    for (const to of t.to) {
      let cur: string | null = to;
      while (cur) {
        const e = model.edges.find((x) => !x.initial && x.source === from && x.target === cur);
        if (e) return e;
        cur = model.nodes.get(cur)?.parent ?? null;
      }
    }
  }
  return undefined;
}
