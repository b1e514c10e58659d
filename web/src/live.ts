/**
 * The live lifecycle state: one EventSource on /api/state/stream plus an authoritative /api/state fetch.
 * The stream's first event is always the full state, so every (re)connect resyncs before deltas apply;
 * after each burst of deltas the store also re-reads /api/state, so a missed event can never leave the
 * diagram wrong for long.
 *
 * Reachability is part of the truth: when the stream drops, a probe of /api/session tells "the server is
 * gone" (link `down`, since when) from "the session ended" (back to sign-in) from "a blip" (the browser
 * reconnects by itself). While the link is not live, {@link LiveState.now} stands still at the moment the
 * stream was lost, so nothing keeps counting on a state nobody can vouch for.
 */
import { ApiError, getJson, getSession } from './api.js';
import { leavesOfValue } from './diagram/model.js';
import { inferredDelay, stepDetail, type StepDetail } from './diagram/words.js';
import type { Health, StateView, StatusSummary, Transition } from './types.js';

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'down';

export interface LiveListener {
  /** Full state (first stream event, reconnects, resyncs). */
  state?(view: StateView): void;
  status?(status: StatusSummary, health: Health): void;
  transition?(t: Transition): void;
  /** Active leaves per machine changed. */
  leaves?(leaves: { supervisor: string[]; connection: string[] }): void;
  link?(state: LinkState): void;
}

/** Why the signed-in session is over: it expired/was revoked, or the server restarted (sessions live in memory). */
export type AuthLostReason = 'session' | 'restart' | 'signed-out' | 'expired';

/** A stable identity for a transition (the runtime's own events carry no id). */
export const transitionKey = (t: Transition): string => `${t.at}|${t.actor}|${t.event}|${t.from.join(',')}|${t.to.join(',')}`;

const PROBE_TIMEOUT_MS = 3000;
const PROBE_EVERY_MS = 2000;

export class LiveState {
  status: StatusSummary | null = null;
  health: Health | null = null;
  leaves: { supervisor: string[]; connection: string[] } = { supervisor: [], connection: [] };
  transitions: Transition[] = [];
  link: LinkState = 'connecting';
  /** When the stream was lost (null while live). */
  lostAt: number | null = null;

  private es: EventSource | null = null;
  private listeners = new Set<LiveListener>();
  private seen = new Set<string>();
  /** Close codes and timer delays the transitions do not carry, keyed by {@link transitionKey}. */
  private details = new Map<string, StepDetail>();
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  /** Counts stream deltas, so a /api/state answer that raced a newer delta is dropped, not applied. */
  private eventSeq = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  private stallTimer: ReturnType<typeof setTimeout> | null = null;
  private probing = false;
  /** Set once the server names its heartbeats (`event: ping`): then silence means a dead stream. */
  private pingEveryMs: number | null = null;
  private wasDown = false;
  private retryDelay = 1000;
  private stopped = false;
  private connectionInitial = 'connection.connecting.handshake';

  constructor(private readonly onAuthLost: (why: AuthLostReason) => void) {}

  /** The leaf a fresh worker starts in (from the machine definition). */
  setConnectionInitial(leaf: string): void {
    this.connectionInitial = leaf;
  }

  /** The clock views count with: frozen at the moment the stream was lost until it is back. */
  now(): number {
    return this.link === 'live' || this.lostAt === null ? Date.now() : this.lostAt;
  }

  /** The close code / timer delay learnt for a transition, if any. */
  detail(t: Transition): StepDetail | undefined {
    const learnt = this.details.get(transitionKey(t));
    // The runtime's own record is the truth when it carries the facts (older servers did not).
    if (t.code === undefined && t.delayMs === undefined) return learnt;
    const out: StepDetail = { ...learnt };
    if (t.code !== undefined) {
      out.code = t.code;
      out.reason = t.reason;
    }
    // Deadline and record are stamped a moment apart: round that moment off.
    // A timer of (almost) 0 is "at once": no "in 0 s".
    if (t.delayMs !== undefined && t.delayMs >= 500) out.delayMs = Math.round(t.delayMs / 100) * 100;
    return out;
  }

  subscribe(l: LiveListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit<K extends keyof LiveListener>(k: K, ...args: Parameters<NonNullable<LiveListener[K]>>): void {
    for (const l of this.listeners) {
      const fn = l[k] as ((...a: unknown[]) => void) | undefined;
      try {
        fn?.apply(l, args);
      } catch (err) {
        console.error('live listener failed', err);
      }
    }
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.es?.close();
    this.es = null;
    for (const t of [this.resyncTimer, this.retryTimer, this.probeTimer, this.stallTimer]) if (t) clearTimeout(t);
    this.listeners.clear();
  }

  private setLink(s: LinkState): void {
    if (this.link === s) return;
    this.link = s;
    if (s === 'live') {
      this.lostAt = null;
      this.wasDown = false;
    } else if (s !== 'connecting') this.lostAt ??= Date.now();
    if (s === 'down') this.wasDown = true;
    this.emit('link', s);
  }

  private open(): void {
    if (this.stopped) return;
    const es = new EventSource('/api/state/stream', { withCredentials: true });
    this.es = es;
    es.addEventListener('open', () => {
      this.retryDelay = 1000;
    });
    es.addEventListener('state', (ev) => {
      this.armStall();
      this.setLink('live');
      this.applyState(JSON.parse((ev as MessageEvent<string>).data) as StateView);
    });
    es.addEventListener('status', (ev) => {
      this.armStall();
      const { status, health } = JSON.parse((ev as MessageEvent<string>).data) as { status: StatusSummary; health: Health };
      this.eventSeq++;
      this.applyStatus(status, health);
      this.scheduleResync();
    });
    es.addEventListener('transition', (ev) => {
      this.armStall();
      this.eventSeq++;
      this.applyTransition(JSON.parse((ev as MessageEvent<string>).data) as Transition);
      this.scheduleResync();
    });
    // The server ends the streams of a session that signed out (in any tab) or expired, and says so first.
    es.addEventListener('session-ended', (ev) => {
      let reason: unknown;
      try {
        reason = (JSON.parse((ev as MessageEvent<string>).data) as { reason?: unknown }).reason;
      } catch {
        // no reason given
      }
      this.stop();
      this.onAuthLost(reason === 'expired' ? 'expired' : 'signed-out');
    });
    // A server that names its heartbeats lets a silently stalled stream be noticed (comments are invisible here).
    es.addEventListener('ping', (ev) => {
      let every: number | undefined;
      try {
        every = (JSON.parse((ev as MessageEvent<string>).data) as { everyMs?: number }).everyMs;
      } catch {
        // a bare ping
      }
      this.pingEveryMs = typeof every === 'number' && every > 0 ? every : 15_000;
      this.armStall();
    });
    es.addEventListener('error', () => {
      if (this.stopped || this.es !== es) return;
      this.setLink(this.link === 'down' ? 'down' : 'reconnecting');
      if (es.readyState === EventSource.CLOSED) this.es = null;
      // readyState CONNECTING: the browser retries by itself; the next `state` event resyncs. Either way, find
      // out whether the server is there at all.
      void this.probe();
    });
  }

  private armStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    if (this.pingEveryMs === null) return;
    this.stallTimer = setTimeout(() => {
      // Nothing, not even a heartbeat, for 2.5 beats: the connection is dead without having said so.
      this.es?.close();
      this.es = null;
      this.setLink('reconnecting');
      void this.probe();
    }, this.pingEveryMs * 2.5);
  }

  /** Is the server there, and does it still know this session? */
  private async probe(): Promise<void> {
    if (this.stopped || this.probing || this.link === 'live') return;
    this.probing = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    try {
      const s = await getSession(PROBE_TIMEOUT_MS);
      if (this.stopped) return;
      if (!s.authenticated) {
        this.stop();
        this.onAuthLost(this.wasDown ? 'restart' : 'session');
        return;
      }
      // Reachable and signed in: the stream comes back by itself, or is reopened now if the browser gave up.
      if (this.link === 'down') this.setLink('reconnecting');
      if (!this.es) this.reopenSoon(this.wasDown ? 0 : this.retryDelay);
    } catch (err) {
      if (this.stopped) return;
      if (!(err instanceof ApiError) || err.status === 0) this.setLink('down');
      // Keep asking until it answers; the stream's own retries may have given up.
      this.probeTimer = setTimeout(() => void this.probe(), PROBE_EVERY_MS);
    } finally {
      this.probing = false;
    }
  }

  private reopenSoon(ms: number): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.es) this.open();
    }, ms);
    this.retryDelay = Math.min(this.retryDelay * 2, 15_000);
  }

  /** Re-read /api/state once a burst of events is over. */
  private scheduleResync(): void {
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null;
      void this.resync();
    }, 300);
  }

  async resync(): Promise<void> {
    const seq = this.eventSeq;
    try {
      const view = await getJson<StateView>('/api/state');
      // A delta that arrived meanwhile is newer than this snapshot (and has scheduled another resync).
      if (!this.stopped && seq === this.eventSeq) this.applyState(view);
    } catch {
      // the stream's error handling deals with lost sessions and outages
    }
  }

  private applyState(view: StateView): void {
    this.status = view.context;
    this.health = view.health;
    const sup = leavesOfValue('supervisor', view.value.supervisor);
    const running = sup.includes('supervisor.running');
    this.setLeaves({ supervisor: sup, connection: running ? leavesOfValue('connection', view.value.connection) : [] });
    for (const t of view.recentTransitions ?? []) this.remember(t);
    this.learnDetails(view.context);
    this.emit('state', view);
    this.emit('status', view.context, view.health);
  }

  private applyStatus(status: StatusSummary, health: Health): void {
    this.status = status;
    this.health = health;
    this.learnDetails(status);
    this.emit('status', status, health);
  }

  /**
   * Close codes and timer delays come with the status that follows a transition. The newest transition of
   * each actor entered the state the status describes, so only its delay is read from the live deadlines.
   */
  private learnDetails(status: StatusSummary): void {
    const newest = new Map<string, Transition>();
    for (const t of this.transitions) newest.set(t.actor, t);
    const recent = this.transitions.slice(-20);
    for (const [i, t] of recent.entries()) {
      const found = stepDetail(t, status, newest.get(t.actor) === t);
      // A state left by its own timer tells how long it waited, even when the page saw neither step live.
      const next = recent.slice(i + 1).find((x) => x.actor === t.actor);
      if (found.delayMs === undefined && next) {
        const waited = inferredDelay(t, next);
        if (waited !== undefined) found.delayMs = waited;
      }
      if (found.code === undefined && found.delayMs === undefined) continue;
      const key = transitionKey(t);
      // First sighting wins: a later status may describe a later visit to the same state.
      this.details.set(key, { ...found, ...this.details.get(key) });
    }
  }

  private remember(t: Transition): boolean {
    const key = transitionKey(t);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.transitions.push(t);
    if (this.transitions.length > 500) {
      for (const old of this.transitions.splice(0, this.transitions.length - 500)) this.details.delete(transitionKey(old));
    }
    return true;
  }

  private applyTransition(t: Transition): void {
    if (!this.remember(t)) return;
    if (t.actor === 'supervisor') {
      const running = t.to.includes('supervisor.running');
      this.setLeaves({ supervisor: t.to, connection: running ? [this.connectionInitial] : [] });
    } else if (this.leaves.supervisor.includes('supervisor.running') || this.leaves.supervisor.length === 0) {
      this.setLeaves({ supervisor: this.leaves.supervisor, connection: t.to });
    }
    this.emit('transition', t);
  }

  private setLeaves(next: { supervisor: string[]; connection: string[] }): void {
    const same =
      next.supervisor.join() === this.leaves.supervisor.join() && next.connection.join() === this.leaves.connection.join();
    this.leaves = next;
    if (!same) this.emit('leaves', next);
  }
}
