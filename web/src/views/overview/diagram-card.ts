/**
 * The live supervisor diagram: active states, the transition just taken, per-state countdown badges and
 * the stream's link status.
 */
import { describeError } from '../../api.js';
import { loadDiagram, type LoadedDiagram } from '../../diagram/index.js';
import { edgeForTransition, withAncestors } from '../../diagram/model.js';
import { clear, h } from '../../dom.js';
import { eventLabel, formatDuration } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { Deadlines, Transition } from '../../types.js';
import { Disposer, type Component } from './component.js';
import { graceMatters } from './lifecycle.js';
import { describeTransition } from './transitions.js';

/** Which diagram state shows which countdown. */
const BADGES: { node: string; key: keyof Deadlines; prefix: string; whenActive: boolean }[] = [
  { node: 'connection.connecting.backoff', key: 'backoffUntil', prefix: 'retry in', whenActive: true },
  { node: 'connection.connecting', key: 'watchdogAt', prefix: 'watchdog', whenActive: true },
  { node: 'connection.soft-resync', key: 'resyncDeadline', prefix: 'deadline', whenActive: true },
  { node: 'supervisor.restarting', key: 'restartAt', prefix: 'in', whenActive: true },
  { node: 'supervisor.stuck', key: 'stuckRetryAt', prefix: 'retry in', whenActive: true },
  { node: 'supervisor', key: 'graceAt', prefix: 'health grace', whenActive: false },
];

export function diagramCard(live: LiveState): Component {
  const d = new Disposer();
  const diagramHost = h('div', { class: 'diagram-host', 'data-testid': 'diagram' }, h('p', { class: 'muted pad' }, 'Laying out the state machines…'));
  const lastTransition = h('p', { class: 'last-transition', 'data-testid': 'last-transition', 'aria-live': 'polite' }, 'No transition yet.');
  const linkBadge = h('span', { class: 'link-badge', 'data-testid': 'stream-status' });
  const el = h(
    'section',
    { class: 'card diagram-card', 'aria-labelledby': 'dia-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'dia-h', class: 'card-title' }, 'Supervisor tree — live'), linkBadge),
    lastTransition,
    diagramHost,
    h(
      'p',
      { class: 'legend small' },
      h('span', null, h('span', { class: 'lg lg-active' }), 'active state'),
      h('span', null, h('span', { class: 'lg lg-edge' }), 'last transition (its event highlighted)'),
      h('span', null, h('span', { class: 'lg lg-final' }), 'final: hands the failure to the supervisor'),
      h('span', null, 'Hover an arrow for its guards.'),
    ),
  );

  let diagram: LoadedDiagram | null = null;

  const tick = () => {
    const st = live.status;
    if (!st || !diagram) return;
    const now = Date.now();
    const activeAll = withAncestors(diagram.model, [...live.leaves.supervisor, ...live.leaves.connection]);
    for (const b of BADGES) {
      const at = st.deadlines[b.key];
      const show = at !== null && at !== undefined && (!b.whenActive || activeAll.has(b.node));
      const hideGrace = b.key === 'graceAt' && !graceMatters(st.state);
      diagram.view.setBadge(b.node, show && !hideGrace ? `${b.prefix} ${formatDuration(Math.max(0, at - now))}` : null);
    }
    const { used, intensity } = st.restartBudget;
    diagram.view.setBadge('supervisor.running', `restarts ${used}/${intensity}`);
  };

  const applyLeaves = () => {
    diagram?.view.setActive([...live.leaves.supervisor, ...live.leaves.connection]);
    tick();
  };

  // After a (re)connect the full state may carry transitions this page never saw live: show the newest per actor.
  let shownAt = 0;
  const showTransition = (t: Transition) => {
    shownAt = Math.max(shownAt, t.at);
    lastTransition.textContent = '';
    lastTransition.append(h('span', { class: 'ev' }, eventLabel(t.event)), ` ${describeTransition(t)}`);
    lastTransition.dataset.event = t.event;
    if (!diagram) return;
    // A fresh worker has taken no transition yet: drop the old worker's highlighted edge.
    if (t.actor === 'supervisor' && t.to.includes('supervisor.running')) {
      diagram.view.showTransition({ ...t, actor: 'connection' }, undefined);
    }
    diagram.view.showTransition(t, edgeForTransition(diagram.model, t)?.id);
  };
  const catchUpTransitions = () => {
    const newest = new Map<string, Transition>();
    for (const t of live.transitions) if (t.at >= shownAt) newest.set(t.actor, t);
    for (const t of [...newest.values()].sort((a, b) => a.at - b.at)) showTransition(t);
  };

  const setLink = () => {
    linkBadge.textContent = live.link === 'live' ? 'live' : live.link === 'reconnecting' ? 'reconnecting…' : 'connecting…';
    linkBadge.className = `link-badge link-${live.link}`;
  };

  d.add(
    live.subscribe({
      state: () => {
        applyLeaves();
        catchUpTransitions();
      },
      status: tick,
      leaves: applyLeaves,
      transition: showTransition,
      link: setLink,
    }),
  );

  void loadDiagram(diagramHost)
    .then((loaded) => {
      diagram = loaded;
      diagramHost.dataset.ready = 'true';
      applyLeaves();
      shownAt = 0;
      catchUpTransitions();
    })
    .catch((err: unknown) => {
      clear(diagramHost);
      diagramHost.append(h('p', { class: 'error pad', role: 'alert' }, `Could not draw the diagram: ${describeError(err)}`));
    });

  setLink();
  d.every(500, tick);
  return { el, dispose: d.dispose };
}
