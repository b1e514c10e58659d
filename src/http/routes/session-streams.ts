/**
 * Live streams (SSE) opened with an admin session cookie belong to that session: signing out
 * (DELETE /api/session) or the session expiring ends every one of them server-side, so no other tab keeps
 * receiving status, the linked account or chat events after the session is gone. A stream opened with a
 * bearer token (or with auth disabled) belongs to no session and is left alone.
 */
import type { Request } from 'express';
import { parseCookies, SESSION_COOKIE, type SessionStore } from '../../auth/sessions.js';

export type StreamEndReason = 'signed-out' | 'expired';

/** setTimeout fires at once above 2^31-1 ms; a session that outlives that is re-checked then. */
const MAX_TIMER_MS = 2_147_483_647;

export class SessionStreams {
  private readonly bySession = new Map<string, Set<(why: StreamEndReason) => void>>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Ties a stream to the session of `req` (if it authenticated by cookie); `end` is called once when the
   * session is signed out or expires. Returns the release to call when the stream closes by itself.
   */
  attach(req: Request, end: (why: StreamEndReason) => void): () => void {
    const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    const session = this.sessions.get(id);
    if (!id || !session) return () => {};
    let done = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const release = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const set = this.bySession.get(id);
      set?.delete(fire);
      if (set?.size === 0) this.bySession.delete(id);
    };
    const fire = (why: StreamEndReason) => {
      if (done) return;
      done = true;
      release();
      end(why);
    };
    const arm = () => {
      const left = session.expiresAt - this.now();
      if (left <= 0) return void fire('expired');
      timer = setTimeout(() => (this.sessions.get(id) ? arm() : fire('expired')), Math.min(left, MAX_TIMER_MS));
      timer.unref?.();
    };
    let set = this.bySession.get(id);
    if (!set) this.bySession.set(id, (set = new Set()));
    set.add(fire);
    arm();
    return release;
  }

  /** Ends every stream of session `id` (sign-out). */
  end(id: string | undefined, why: StreamEndReason = 'signed-out'): void {
    if (!id) return;
    for (const fire of [...(this.bySession.get(id) ?? [])]) fire(why);
  }

  /** Open streams per session (tests). */
  count(id?: string): number {
    if (id !== undefined) return this.bySession.get(id)?.size ?? 0;
    let n = 0;
    for (const s of this.bySession.values()) n += s.size;
    return n;
  }
}
