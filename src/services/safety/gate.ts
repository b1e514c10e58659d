/**
 * The send-safety gate (issue #15): every write tool passes here, whatever its path.
 *
 *   policy (mode, per-chat rules) → on WhatsApp? (first message to a number) → approval (elicitation, or
 *   a pending send a human approves later) → pacing / offline (queued in the outbox) → delivery → audit
 *
 * A write that cannot go out in the call that asked for it becomes an outbox row (SQLite, see
 * store/repos/outbox.ts) and is delivered by the scheduler below, in order, once the connection is open
 * and its pacing slot has come — exactly once across restarts: a delivery interrupted by a crash is
 * retried with the same WhatsApp message id (util/delivery-context.ts). Every decision is one audit line.
 *
 * The gate does not know MCP: the MCP layer hands it an executor (run this tool with these arguments)
 * and, per call, the client's name and an `elicit` function when the client can ask its user.
 */
import { randomUUID, createHash } from 'node:crypto';
import { AppError, notFound } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Runtime } from '../../runtime/index.js';
import type { Settings } from '../../settings/schema.js';
import { jidKind, jidUser, type AuditDecision, type NewOutboxEntry, type OutboxEntry, type OutboxStatus, type Store } from '../../store/index.js';
import { withDeliveryId } from '../../util/delivery-context.js';
import type { WhatsAppGateway } from '../../whatsapp/gateway.js';
import { toAppError } from '../errors.js';
import { earliestSlot, type PaceRules, type SendRecord } from './pacing.js';
import { approvalReason, canRead, chatRules, readsUnrestricted, writeRefusal, type ChatRules } from './policy.js';
import { writeToolOf, type WriteTool } from './write-tools.js';

/** Time, injectable so pacing is tested with a fake clock instead of waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type ExecResult = { ok: true; data: Record<string, unknown> } | { ok: false; error: AppError };
/** Runs a write tool's own code (validation, idempotency, the socket call) with these arguments. */
export type Executor = (tool: string, args: Record<string, unknown>) => Promise<ExecResult>;

export type Consent = 'accept' | 'decline' | 'cancel';

/** What a human is shown before approving one write. */
export interface ApprovalAsk {
  tool: string;
  chatJid: string | null;
  recipient: string | null;
  summary: string;
  reason: string;
}

export interface Caller {
  client: string | null;
  sessionId: string | null;
  /** Present when the client declared the elicitation capability: asks its user, resolves with the answer. */
  elicit?: (ask: ApprovalAsk) => Promise<Consent>;
}

export interface WriteOptions {
  /** false: a send over a pacing limit is refused (retryable, with retryAfterMs) instead of queued. */
  wait: boolean;
  /** true: a message accepted while the connection is not open is queued instead of refused. */
  queueIfOffline: boolean;
}

export type GateResult = { kind: 'done'; data: Record<string, unknown> } | { kind: 'deferred'; entry: OutboxEntry };

export interface GateDeps {
  store: Store;
  runtime: Runtime;
  settings: { get(): Settings; subscribe(l: () => void): () => void };
  gateway: WhatsAppGateway;
  logger: Logger;
  clock?: Clock;
  random?: () => number;
}

const DAY = 86_400_000;
const EXPIRY_SWEEP_MS = 60_000;
const ON_WHATSAPP_TTL_MS = 24 * 3_600_000;

const forbidden = (why: string) =>
  new AppError('forbidden', `Not done: ${why}`, 'This is the owner\'s policy: ask them to change it in the admin UI (Settings) if this write is wanted');

export class SendGate {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private executor: Executor | null = null;
  private rulesCache: ChatRules | null = null;
  private readonly onWhatsApp = new Map<string, { exists: boolean; at: number }>();
  private timer: unknown = null;
  private expiryTimer: unknown = null;
  private dispatching = false;
  private again = false;
  private stopped = true;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: GateDeps) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.log = deps.logger;
  }

  setExecutor(executor: Executor): void {
    this.executor = executor;
  }

  /** Recovers interrupted deliveries, then delivers the queue whenever the connection is open. */
  start(): void {
    this.stopped = false;
    // A row left in `sending` died with the process mid-delivery: deliver it again (same message id).
    for (const e of this.deps.store.outbox.list({ statuses: ['sending'], limit: 1000 })) this.deps.store.outbox.transition(e.sendId, ['sending'], 'queued', { reason: 'interrupted by a restart' });
    this.unsubscribe.push(
      this.deps.runtime.subscribe((c) => {
        if (c.type === 'status' && c.status.state === 'open') this.kick();
      }),
      this.deps.settings.subscribe(() => {
        this.rulesCache = null;
      }),
    );
    this.sweepLater();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.timer = this.expiryTimer = null;
  }

  // ---- reading policy -------------------------------------------------------------------------------

  private rules(): ChatRules {
    return (this.rulesCache ??= chatRules(this.deps.settings.get(), (j) => this.deps.store.identity.canonical(j)));
  }

  /** True when some chats are hidden from MCP clients (outputs must be filtered). */
  readFiltered(): boolean {
    return !readsUnrestricted(this.rules());
  }

  /** Whether MCP clients may see this chat (any of its JIDs). */
  canRead(jid: string): boolean {
    return canRead(this.rules(), this.deps.store.identity.canonical(jid));
  }

  readOnly(): boolean {
    return this.deps.settings.get().send_mode === 'read_only';
  }

  /** Calls `listener` when send_mode changes (the MCP layer re-announces its tool list). */
  onModeChange(listener: () => void): () => void {
    let mode = this.deps.settings.get().send_mode;
    return this.deps.settings.subscribe(() => {
      const next = this.deps.settings.get().send_mode;
      if (next !== mode) {
        mode = next;
        listener();
      }
    });
  }

  // ---- the write path -------------------------------------------------------------------------------

  /**
   * Passes one write tool call through the gate; throws an AppError when it is refused or fails. `direct`
   * runs it in the caller's own context (its progress notifications) when it goes out in this call.
   */
  async write(tool: string, args: Record<string, unknown>, caller: Caller, opts: WriteOptions, direct?: Executor): Promise<GateResult> {
    const spec = writeToolOf(tool);
    if (!spec) return { kind: 'done', data: this.unwrap(await (direct ?? this.execute.bind(this))(tool, args)) };
    const s = this.deps.settings.get();
    const chat = this.target(spec, args);
    const base = { tool, client: caller.client, sessionId: caller.sessionId, chatJid: chat, recipient: this.recipientName(chat), summary: spec.summary(args) };
    const refusal = writeRefusal(s, this.rules(), chat);
    if (refusal) {
      this.audit(base, 'denied', `refused: ${refusal}`, null);
      throw forbidden(refusal);
    }
    const newRecipient = spec.message && chat !== null && !this.deps.store.outbox.wroteTo(chat);
    if (newRecipient && chat !== null) await this.requireOnWhatsApp(chat);

    // A retry with the same idempotency key finds the write it already deferred.
    const key = typeof args.idempotency_key === 'string' ? args.idempotency_key : undefined;
    const sendId = key === undefined ? `snd_${randomUUID().replaceAll('-', '').slice(0, 20)}` : `snd_k${createHash('sha256').update(`${tool}\n${key}`).digest('hex').slice(0, 20)}`;
    const prior = key === undefined ? null : this.deps.store.outbox.get(sendId);
    if (prior) return { kind: 'deferred', entry: this.sameWrite(prior, tool, args) };

    let decision: AuditDecision = 'auto';
    const reason = approvalReason(s, { needsConsent: spec.needsConsent, newRecipient });
    if (reason) {
      if (caller.elicit) {
        const answer = await caller.elicit({ tool, chatJid: chat, recipient: base.recipient, summary: base.summary, reason });
        if (answer !== 'accept') {
          this.audit(base, 'declined', 'not sent', null);
          throw new AppError('declined', 'Not sent: declined by the user', 'Do not retry unless the user asks for it again');
        }
        decision = 'elicited';
      } else {
        const now = this.clock.now();
        const row = { ...this.newRow(sendId, tool, args, base, newRecipient), status: 'pending_approval' as const, reason, notBefore: null, expiresAt: now + s.pending_expiry_hours * 3_600_000 };
        const entry = this.insertOnce(row, tool, args);
        if (entry.created) this.audit(base, 'pending', 'pending', sendId);
        return { kind: 'deferred', entry: entry.entry };
      }
    }

    if (spec.message && chat !== null) {
      const open = this.deps.runtime.getStatus().state === 'open';
      const now = this.clock.now();
      const queuedAhead = this.deps.store.outbox.nextQueued() !== null;
      if (!open && opts.queueIfOffline) return this.enqueue(sendId, tool, args, base, newRecipient, decision, 'waiting for the connection', this.slot(chat, newRecipient));
      if (open && (s.pacing_enabled || queuedAhead)) {
        const slot = this.slot(chat, newRecipient);
        if (slot > now) {
          if (!opts.wait) {
            this.audit(base, decision, 'refused: over the pacing limits (wait: false)', null);
            throw new AppError('rate_limited', `Not sent: over the pacing limits; the next slot is ${new Date(slot).toISOString()}`, 'Retry then, or call again without wait: false to queue it', {
              retryable: true,
              retryAfterMs: slot - now,
            });
          }
          return this.enqueue(sendId, tool, args, base, newRecipient, decision, 'pacing', slot);
        }
      }
    }

    const r = await this.deliverNow(tool, args, chat, spec, newRecipient, direct);
    this.audit(base, decision, r.ok ? 'sent' : `failed: ${r.error.code}`, null);
    return { kind: 'done', data: this.unwrap(r) };
  }

  // ---- decisions on deferred writes ------------------------------------------------------------------

  get(sendId: string): OutboxEntry | null {
    const e = this.deps.store.outbox.get(sendId);
    return e ? this.refresh(e) : null;
  }

  list(statuses?: readonly OutboxStatus[], limit = 100): OutboxEntry[] {
    this.sweep();
    return this.deps.store.outbox.list({ statuses, limit });
  }

  counts(): Partial<Record<OutboxStatus, number>> {
    this.sweep();
    return this.deps.store.outbox.countByStatus();
  }

  auditPage(afterId: number, limit: number) {
    return this.deps.store.audit.page(afterId, limit);
  }

  auditRecent(limit: number) {
    return this.deps.store.audit.recent(limit);
  }

  /** A human approved a pending write: it joins the queue (paced like any other) and goes out. */
  approve(sendId: string, by: string): OutboxEntry {
    const e = this.mustGet(sendId);
    const refusal = writeRefusal(this.deps.settings.get(), this.rules(), e.chatJid);
    if (refusal) {
      this.decide(e, ['pending_approval'], 'rejected', by, `refused: ${refusal}`);
      throw forbidden(refusal);
    }
    const spec = writeToolOf(e.tool);
    const slot = spec?.message && e.chatJid !== null ? this.slot(e.chatJid, e.newRecipient) : this.clock.now();
    if (!this.deps.store.outbox.transition(sendId, ['pending_approval'], 'queued', { decidedBy: by, notBefore: slot, reason: 'approved' }, this.clock.now())) throw this.notPending(sendId);
    this.audit(this.baseOf(e), 'approved', 'queued', sendId);
    this.kick();
    return this.mustGet(sendId);
  }

  reject(sendId: string, by: string): OutboxEntry {
    return this.decide(this.mustGet(sendId), ['pending_approval'], 'rejected', by, 'rejected by the owner');
  }

  /** Cancels a write that has not gone out yet (pending or queued). */
  cancel(sendId: string, by: string): OutboxEntry {
    return this.decide(this.mustGet(sendId), ['pending_approval', 'queued'], 'cancelled', by, `cancelled by ${by}`);
  }

  // ---- internals -----------------------------------------------------------------------------------

  private decide(e: OutboxEntry, from: readonly OutboxStatus[], to: 'rejected' | 'cancelled' | 'expired', by: string, why: string): OutboxEntry {
    if (!this.deps.store.outbox.transition(e.sendId, from, to, { decidedBy: by, error: why }, this.clock.now())) throw this.notPending(e.sendId);
    this.audit(this.baseOf(e), to, 'not sent', e.sendId);
    return this.mustGet(e.sendId);
  }

  private notPending(sendId: string): AppError {
    const e = this.deps.store.outbox.get(sendId);
    return new AppError('wrong_state', `Send ${sendId} is already ${e?.status ?? 'gone'}`, 'Check it with get_send_status / list_outbox');
  }

  private mustGet(sendId: string): OutboxEntry {
    const e = this.get(sendId);
    if (!e) throw notFound(`No send with id ${sendId}`, 'Take send_id from the tool result or from list_outbox');
    return e;
  }

  /** Applies a lapsed expiry before showing a pending write. */
  private refresh(e: OutboxEntry): OutboxEntry {
    if (e.status === 'pending_approval' && e.expiresAt !== null && e.expiresAt <= this.clock.now()) {
      this.sweep();
      return this.deps.store.outbox.get(e.sendId) ?? e;
    }
    return e;
  }

  private sweep(): void {
    for (const e of this.deps.store.outbox.expiredPending(this.clock.now())) {
      if (this.deps.store.outbox.transition(e.sendId, ['pending_approval'], 'expired', { error: 'nobody approved it in time' }, this.clock.now())) this.audit(this.baseOf(e), 'expired', 'not sent', e.sendId);
    }
  }

  private sweepLater(): void {
    if (this.stopped) return;
    this.expiryTimer = this.clock.setTimeout(() => {
      try {
        this.sweep();
      } catch (err) {
        this.log.warn({ err }, 'expiring pending sends failed');
      }
      this.sweepLater();
    }, EXPIRY_SWEEP_MS);
  }

  /** The chat of a write; a bad address or unknown message is refused here, before any approval or queue. */
  private target(spec: WriteTool, args: Record<string, unknown>): string | null {
    return spec.target(args, this.deps.store);
  }

  /** "Alice (+44…)" for the approver and the audit log. */
  recipientName(jid: string | null): string | null {
    if (jid === null) return null;
    const name = this.deps.store.chats.get(jid)?.name;
    const number = jidKind(jid) === 'pn' ? `+${jidUser(jid)}` : jid;
    return name && name !== number ? `${name} (${number})` : number;
  }

  /** A first message to a phone number goes only to numbers on WhatsApp (usync, cached for a day). */
  private async requireOnWhatsApp(jid: string): Promise<void> {
    // Under a WhatsApp restriction the send path refuses first messages itself, with the reason.
    if (jidKind(jid) !== 'pn' || this.deps.runtime.getStatus().state !== 'open' || this.deps.runtime.getSummary().restriction) return;
    const now = this.clock.now();
    let known = this.onWhatsApp.get(jid);
    if (!known || now - known.at > ON_WHATSAPP_TTL_MS) {
      try {
        const [r] = await this.deps.gateway.onWhatsApp([jidUser(jid)]);
        known = { exists: r?.exists ?? true, at: now };
        this.onWhatsApp.set(jid, known);
      } catch (err) {
        // A failed check never blocks a send; WhatsApp itself is the final judge.
        this.log.debug({ err }, 'on-WhatsApp check failed');
        return;
      }
    }
    if (!known.exists) throw notFound(`+${jidUser(jid)} is not on WhatsApp, so nothing was sent`, 'Check the number (country code first) with check_whatsapp_numbers');
  }

  private paceRules(): PaceRules {
    const s = this.deps.settings.get();
    if (!s.pacing_enabled) return { chatIntervalMs: 0, perMinute: 0, perHour: 0, newPerDay: 0, jitterMs: 0 };
    return { chatIntervalMs: s.pace_chat_interval_s * 1000, perMinute: s.pace_per_minute, perHour: s.pace_per_hour, newPerDay: s.pace_new_recipients_per_day, jitterMs: s.pace_jitter_ms };
  }

  /** The pacing slot for a message: sends of the last day plus the slots queued writes already hold. */
  private slot(chatJid: string, newRecipient: boolean): number {
    const now = this.clock.now();
    const history: SendRecord[] = this.deps.store.outbox.sendsSince(now - DAY);
    for (const q of this.deps.store.outbox.queued()) {
      if (q.chatJid !== null && writeToolOf(q.tool)?.message) history.push({ at: Math.max(q.notBefore ?? now, now), chatJid: q.chatJid, newRecipient: q.newRecipient });
    }
    return earliestSlot(this.paceRules(), history, { chatJid, newRecipient }, now, this.random);
  }

  private newRow(sendId: string, tool: string, args: Record<string, unknown>, base: { chatJid: string | null; summary: string; client: string | null; sessionId: string | null }, newRecipient: boolean) {
    // The agent's idempotency key has done its job (it maps to this row); deliveries use their own.
    const { idempotency_key: _drop, ...rest } = args;
    return { sendId, tool, args: rest, chatJid: base.chatJid, summary: base.summary, client: base.client, sessionId: base.sessionId, newRecipient };
  }

  private enqueue(sendId: string, tool: string, args: Record<string, unknown>, base: AuditBase, newRecipient: boolean, decision: AuditDecision, reason: string, notBefore: number): GateResult {
    const r = this.insertOnce({ ...this.newRow(sendId, tool, args, base, newRecipient), status: 'queued', reason, notBefore, expiresAt: null }, tool, args);
    if (r.created) {
      this.audit(base, decision === 'auto' ? 'queued' : decision, 'queued', sendId);
      this.kick();
    }
    return { kind: 'deferred', entry: r.entry };
  }

  /** Inserts a deferred write; a concurrent call with the same idempotency key finds the row the other made. */
  private insertOnce(row: NewOutboxEntry, tool: string, args: Record<string, unknown>): { entry: OutboxEntry; created: boolean } {
    try {
      return { entry: this.deps.store.outbox.insert(row, this.clock.now()), created: true };
    } catch (err) {
      const prior = this.deps.store.outbox.get(row.sendId);
      if (!prior) throw err;
      return { entry: this.sameWrite(prior, tool, args), created: false };
    }
  }

  /** The deferred write an idempotency key already names — only if it is the same write. */
  private sameWrite(prior: OutboxEntry, tool: string, args: Record<string, unknown>): OutboxEntry {
    const { idempotency_key: _key, ...rest } = args;
    if (prior.tool !== tool || JSON.stringify(prior.args) !== JSON.stringify(rest)) {
      throw new AppError('idempotency_conflict', 'This idempotency key was used for a different write', 'Use a new idempotency_key for a different request');
    }
    return this.refresh(prior);
  }

  private async execute(tool: string, args: Record<string, unknown>): Promise<ExecResult> {
    if (!this.executor) throw new AppError('internal', 'The write path is not ready yet', 'Retry in a moment', { retryable: true });
    return this.executor(tool, args);
  }

  private unwrap(r: ExecResult): Record<string, unknown> {
    if (!r.ok) throw r.error;
    return r.data;
  }

  /** Sends now: typing first when configured, then the tool; a message is logged for pacing. */
  private async deliverNow(tool: string, args: Record<string, unknown>, chat: string | null, spec: WriteTool, newRecipient: boolean, direct?: Executor): Promise<ExecResult> {
    // Logged before it goes out, so concurrent calls see its pacing slot taken; a failure takes it back.
    const logged = spec.message && chat !== null ? this.deps.store.outbox.logSend(chat, newRecipient, this.clock.now()) : null;
    let r: ExecResult;
    try {
      if (spec.message && chat !== null) await this.typing(tool, args, chat);
      r = await (direct ?? this.execute.bind(this))(tool, args);
    } catch (err) {
      r = { ok: false, error: toAppError(err, () => this.deps.runtime.getStatus()) };
    }
    if (!r.ok && logged !== null) this.deps.store.outbox.unlogSend(logged);
    return r;
  }

  /** "typing…" for a time proportional to the text (capped), as a person would; failures are ignored. */
  private async typing(tool: string, args: Record<string, unknown>, chat: string): Promise<void> {
    const s = this.deps.settings.get();
    const text = args.message;
    if (!s.pacing_enabled || !s.pace_typing || tool !== 'send_message' || typeof text !== 'string') return;
    try {
      await this.deps.gateway.sendPresence('composing', chat);
      await new Promise<void>((r) => this.clock.setTimeout(r, Math.min(4_000, 400 + 40 * text.length)));
      await this.deps.gateway.sendPresence('paused', chat);
    } catch (err) {
      this.log.debug({ err }, 'typing indicator failed');
    }
  }

  /** Schedules a delivery round (coalesced: one runs at a time, and a kick during it runs another). */
  kick(): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    void this.dispatch().finally(() => {
      this.dispatching = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async dispatch(): Promise<void> {
    while (!this.stopped && this.deps.runtime.getStatus().state === 'open') {
      const head = this.deps.store.outbox.nextQueued();
      if (!head) return;
      const now = this.clock.now();
      if (head.notBefore !== null && head.notBefore > now) {
        if (this.timer !== null) this.clock.clearTimeout(this.timer);
        this.timer = this.clock.setTimeout(() => {
          this.timer = null;
          this.kick();
        }, head.notBefore - now);
        return;
      }
      await this.deliverQueued(head);
    }
  }

  private async deliverQueued(e: OutboxEntry): Promise<void> {
    const outbox = this.deps.store.outbox;
    const base = this.baseOf(e);
    // The owner may have tightened the policy since the write was accepted.
    const refusal = writeRefusal(this.deps.settings.get(), this.rules(), e.chatJid);
    if (refusal) {
      if (outbox.transition(e.sendId, ['queued'], 'failed', { error: `refused: ${refusal}` }, this.clock.now())) this.audit(base, 'denied', `refused: ${refusal}`, e.sendId);
      return;
    }
    if (!outbox.transition(e.sendId, ['queued'], 'sending', {}, this.clock.now())) return;
    const spec = writeToolOf(e.tool);
    // A fresh idempotency key per attempt keeps the duplicate-text window out of it; the message id
    // derived from the send id is what makes a retried attempt the same message.
    const args = { ...e.args, idempotency_key: `${e.sendId}.${this.clock.now()}` };
    let r: ExecResult;
    try {
      r = await withDeliveryId(e.sendId, () => (spec ? this.deliverNow(e.tool, args, e.chatJid, spec, e.newRecipient) : this.execute(e.tool, args)));
    } catch (err) {
      r = { ok: false, error: toAppError(err, () => this.deps.runtime.getStatus()) };
    }
    if (r.ok) {
      outbox.transition(e.sendId, ['sending'], 'sent', { result: r.data, error: null }, this.clock.now());
      this.audit(base, e.decidedBy ? 'approved' : 'queued', 'sent', e.sendId);
    } else if (r.error.retryable && this.deps.runtime.getStatus().state !== 'open') {
      // The connection dropped: back in line, delivered when it is open again.
      outbox.transition(e.sendId, ['sending'], 'queued', { reason: 'waiting for the connection' }, this.clock.now());
    } else {
      outbox.transition(e.sendId, ['sending'], 'failed', { error: `${r.error.code}: ${r.error.message}` }, this.clock.now());
      this.audit(base, e.decidedBy ? 'approved' : 'queued', `failed: ${r.error.code}`, e.sendId);
    }
  }

  private baseOf(e: OutboxEntry): AuditBase {
    return { tool: e.tool, client: e.client, sessionId: e.sessionId, chatJid: e.chatJid, recipient: this.recipientName(e.chatJid), summary: e.summary };
  }

  private audit(base: AuditBase, decision: AuditDecision, result: string, sendId: string | null): void {
    try {
      this.deps.store.audit.append({ ...base, decision, result, sendId, at: this.clock.now() });
    } catch (err) {
      this.log.error({ err }, 'audit append failed');
    }
  }
}

type AuditBase = { tool: string; client: string | null; sessionId: string | null; chatJid: string | null; recipient: string | null; summary: string };
