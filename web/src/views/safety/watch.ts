/**
 * Keeps the open writes (waiting for approval, queued, sending) fresh for the whole app: the tab's count
 * badge and the Safety view read them from here. Nothing on the server pushes outbox changes, so this
 * polls GET /api/sends on a short timer while the server is reachable and the page is visible, and at once
 * when the lifecycle moves (a connection that opens starts delivering the queue) or after an action here.
 */
import { ApiError, getJson } from '../../api.js';
import type { LiveState } from '../../live.js';
import type { SendsPage } from '../../types.js';

const POLL_MS = 5_000;

export interface OutboxSnapshot {
  page: SendsPage;
  /** Changes whenever any row moved: listeners reload what depends on it (history, audit). */
  signature: string;
  at: number;
}

export class OutboxWatch {
  snapshot: OutboxSnapshot | null = null;
  /** The server has no outbox routes (an older build): the badge stays away. */
  unavailable = false;
  private readonly listeners = new Set<(s: OutboxSnapshot) => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private offLive: (() => void) | null = null;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.refresh();
  };

  constructor(private readonly live: LiveState) {}

  get pending(): number {
    return this.snapshot?.page.counts.pending_approval ?? 0;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible' && this.live.link === 'live') void this.refresh();
    }, POLL_MS);
    let state: string | null = null;
    this.offLive = this.live.subscribe({
      status: (s) => {
        if (s.state !== state) void this.refresh();
        state = s.state;
      },
      link: (l) => {
        if (l === 'live') void this.refresh();
      },
    });
    document.addEventListener('visibilitychange', this.onVisible);
    void this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.offLive?.();
    document.removeEventListener('visibilitychange', this.onVisible);
    this.listeners.clear();
  }

  subscribe(fn: (s: OutboxSnapshot) => void): () => void {
    this.listeners.add(fn);
    if (this.snapshot) fn(this.snapshot);
    return () => this.listeners.delete(fn);
  }

  /** Reads the outbox now; calls made while one is running coalesce into one more read after it. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.load().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    let page: SendsPage;
    try {
      page = await getJson<SendsPage>('/api/sends?limit=200');
    } catch (err) {
      if (err instanceof ApiError && err.notAvailable) this.unavailable = true;
      return; // unreachable or signed out: the shell says so; the last snapshot stays
    }
    this.unavailable = false;
    const signature = JSON.stringify([page.counts, page.sends.map((s) => [s.sendId, s.status, s.scheduledAt ?? ''])]);
    const changed = signature !== this.snapshot?.signature;
    this.snapshot = { page, signature, at: Date.now() };
    if (!changed) return;
    for (const l of this.listeners) {
      try {
        l(this.snapshot);
      } catch (err) {
        console.error('outbox listener failed', err);
      }
    }
  }
}
