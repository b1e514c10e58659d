/**
 * Every transition of both machines, newest first, one line per event (what happened in words, the raw
 * event, the machine), with filters by machine and kind and a text filter.
 */
import { stepText } from '../../diagram/words.js';
import { clear, h } from '../../dom.js';
import { clockTime } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { Transition } from '../../types.js';
import { Disposer, type Component } from './component.js';
import { describeMove } from './transitions.js';

const SHOWN = 300;

type Kind = 'all' | 'close' | 'operator' | 'timer' | 'link';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'all', label: 'All kinds' },
  { value: 'close', label: 'Closes and failures' },
  { value: 'operator', label: 'Operator commands' },
  { value: 'timer', label: 'Timers' },
  { value: 'link', label: 'Logins and QR codes' },
];

export function kindOf(t: Pick<Transition, 'event'>): Exclude<Kind, 'all'> | null {
  const e = t.event;
  if (e === 'ENGINE.CLOSED' || e === 'ENGINE.FAILED' || e === 'ENGINE.APP_STATE_FAILURE' || e === 'ENGINE.RESYNC_FAILED' || e.startsWith('xstate.done.actor') || e.startsWith('xstate.error.actor') || e === 'CONNECTION.DEGRADED') return 'close';
  if (e === 'RESTART' || e === 'RESET' || e === 'LOGOUT' || e === 'FORCE_RESYNC') return 'operator';
  if (e.startsWith('xstate.after.')) return 'timer';
  if (e === 'ENGINE.OPEN' || e === 'ENGINE.QR' || e === 'CONNECTION.OPEN' || e === 'CONNECTION.QR') return 'link';
  return null;
}

let uid = 0;

export function eventLogCard(live: LiveState, opts: { tall?: boolean } = {}): Component {
  const d = new Disposer();
  const n = ++uid;
  const logList = h('ol', { class: 'log', 'data-testid': 'event-log' });
  // Focusable, so the keyboard can scroll it (its lines have nothing else to focus).
  const scroller = h('div', { class: `log-scroll${opts.tall ? ' log-tall' : ''}`, tabindex: 0, role: 'region', 'aria-label': 'Event log, newest first' }, logList);
  const actorSel = h(
    'select',
    { id: `log-actor-${n}`, 'data-testid': 'log-actor' },
    h('option', { value: '' }, 'Both machines'),
    h('option', { value: 'supervisor' }, 'Supervisor'),
    h('option', { value: 'connection' }, 'Connection'),
  );
  const kindSel = h('select', { id: `log-kind-${n}`, 'data-testid': 'log-kind' }, ...KINDS.map((k) => h('option', { value: k.value }, k.label)));
  const text = h('input', { id: `log-text-${n}`, type: 'search', placeholder: 'Filter text', 'data-testid': 'log-text' });
  const count = h('span', { class: 'small muted log-count', 'aria-live': 'off' });
  const filters = h(
    'div',
    { class: 'log-filters' },
    h('label', { class: 'sr-only', for: actorSel.id }, 'Machine'),
    actorSel,
    h('label', { class: 'sr-only', for: kindSel.id }, 'Kind of event'),
    kindSel,
    h('label', { class: 'sr-only', for: text.id }, 'Filter the log by text'),
    text,
    count,
  );
  const titleId = `log-h-${n}`;
  const el = h('section', { class: 'card log-card', 'aria-labelledby': titleId }, h('h2', { id: titleId, class: 'card-title' }, 'Event log'), filters, scroller);

  const words = (t: Transition) => stepText(t, live.detail(t));
  const matches = (t: Transition) => {
    if (actorSel.value && t.actor !== actorSel.value) return false;
    const kind = kindSel.value as Kind;
    if (kind !== 'all' && kindOf(t) !== kind) return false;
    const q = text.value.trim().toLowerCase();
    if (q && !`${words(t)} ${t.event} ${describeMove(t)} ${t.actor}`.toLowerCase().includes(q)) return false;
    return true;
  };

  const line = (t: Transition) =>
    h(
      'li',
      { class: `log-item actor-${t.actor}`, 'data-event': t.event, title: `${t.actor}: ${describeMove(t)}` },
      h('time', { datetime: new Date(t.at).toISOString() }, clockTime(t.at)),
      h('span', { class: 'log-what' }, words(t)),
      h('span', { class: 'log-event' }, t.event),
      h('span', { class: 'log-actor' }, t.actor),
    );

  const renderAll = () => {
    clear(logList);
    let shown = 0;
    let total = 0;
    for (let i = live.transitions.length - 1; i >= 0; i--) {
      const t = live.transitions[i]!;
      total++;
      if (shown >= SHOWN || !matches(t)) continue;
      logList.append(line(t));
      shown++;
    }
    if (total === 0) logList.append(h('li', { class: 'muted log-empty' }, 'No transitions yet.'));
    else if (shown === 0) logList.append(h('li', { class: 'muted log-empty' }, 'No event matches these filters.'));
    const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;
    count.textContent = shown === total ? events(total) : `${shown} of ${events(total)}`;
  };

  for (const c of [actorSel, kindSel]) c.addEventListener('change', renderAll);
  text.addEventListener('input', renderAll);
  d.add(live.subscribe({ state: renderAll, transition: renderAll }));
  renderAll();
  return { el, dispose: d.dispose };
}
