/**
 * Which transitions a machine took, from XState's public inspection API only (no underscore internals).
 *
 * Each `@xstate.microstep` carries the event and the snapshot *after* the step; the tracker keeps the
 * snapshot *before* it (the last snapshot or microstep seen for that actor) and asks the machine which
 * transition definitions that event selects there (`machine.getTransitionData`, the same public call
 * `snapshot.can()` makes). Guards are pure functions of context, event and clock, so the answer is the one
 * the step took; a definition whose targets are not active afterwards (a time-window guard flipped in
 * between) is not reported, and a state change no definition explains is reported from the state values.
 */
import type { AnyEventObject, AnyMachineSnapshot, AnyStateNode, AnyTransitionDefinition, InspectionEvent } from 'xstate';

export interface TakenTransition {
  actorRef: unknown;
  event: AnyEventObject;
  /** State node ids the targeted transitions were defined on (leaf ids before, for the fallback). */
  from: string[];
  /** Target state node ids (empty when only actions ran: not a state transition). */
  to: string[];
  /**
   * Every definition taken, targetless ones included, each with its branch index among its source's
   * definitions for that event (test coverage reads these).
   */
  definitions: Array<{ definition: AnyTransitionDefinition; branch: number }>;
  /** The actor's snapshot right after the step (its context holds the deadlines the step set). */
  after?: AnyMachineSnapshot;
}

function isMachineSnapshot(s: unknown): s is AnyMachineSnapshot {
  return typeof s === 'object' && s !== null && 'machine' in s && 'value' in s;
}

/** Ids of every active state node of a machine value, ancestors included ("connection.connecting", …). */
export function activeIds(machineId: string, value: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'string') out.add(`${prefix}.${v}`);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, sub] of Object.entries(v as Record<string, unknown>)) {
        out.add(`${prefix}.${k}`);
        walk(`${prefix}.${k}`, sub);
      }
    }
  };
  walk(machineId, value);
  return out;
}

/** Leaf state ids of a machine value ("open", {connecting: "backoff"} → "connection.connecting.backoff"). */
export function leafIds(machineId: string, value: unknown): string[] {
  if (typeof value === 'string') return [`${machineId}.${value}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, sub]) => {
    const leaves = leafIds(`${machineId}.${k}`, sub);
    return leaves.length > 0 ? leaves : [`${machineId}.${k}`];
  });
}

function branchOf(def: AnyTransitionDefinition): number {
  const source = def.source as AnyStateNode;
  return source.transitions.get(def.eventType)?.indexOf(def) ?? -1;
}

/**
 * An inspector that calls `onTaken` for every microstep of a machine actor that took a transition
 * definition or changed state. `to` is empty when only actions ran (no state was entered).
 */
export function transitionTracker(onTaken: (t: TakenTransition) => void): (ev: InspectionEvent) => void {
  const last = new WeakMap<object, AnyMachineSnapshot>();
  return (ev) => {
    if (ev.type === '@xstate.snapshot') {
      if (isMachineSnapshot(ev.snapshot)) last.set(ev.actorRef, ev.snapshot);
      return;
    }
    if (ev.type !== '@xstate.microstep' || !isMachineSnapshot(ev.snapshot)) return;
    const after = ev.snapshot;
    const before = last.get(ev.actorRef);
    last.set(ev.actorRef, after);
    if (!before || before.status !== 'active') return;
    const machineId = after.machine.id;
    const active = activeIds(machineId, after.value);
    const definitions = before.machine
      .getTransitionData(before, ev.event)
      .filter((d) => (d.target ?? []).every((n) => active.has(n.id)))
      .map((definition) => ({ definition, branch: branchOf(definition) }));
    const targeted = definitions.filter((d) => (d.definition.target ?? []).length > 0);
    if (targeted.length > 0) {
      onTaken({
        actorRef: ev.actorRef,
        event: ev.event,
        from: targeted.map((d) => d.definition.source.id),
        to: targeted.flatMap((d) => (d.definition.target ?? []).map((n) => n.id)),
        definitions,
        after,
      });
      return;
    }
    const from = leafIds(machineId, before.value);
    const to = leafIds(machineId, after.value);
    const moved = JSON.stringify(from) !== JSON.stringify(to);
    if (moved || definitions.length > 0) onTaken({ actorRef: ev.actorRef, event: ev.event, from, to: moved ? to : [], definitions, after });
  };
}

/** What a transition record says beyond its states, so a reader can tell "428 connection lost → backoff 4 s". */
export interface TransitionDetail {
  /** The WhatsApp close code behind the step (the close event's, or the escalation's). */
  code?: number;
  /** Why, in the words of whoever reported it (the close reason, the worker's escalation). */
  reason?: string;
  /** How long the entered state waits before its own timer fires (backoff, restart delay, stuck retry, resync deadline). */
  delayMs?: number;
}

/** Which context deadline times each state a transition can enter. */
const ENTRY_DEADLINES: Record<string, string> = {
  'connection.connecting.backoff': 'backoffUntil',
  'connection.soft-resync': 'resyncDeadline',
  'supervisor.restarting': 'restartAt',
  'supervisor.stuck': 'stuckRetryAt',
};

function numberField(obj: unknown, key: string): number | undefined {
  const v = typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function stringField(obj: unknown, key: string): string | undefined {
  const v = typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The code, reason and timer delay of a taken transition: code and reason from the event (a close carries
 * them; a worker that finished carries its escalation as output), the delay from the deadline the entered
 * state's context holds right after the step (`after`: that snapshot's context), measured from `at`.
 */
export function transitionDetail(taken: Pick<TakenTransition, 'event' | 'to'>, after: unknown, at: number): TransitionDetail {
  // `after` may be the snapshot itself or its context.
  if (isMachineSnapshot(after)) after = after.context;
  const out: TransitionDetail = {};
  const ev = taken.event as AnyEventObject & { output?: unknown };
  const source = ev.type === 'ENGINE.CLOSED' || ev.type.startsWith('CONNECTION.') ? ev : ev.type.startsWith('xstate.done.actor.') ? ev.output : undefined;
  const code = numberField(source, 'code');
  const reason = stringField(source, 'reason');
  if (code !== undefined) out.code = code;
  if (reason !== undefined) out.reason = reason;
  for (const id of taken.to) {
    const key = ENTRY_DEADLINES[id];
    const deadline = key ? numberField(after, key) : undefined;
    // The deadline was stamped a moment before `at`, by its own Date.now(): a step that waits 0 may read -1.
    if (deadline !== undefined && deadline >= at - 50) out.delayMs = Math.max(0, deadline - at);
  }
  return out;
}
