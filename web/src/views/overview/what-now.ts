/**
 * "What now": the top of the overview says, for the current state, what is going on, what happens next
 * (with a countdown when a timer runs) and — when something is asked of the operator — the one button that
 * does it. Awaiting a scan, the QR is the main element; after a 401 the panel says the phone unlinked this
 * device and that scanning again is the way back. While a pairing code is out (linking by phone number),
 * the panel says to type it on the phone instead.
 */
import { closeWords } from '../../diagram/words.js';
import { clear, h } from '../../dom.js';
import { displayJid, formatDuration } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { StatusSummary } from '../../types.js';
import { COMMANDS, runCommand, unavailable, type Command } from './commands.js';
import { describeError } from '../../api.js';
import { Disposer, type Component } from './component.js';
import { qrCard } from './qr-card.js';

type Tone = 'ok' | 'info' | 'warn' | 'danger';

interface Plan {
  tone: Tone;
  title: string;
  /** What is going on, in sentences. */
  what: string;
  /** What the operator should do (stuck, unlinked). */
  todo?: string;
  countdown?: { label: string; at: number };
  action?: Command;
  /** A label for the action that fits this situation better than the generic one. */
  actionLabel?: string;
  qr?: boolean;
}

const STUCK: Record<string, { why: string; todo: string; action: Command; actionLabel: string }> = {
  replaced: {
    why: 'Another session took over this WhatsApp link (440 replaced): a second copy of this server, or another program, is logged in with the same credentials.',
    todo: 'Stop the other copy first, then reconnect. Reconnecting while it runs only makes the two take turns.',
    action: 'RESTART',
    actionLabel: 'Reconnect now',
  },
  forbidden: {
    why: 'WhatsApp refused this account (403 forbidden): it may be banned or restricted.',
    todo: 'Open WhatsApp on the phone. If the account works there, try to reconnect; if not, unlink and link another account.',
    action: 'RESTART',
    actionLabel: 'Try to reconnect',
  },
  'multi-device mismatch': {
    why: 'WhatsApp no longer accepts this linked device (411 multi-device mismatch).',
    todo: 'Unlink it and link again with a fresh QR scan.',
    action: 'LOGOUT',
    actionLabel: 'Unlink and show a new QR…',
  },
};

/** The plan for a status: what to say and which (one) command fits. */
export function planFor(st: StatusSummary, now: number): Plan {
  const d = st.deadlines;
  const close = st.lastDisconnect;
  switch (st.state) {
    case 'awaiting-qr': {
      const code = codePlan(st);
      if (code) return code;
      if (close?.code === 401) {
        return {
          tone: 'danger',
          title: 'Your phone unlinked this device',
          what: 'WhatsApp logged this server out (401): it was removed under Linked devices on the phone, or the link expired. Stored messages are kept.',
          todo: 'Scan the new code below with the phone to link again.',
          qr: true,
        };
      }
      return {
        tone: 'info',
        title: 'Link this server to WhatsApp',
        what: 'Nobody is linked yet. Scan the code with the phone whose account this server should use.',
        qr: true,
      };
    }
    case 'connecting':
      if (d.backoffUntil !== null && d.backoffUntil > now) {
        return {
          tone: 'warn',
          title: 'Connection lost — reconnecting by itself',
          what: close ? `WhatsApp closed the connection (${closeWords(close.code, close.reason)}). The next attempt starts by itself.` : 'The next attempt starts by itself.',
          countdown: { label: 'Next attempt in', at: d.backoffUntil },
          action: 'RESTART',
        };
      }
      return {
        tone: 'info',
        title: 'Connecting to WhatsApp…',
        what: close && st.outage ? `Reconnecting after ${closeWords(close.code, close.reason)}.` : 'Opening the connection and logging in.',
        ...(d.watchdogAt !== null ? { countdown: { label: 'Escalates unless connected in', at: d.watchdogAt } } : {}),
      };
    case 'open':
      return {
        tone: 'ok',
        title: 'Connected',
        what: `Linked as ${st.me ? `${st.me.name ? `${st.me.name} · ` : ''}${displayJid(st.me.id)}` : 'your account'}. Messages are flowing; nothing to do.`,
      };
    case 'soft-resync':
      return {
        tone: 'info',
        title: 'Repairing app state',
        what: 'Part of the synced app state (contacts, chat settings) could not be decoded; it is being downloaded again while the connection stays up.',
        ...(d.resyncDeadline !== null ? { countdown: { label: 'Reconnects unless done in', at: d.resyncDeadline } } : {}),
      };
    case 'restarting':
      return {
        tone: 'warn',
        title: 'Restarting the connection',
        what: `${st.reason ? `${sentence(st.reason)}. ` : ''}A fresh connection starts by itself (${st.restartBudget.used} of ${st.restartBudget.intensity} automatic restarts used in the last ${formatDuration(st.restartBudget.periodMs)}).`,
        ...(d.restartAt !== null ? { countdown: { label: 'Starts in', at: d.restartAt } } : {}),
        action: 'RESTART',
        actionLabel: 'Start now',
      };
    case 'stuck': {
      const reason = st.reason ?? 'stuck';
      const known = STUCK[reason];
      const budget = reason === 'restart budget exhausted';
      return {
        tone: 'danger',
        title: 'Stuck — needs you',
        what: known
          ? known.why
          : budget
            ? `The connection failed ${st.restartBudget.intensity} times within ${formatDuration(st.restartBudget.periodMs)}, so automatic restarts are paused to keep it from spinning.${close ? ` Last close: ${closeWords(close.code, close.reason)}.` : ''}`
            : `Automatic recovery gave up: ${reason}.`,
        todo: known ? known.todo : 'Check the server’s network and the event log below, then reset the failure count and reconnect.',
        ...(d.stuckRetryAt !== null ? { countdown: { label: 'Next automatic try in', at: d.stuckRetryAt } } : {}),
        action: known?.action ?? 'RESET',
        ...(known ? { actionLabel: known.actionLabel } : {}),
      };
    }
  }
}

/** The steps on the phone, as WhatsApp names them (the same words as the pairing form's). */
const TYPE_CODE_STEPS = 'On that phone: WhatsApp → Settings → Linked devices → Link a device → “Link with phone number instead”, then type the pairing code shown on this page.';

/**
 * Linking by phone number (issue #14): while a code is asked for or waits to be typed, the human step is
 * typing it, not scanning. The summary carries no expiry (the code lives as long as this unpaired
 * connection, which WhatsApp ends after a few minutes), so the panel says that instead of a countdown.
 */
function codePlan(st: StatusSummary): Plan | null {
  const p = st.pairingCode;
  const who = p.phone ? `+${p.phone}` : 'the phone';
  if (p.available) {
    return {
      tone: 'info',
      title: 'Type the code on the phone',
      what: `A pairing code for ${who} is waiting to be typed. It stays valid while this server waits to be linked (a few minutes); request a new one if it expires. The QR code still works too.`,
      todo: TYPE_CODE_STEPS,
      qr: true,
    };
  }
  if (p.pending) {
    return {
      tone: 'info',
      title: 'Asking WhatsApp for a pairing code',
      what: `A code for ${who} was requested; it appears on this page as soon as WhatsApp confirms it. Then type it on that phone.`,
      qr: true,
    };
  }
  return null;
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const RESTRICTED: Record<NonNullable<StatusSummary['restriction']>['kind'], string> = {
  reachout_timelock: 'WhatsApp restricts messages to new contacts (463 reachout timelock)',
  rate_overlimit: 'WhatsApp rate-limits this account’s sends (429)',
  account_restricted: 'WhatsApp restricted this account',
};

/** The restriction banner's text, or null (the same rule as the send path's `requireMayWrite`). */
export function restrictionText(st: StatusSummary): string | null {
  const r = st.restriction;
  if (!r) return null;
  const until = r.until === null ? ' (no end announced)' : ` until ${new Date(r.until).toLocaleString()}`;
  const effect =
    r.kind === 'rate_overlimit'
      ? 'Every send is refused (retryable) until it ends.'
      : 'Replies in existing chats still go out; first messages to new contacts are refused (retryable) until it ends.';
  return `${RESTRICTED[r.kind]}${until}. ${effect}`;
}

export function whatNowCard(live: LiveState): Component {
  const d = new Disposer();
  const qr = qrCard(live, { embedded: true });
  d.add(qr.dispose);
  const title = h('h2', { class: 'wn-title', id: 'wn-h', 'data-testid': 'what-now-title' });
  const what = h('p', { class: 'wn-what', 'data-testid': 'what-now-what' });
  const todo = h('p', { class: 'wn-todo', 'data-testid': 'what-now-todo', hidden: true });
  const countdown = h('p', { class: 'wn-countdown', 'data-testid': 'what-now-countdown', hidden: true });
  const actionBtn = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'what-now-action', 'aria-describedby': 'wn-action-why', hidden: true });
  const actionWhy = h('p', { class: 'small muted wn-why', id: 'wn-action-why', hidden: true });
  const actionErr = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const restricted = h('p', { class: 'wn-restricted', 'data-testid': 'what-now-restriction', hidden: true });
  const text = h('div', { class: 'wn-text' }, title, restricted, what, todo, countdown, h('div', { class: 'wn-actions' }, actionBtn), actionWhy, actionErr);
  const el = h('section', { class: 'card what-now', 'data-testid': 'what-now', 'aria-labelledby': 'wn-h' }, text, qr.el);

  let plan: Plan | null = null;
  let action: Command | null = null;
  actionBtn.addEventListener('click', () => {
    if (!action) return;
    const cmd = action;
    actionBtn.disabled = true;
    actionErr.hidden = true;
    runCommand(cmd)
      .catch((err: unknown) => {
        actionErr.textContent = describeError(err);
        actionErr.hidden = false;
      })
      .finally(sync);
  });

  const sync = () => {
    if (!action) return;
    const no = unavailable(live, action);
    actionBtn.disabled = no !== null;
    actionWhy.textContent = no ? `${COMMANDS[action].does} ${no}` : COMMANDS[action].does;
  };

  const render = () => {
    const st = live.status;
    if (!st) return;
    plan = planFor(st, live.now());
    const r = restrictionText(st);
    restricted.hidden = r === null;
    restricted.textContent = r ?? '';
    el.dataset.tone = r !== null && plan.tone === 'ok' ? 'warn' : plan.tone;
    el.dataset.state = st.state;
    title.textContent = plan.title;
    what.textContent = plan.what;
    todo.hidden = !plan.todo;
    todo.textContent = plan.todo ?? '';
    action = plan.action ?? null;
    actionBtn.hidden = action === null;
    actionWhy.hidden = action === null;
    if (action) {
      actionBtn.textContent = plan.actionLabel ?? COMMANDS[action].label;
      actionBtn.dataset.command = action;
    }
    el.classList.toggle('with-qr', plan.qr === true);
    sync();
    tick();
  };

  const tick = () => {
    const c = plan?.countdown;
    const now = live.now();
    countdown.hidden = !c;
    if (!c) return clear(countdown);
    const left = c.at - now;
    countdown.textContent = left > 0 ? `${c.label} ${formatDuration(left)}` : `${c.label.replace(/ in$/, '')}: due`;
  };

  d.add(live.subscribe({ status: render, link: () => (render(), sync()) }));
  d.every(500, tick);
  render();
  return { el, dispose: d.dispose };
}
