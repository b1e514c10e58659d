/**
 * Safety (issue #15): what agents are allowed to send, and what they asked to send.
 *
 * - the policy in force, in words (it is changed in Settings: one place to edit it);
 * - writes waiting for approval, each with who, what (the agent's text shown as quoted data, never as
 *   markup), why it waits and when it expires, with Approve / Reject;
 * - the outbox: writes queued by pacing or a closed connection, with their time and Cancel, and the
 *   recently finished ones;
 * - the audit log (newest first) and its full JSONL export.
 *
 * Open writes come from the app-wide {@link OutboxWatch}; history and audit are re-read when it sees a
 * row move.
 */
import { ApiError, describeError, getJson, postJson } from '../../api.js';
import { clear, h, toast } from '../../dom.js';
import { formatDuration } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { AuditEntry, SendView, SendsPage, Settings } from '../../types.js';
import { Disposer, type Component } from '../overview/component.js';
import { modeWords, recipientLabel, toolLabel } from './words.js';
import type { OutboxSnapshot, OutboxWatch } from './watch.js';

const DONE = 'sent,failed,rejected,expired,cancelled';
const HISTORY_LIMIT = 20;
const AUDIT_LIMIT = 100;

/** "14:05" today, else "3 Dec 14:05" (local time of the browser). */
function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

const STATUS_WORDS: Record<string, string> = {
  pending_approval: 'waiting for approval',
  queued: 'queued',
  sending: 'sending now',
  sent: 'sent',
  failed: 'failed',
  rejected: 'rejected',
  expired: 'expired',
  cancelled: 'cancelled',
};

const TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info'> = {
  sent: 'ok',
  auto: 'ok',
  elicited: 'ok',
  approved: 'ok',
  pending: 'info',
  pending_approval: 'info',
  queued: 'info',
  sending: 'info',
  failed: 'bad',
  denied: 'bad',
  rejected: 'warn',
  declined: 'warn',
  expired: 'warn',
  cancelled: 'warn',
};

function statusTag(status: string, words = STATUS_WORDS[status] ?? status): HTMLElement {
  return h('span', { class: `tag tag-${TONE[status] ?? 'info'}`, 'data-status': status }, words);
}

/** The server's one-line summary; message text inside it is the agent's data, so only ever text. */
function quoted(summary: string): HTMLElement {
  return h('blockquote', { class: 'send-summary', 'data-testid': 'send-summary' }, summary);
}

function countdown(at: number): HTMLElement {
  return h('span', { class: 'countdown', 'data-at': at }, formatDuration(at - Date.now()));
}

interface Names {
  recipient: Map<string, string>;
  client: Map<string, string>;
}

export function safetyView(live: LiveState, watch: OutboxWatch): Component {
  const d = new Disposer();

  // ---- policy in force ---------------------------------------------------------------------------
  const policyBody = h('div', { class: 'policy-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const policy = h(
    'section',
    { class: 'card safety-policy', 'aria-labelledby': 'sf-policy-h', 'data-testid': 'safety-policy' },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', id: 'sf-policy-h' }, 'Policy in force'), h('a', { href: '#/settings', class: 'btn btn-small' }, 'Change in Settings')),
    policyBody,
  );

  // ---- approval queue ----------------------------------------------------------------------------
  const pendingCount = h('span', { class: 'count-pill', 'data-testid': 'pending-count' }, '0');
  const pendingList = h('ul', { class: 'send-list', 'data-testid': 'pending-list', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const pendingEmpty = h('p', { class: 'muted empty-note', 'data-testid': 'pending-empty' }, 'Nothing is waiting for approval.');
  const queue = h(
    'section',
    { class: 'card', 'aria-labelledby': 'sf-queue-h', 'data-testid': 'approval-queue' },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', id: 'sf-queue-h' }, 'Waiting for your approval ', pendingCount)),
    h('p', { class: 'small muted card-sub' }, 'Writes an agent asked for that need a person to say yes. Quoted text is what the agent wrote: read it as data, not as instructions.'),
    pendingList,
    pendingEmpty,
  );

  // ---- outbox ------------------------------------------------------------------------------------
  const queuedList = h('ul', { class: 'send-list', 'data-testid': 'queued-list' });
  const queuedEmpty = h('p', { class: 'muted empty-note' }, 'Nothing is queued.');
  const historyList = h('ul', { class: 'send-list send-list-compact', 'data-testid': 'history-list' });
  const historyNote = h('p', { class: 'muted empty-note' }, 'Loading…');
  const outbox = h(
    'section',
    { class: 'card', 'aria-labelledby': 'sf-outbox-h', 'data-testid': 'outbox' },
    h('h2', { class: 'card-title', id: 'sf-outbox-h' }, 'Outbox'),
    h('p', { class: 'small muted card-sub' }, 'Approved and paced writes wait here for their time (or for the connection), and go out in order.'),
    queuedList,
    queuedEmpty,
    h('h3', { class: 'sub-title' }, 'Recently finished'),
    historyList,
    historyNote,
  );

  // ---- audit log ---------------------------------------------------------------------------------
  const auditBody = h('tbody');
  const auditNote = h('p', { class: 'muted empty-note' }, 'Loading…');
  const auditTable = h(
    'table',
    { class: 'audit-table', 'data-testid': 'audit-table' },
    h('caption', { class: 'sr-only' }, `The newest ${AUDIT_LIMIT} audit entries, newest first`),
    h(
      'thead',
      null,
      h('tr', null, ...['Time', 'Decision', 'Result', 'Tool', 'Recipient', 'What', 'Client'].map((c) => h('th', { scope: 'col' }, c))),
    ),
    auditBody,
  );
  const refreshAudit = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
  const audit = h(
    'section',
    { class: 'card safety-audit', 'aria-labelledby': 'sf-audit-h', 'data-testid': 'audit' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { class: 'card-title', id: 'sf-audit-h' }, 'Audit log'),
      h(
        'div',
        { class: 'inline' },
        refreshAudit,
        // Same-origin link: the session cookie authenticates it, as for the chat export.
        h('a', { class: 'btn btn-small', href: '/api/audit', download: 'audit.jsonl', 'data-testid': 'audit-download' }, 'Download JSONL'),
      ),
    ),
    h('p', { class: 'small muted card-sub' }, `Every decision about a write, newest first (the last ${AUDIT_LIMIT} here; the download has all of it).`),
    h('div', { class: 'audit-scroll', tabindex: 0, role: 'region', 'aria-label': 'Audit log entries' }, auditTable),
    auditNote,
  );

  const el = h('div', { class: 'safety' }, policy, h('div', { class: 'safety-cols' }, queue, outbox), audit);

  // ---- state -------------------------------------------------------------------------------------
  const names: Names = { recipient: new Map(), client: new Map() };
  let snapshot: OutboxSnapshot | null = null;
  const busy = new Set<string>();

  const toLabel = (s: SendView) => recipientLabel(s.chatId, names.recipient.get(s.sendId));

  const act = async (s: SendView, action: 'approve' | 'reject' | 'cancel', btn: HTMLButtonElement) => {
    if (busy.has(s.sendId)) return;
    busy.add(s.sendId);
    for (const b of Array.from(btn.parentElement?.querySelectorAll('button') ?? [])) b.disabled = true;
    try {
      const r = await postJson<SendView>(`/api/sends/${encodeURIComponent(s.sendId)}/${action}`);
      const to = toLabel(s);
      if (action === 'approve') {
        const at = r.scheduledAt ? Date.parse(r.scheduledAt) : NaN;
        toast(Number.isFinite(at) && at > Date.now() + 1000 ? `Approved: goes to ${to} at ${when(at)} (paced).` : `Approved: sending to ${to}.`, 'ok');
      } else toast(action === 'reject' ? `Rejected: nothing is sent to ${to}.` : `Cancelled: nothing is sent to ${to}.`, 'ok');
    } catch (err) {
      toast(describeError(err), 'error');
    } finally {
      busy.delete(s.sendId);
      await watch.refresh();
      renderOpen();
    }
  };

  const sendItem = (s: SendView, kind: 'pending' | 'queued' | 'done'): HTMLElement => {
    const head = h('div', { class: 'send-head' }, h('strong', { class: 'send-to', 'data-testid': 'send-to' }, toLabel(s)), h('span', { class: 'tag' }, toolLabel(s.tool)));
    const li = h('li', { class: `send-item send-${kind}`, 'data-send-id': s.sendId, 'data-status': s.status }, head, quoted(s.summary));
    const client = names.client.get(s.sendId);
    const asked = `Asked ${when(Date.parse(s.createdAt))}${client ? ` by ${client}` : ''}`;
    if (kind === 'pending') {
      if (s.reason) li.append(h('p', { class: 'send-why', 'data-testid': 'send-why' }, h('span', { class: 'muted' }, 'Why: '), s.reason));
      const exp = s.expiresAt ? Date.parse(s.expiresAt) : NaN;
      const expiry = Number.isFinite(exp) ? h('span', { 'data-testid': 'send-expires' }, ` · expires ${when(exp)} (in `, countdown(exp), ')') : null;
      li.append(h('p', { class: 'send-when small muted' }, asked, expiry));
      const approve = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'approve', 'aria-label': `Approve: ${toolLabel(s.tool)} to ${toLabel(s)}` }, 'Approve');
      const reject = h('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'reject', 'aria-label': `Reject: ${toolLabel(s.tool)} to ${toLabel(s)}` }, 'Reject');
      approve.addEventListener('click', () => void act(s, 'approve', approve));
      reject.addEventListener('click', () => void act(s, 'reject', reject));
      if (busy.has(s.sendId)) approve.disabled = reject.disabled = true;
      li.append(h('div', { class: 'send-actions' }, approve, reject));
    } else if (kind === 'queued') {
      const at = s.scheduledAt ? Date.parse(s.scheduledAt) : NaN;
      const offline = s.reason === 'waiting for the connection' ? 'Waiting for the connection; ' : '';
      const line =
        s.status === 'sending'
          ? h('span', { 'data-testid': 'send-scheduled' }, 'Sending now')
          : Number.isFinite(at) && at > live.now()
            ? h('span', { 'data-testid': 'send-scheduled' }, `${offline}goes out ${when(at)} (in `, countdown(at), ')')
            : h('span', { 'data-testid': 'send-scheduled' }, `${offline}goes out as soon as it can`);
      li.append(h('p', { class: 'send-when small' }, statusTag(s.status), ' ', line), h('p', { class: 'send-when small muted' }, asked));
      if (s.status === 'queued') {
        const cancel = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'cancel', 'aria-label': `Cancel: ${toolLabel(s.tool)} to ${toLabel(s)}` }, 'Cancel');
        cancel.addEventListener('click', () => void act(s, 'cancel', cancel));
        if (busy.has(s.sendId)) cancel.disabled = true;
        li.append(h('div', { class: 'send-actions' }, cancel));
      }
    } else {
      const detail = s.error ?? (s.decidedBy && s.status !== 'sent' ? `by ${s.decidedBy}` : '');
      li.append(h('p', { class: 'send-when small' }, statusTag(s.status), ' ', h('span', { class: 'muted' }, `${asked}${detail ? ` · ${detail}` : ''}`)));
    }
    return li;
  };

  /** Open writes, oldest first (the order they are decided and delivered in). */
  const renderOpen = () => {
    if (!snapshot) return;
    const open = [...snapshot.page.sends].reverse();
    const pending = open.filter((s) => s.status === 'pending_approval');
    const queued = open.filter((s) => s.status === 'queued' || s.status === 'sending');
    pendingCount.textContent = String(pending.length);
    const keepFocus = document.activeElement instanceof HTMLElement && el.contains(document.activeElement) ? document.activeElement.closest<HTMLElement>('[data-send-id]')?.dataset.sendId : undefined;
    clear(pendingList);
    for (const s of pending) pendingList.append(sendItem(s, 'pending'));
    pendingEmpty.hidden = pending.length > 0;
    clear(queuedList);
    for (const s of queued) queuedList.append(sendItem(s, 'queued'));
    queuedEmpty.hidden = queued.length > 0;
    // A re-render must not throw keyboard users back to the top of the page.
    if (keepFocus) (el.querySelector<HTMLElement>(`[data-send-id="${CSS.escape(keepFocus)}"] button:not(:disabled)`) ?? pendingList.querySelector('button'))?.focus();
  };

  const loadHistory = async () => {
    try {
      const r = await getJson<SendsPage>(`/api/sends?status=${DONE}&limit=${HISTORY_LIMIT}`);
      clear(historyList);
      for (const s of r.sends) historyList.append(sendItem(s, 'done'));
      historyNote.hidden = r.sends.length > 0;
      historyNote.textContent = 'Nothing has finished yet.';
    } catch (err) {
      historyNote.hidden = false;
      historyNote.textContent = err instanceof ApiError && err.notAvailable ? 'The outbox is not available on this server.' : `Could not load: ${describeError(err)}`;
    }
  };

  const renderAudit = (entries: AuditEntry[]) => {
    clear(auditBody);
    for (const e of entries) {
      const cell = (label: string, ...content: (Node | string)[]) => h('td', { 'data-label': label }, ...content);
      auditBody.append(
        h(
          'tr',
          { 'data-send-id': e.sendId ?? undefined, 'data-decision': e.decision },
          cell('Time', h('time', { datetime: new Date(e.at).toISOString() }, when(e.at))),
          cell('Decision', statusTag(e.decision, e.decision)),
          cell('Result', e.result),
          cell('Tool', h('code', null, e.tool)),
          cell('Recipient', e.recipient ?? (e.chatJid ? recipientLabel(e.chatJid) : '—')),
          cell('What', h('q', { class: 'audit-summary' }, e.summary)),
          cell('Client', e.client ?? '—'),
        ),
      );
    }
    auditNote.hidden = entries.length > 0;
    auditNote.textContent = 'No writes yet.';
  };

  const loadAudit = async () => {
    try {
      const r = await getJson<{ entries: AuditEntry[] }>(`/api/audit?format=json&limit=${AUDIT_LIMIT}`);
      // Who asked and the recipient's name are known from the write's first audit line.
      for (const e of [...r.entries].reverse()) {
        if (!e.sendId) continue;
        if (e.recipient && !names.recipient.has(e.sendId)) names.recipient.set(e.sendId, e.recipient);
        if (e.client && !names.client.has(e.sendId)) names.client.set(e.sendId, e.client);
      }
      renderAudit(r.entries);
    } catch (err) {
      auditNote.hidden = false;
      auditNote.textContent = err instanceof ApiError && err.notAvailable ? 'The audit log is not available on this server.' : `Could not load: ${describeError(err)}`;
    }
  };

  const loadPolicy = async () => {
    try {
      const s = await getJson<Settings>('/api/settings');
      renderPolicy(s);
    } catch (err) {
      clear(policyBody);
      policyBody.append(h('p', { class: 'error' }, `Could not load the policy: ${describeError(err)}`));
    }
  };

  const renderPolicy = (s: Settings) => {
    clear(policyBody);
    const m = modeWords(s.send_mode);
    const lists = (allow: string[], deny: string[], verb: string) =>
      allow.length === 0 && deny.length === 0
        ? `every chat may be ${verb}`
        : [allow.length > 0 ? `only ${allow.length} chat${allow.length === 1 ? '' : 's'} may be ${verb}` : '', deny.length > 0 ? `${deny.length} never ${verb}` : ''].filter(Boolean).join('; ');
    const pacing = s.pacing_enabled
      ? [
          s.pace_chat_interval_s > 0 ? `${s.pace_chat_interval_s} s between sends to one chat` : '',
          s.pace_per_minute > 0 ? `${s.pace_per_minute}/min` : '',
          s.pace_per_hour > 0 ? `${s.pace_per_hour}/h` : '',
          s.pace_new_recipients_per_day > 0 ? `${s.pace_new_recipients_per_day} new chats/day` : '',
        ]
          .filter(Boolean)
          .join(', ') || 'on, no limits set'
      : 'off';
    const rows: [string, Node | string][] = [
      ['Mode', h('span', null, h('strong', { 'data-testid': 'policy-mode', 'data-mode': s.send_mode }, m.label), ` — ${m.does}`)],
      ['New chats', s.approve_new_recipients ? 'A first message to a chat never written to needs approval.' : 'No extra approval for first messages.'],
      ['Reading', `${lists(s.read_allow, s.read_deny, 'read')}.`],
      ['Writing', `${lists(s.write_allow, s.write_deny, 'written to')}.`],
      ['Approvals expire', `after ${s.pending_expiry_hours} h`],
      ['Pacing', pacing],
    ];
    const dl = h('dl', { class: 'facts policy-facts' });
    for (const [k, v] of rows) dl.append(h('dt', null, k), h('dd', null, v));
    policyBody.append(dl);
  };

  // ---- wiring ------------------------------------------------------------------------------------
  d.add(
    watch.subscribe((s) => {
      const first = snapshot === null;
      snapshot = s;
      // Names come with the audit log: read it first so the queue says who, not only the number.
      const done = first ? loadAudit() : Promise.all([loadAudit(), loadHistory()]);
      void done.then(renderOpen);
      renderOpen();
    }),
  );
  // Countdowns ("expires in …", "in 40 s") move on their own, in place (no re-render under the pointer).
  d.every(5_000, () => {
    for (const c of Array.from(el.querySelectorAll<HTMLElement>('.countdown'))) c.textContent = formatDuration(Number(c.dataset.at) - live.now());
  });
  refreshAudit.addEventListener('click', () => void Promise.all([loadAudit(), loadHistory(), watch.refresh()]));
  void loadPolicy();
  void loadHistory();
  if (!watch.snapshot) {
    pendingEmpty.textContent = 'Loading…';
    void watch.refresh().then(() => {
      pendingEmpty.textContent = watch.unavailable ? 'Send safety is not available on this server.' : 'Nothing is waiting for approval.';
      if (!watch.snapshot) void loadAudit();
    });
  }
  return { el, dispose: d.dispose };
}
