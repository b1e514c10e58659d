/**
 * The details of the focused or tapped state or transition: why it exists (the machines' `description`s,
 * when the definition carries them), its guards in words, its timers with live countdowns, and when the
 * recent trail took it.
 */
import { clear, h } from '../dom.js';
import { clockTime, formatDuration } from '../format.js';
import type { Deadlines } from '../types.js';
import type { DiagramEdge, DiagramModel } from './model.js';
import type { Selection } from './view.js';
import { eventWords, guardWords } from './words.js';

/** Which status deadline times each named delay of the machines. */
const DELAY_DEADLINE: Record<string, { key: keyof Deadlines; words: string }> = {
  backoff: { key: 'backoffUntil', words: 'reconnect backoff' },
  watchdog: { key: 'watchdogAt', words: 'disconnect watchdog' },
  resyncTimeout: { key: 'resyncDeadline', words: 'resync deadline' },
  restartDelay: { key: 'restartAt', words: 'restart delay' },
  stuckRetry: { key: 'stuckRetryAt', words: 'slow retry out of stuck' },
};

export interface DetailsContext {
  model: DiagramModel;
  /** Active states, ancestors included. */
  active: Set<string>;
  deadlines: Deadlines | null;
  now: number;
  /** Recent steps, newest first. */
  trail: { edgeId: string; text: string; at: number }[];
}

const pathOf = (id: string) => id.split('.').join(' › ');
const leafName = (id: string) => id.slice(id.lastIndexOf('.') + 1);

function timerLine(delay: string, ctx: DetailsContext, active: boolean): HTMLElement {
  const known = DELAY_DEADLINE[delay];
  const at = known && ctx.deadlines ? ctx.deadlines[known.key] : null;
  const running = active && at !== null && at !== undefined;
  return h(
    'li',
    { 'data-timer': delay },
    h('strong', null, known?.words ?? delay),
    ' ',
    h('code', null, delay),
    ' — ',
    running ? (at - ctx.now > 0 ? `fires in ${formatDuration(at - ctx.now)}` : 'due now') : 'not running',
  );
}

function eventItem(e: DiagramEdge, i: number, ctx: DetailsContext): HTMLElement {
  const ev = e.events[i]!;
  return h(
    'li',
    null,
    h('strong', null, ev.lines.join(', ') || eventWords(ev.event)),
    ' ',
    h('code', null, ev.event),
    ev.guards.length ? h('div', { class: 'small' }, `only if ${ev.guards.map(guardWords).join(', or ')}`) : null,
    ev.delay ? h('ul', { class: 'plain small' }, timerLine(ev.delay, ctx, ctx.active.has(e.source))) : null,
    ev.description ? h('p', { class: 'small' }, ev.description) : null,
  );
}

function stateDetails(id: string, ctx: DetailsContext): HTMLElement[] {
  const n = ctx.model.nodes.get(id);
  if (!n) return [h('p', null, 'Unknown state.')];
  const active = ctx.active.has(id);
  const out: HTMLElement[] = [
    h('h3', { class: 'details-title' }, n.label, active ? h('span', { class: 'tag tag-ok' }, 'current') : null, n.kind === 'final' ? h('span', { class: 'tag' }, 'final') : null),
    h('p', { class: 'small muted details-path' }, pathOf(id)),
    n.description
      ? h('p', { 'data-testid': 'state-description' }, n.description)
      : h('p', { class: 'muted', 'data-testid': 'state-description' }, 'The machine definition carries no description for this state yet.'),
  ];
  if (n.timers.length) out.push(h('h4', null, 'Timers'), h('ul', { class: 'plain' }, ...n.timers.map((t) => timerLine(t, ctx, active))));
  const ways = ctx.model.edges.filter((e) => e.source === id && !e.initial);
  if (ways.length) {
    out.push(
      h('h4', null, 'Ways out'),
      h(
        'ul',
        { class: 'plain' },
        ...ways.flatMap((e) =>
          e.events.map((ev) =>
            h(
              'li',
              null,
              h('strong', null, ev.lines.join(', ')),
              ` → ${leafName(e.target)}`,
              ev.guards.length ? h('span', { class: 'small muted' }, ` (only if ${ev.guards.map(guardWords).join(', or ')})`) : null,
            ),
          ),
        ),
      ),
    );
  }
  const inherited = [];
  for (let cur = n.parent; cur; cur = ctx.model.nodes.get(cur)?.parent ?? null) {
    if (ctx.model.edges.some((e) => e.source === cur && !e.initial)) inherited.push(leafName(cur));
  }
  if (inherited.length) out.push(h('p', { class: 'small muted' }, `Also left by the ways out of ${inherited.join(', ')} (focus it to see them).`));
  if (n.invokes.length) out.push(h('p', { class: 'small' }, `Runs ${n.invokes.join(', ')} while active.`));
  return out;
}

function edgeDetails(id: string, ctx: DetailsContext): HTMLElement[] {
  const e = ctx.model.edges.find((x) => x.id === id);
  if (!e) return [h('p', null, 'Unknown transition.')];
  const taken = ctx.trail.filter((t) => t.edgeId === id);
  const out: HTMLElement[] = [
    h('h3', { class: 'details-title' }, `${leafName(e.source)} → ${leafName(e.target)}`),
    h('p', { class: 'small muted details-path' }, `${pathOf(e.source)} → ${pathOf(e.target)}`),
    h('ul', { class: 'plain events' }, ...e.events.map((_, i) => eventItem(e, i, ctx))),
  ];
  if (taken.length) {
    out.push(h('h4', null, 'Recently taken'), h('ul', { class: 'plain' }, ...taken.map((t) => h('li', null, h('time', null, clockTime(t.at)), ` ${t.text}`))));
  }
  return out;
}

export function renderDetails(host: HTMLElement, sel: Selection | null, ctx: DetailsContext): void {
  clear(host);
  if (!sel) {
    host.append(h('p', { class: 'muted small' }, 'Focus or tap a state or a transition label: its purpose, guards and timers show here.'));
    return;
  }
  host.append(...(sel.kind === 'state' ? stateDetails(sel.id, ctx) : edgeDetails(sel.id, ctx)));
}
