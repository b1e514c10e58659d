/**
 * The live supervisor diagram at 100 % with zoom, pan, fit and full screen. By default it draws the
 * current state's ways out plus a fading trail of the last transitions in words ("428 connection lost →
 * backoff 4 s"); focusing or tapping a state or a transition shows its details. On a phone a "what
 * happened" timeline takes its place, with the graph one tap away.
 */
import { describeError } from '../../api.js';
import { renderDetails } from '../../diagram/details.js';
import { prepareDiagram } from '../../diagram/index.js';
import { withAncestors } from '../../diagram/model.js';
import { buildTrail } from '../../diagram/trail.js';
import { renderDiagram, type DiagramView, type Selection } from '../../diagram/view.js';
import { createViewport, type Viewport } from '../../diagram/viewport.js';
import { stepText } from '../../diagram/words.js';
import { clear, h } from '../../dom.js';
import { clockTime, formatDuration } from '../../format.js';
import { transitionKey, type LiveState } from '../../live.js';
import type { Deadlines, Transition } from '../../types.js';
import { Disposer, type Component } from './component.js';
import { graceMatters } from './lifecycle.js';
import { timelineList } from './timeline.js';

/** Which diagram state shows which countdown. */
const BADGES: { node: string; key: keyof Deadlines; prefix: string; whenActive: boolean }[] = [
  { node: 'connection.connecting.backoff', key: 'backoffUntil', prefix: 'retry in', whenActive: true },
  { node: 'connection.connecting', key: 'watchdogAt', prefix: 'watchdog', whenActive: true },
  { node: 'connection.soft-resync', key: 'resyncDeadline', prefix: 'deadline', whenActive: true },
  { node: 'supervisor.restarting', key: 'restartAt', prefix: 'in', whenActive: true },
  { node: 'supervisor.stuck', key: 'stuckRetryAt', prefix: 'retry in', whenActive: true },
  { node: 'supervisor', key: 'graceAt', prefix: 'health grace', whenActive: false },
];

const PHONE = '(max-width: 720px)';
/** After the operator pans or zooms, leave the view where they put it for this long. */
const HANDS_OFF_MS = 15_000;

export function diagramCard(live: LiveState): Component {
  const d = new Disposer();
  const host = h('div', { class: 'diagram-host', 'data-testid': 'diagram' }, h('p', { class: 'muted pad' }, 'Laying out the state machines…'));
  const lastTransition = h('p', { class: 'last-transition', 'data-testid': 'last-transition' }, 'No transition yet.');
  const linkBadge = h('span', { class: 'link-badge', 'data-testid': 'stream-status' });
  const details = h('section', { class: 'diagram-details', 'aria-label': 'Details of the selected state or transition', 'data-testid': 'diagram-details' });
  const timeline = timelineList(live);

  const btn = (label: string, text: string, testid: string, onClick: () => void, extra: Record<string, string> = {}) => {
    const b = h('button', { type: 'button', class: 'btn btn-small', 'aria-label': label, title: label, 'data-testid': testid, ...extra }, text);
    b.addEventListener('click', onClick);
    return b;
  };
  const zoomOut = btn('Zoom out', '−', 'zoom-out', () => viewport?.zoomBy(1 / 1.25));
  const zoomIn = btn('Zoom in', '+', 'zoom-in', () => viewport?.zoomBy(1.25));
  const zoomReadout = h('output', { class: 'zoom-readout', 'data-testid': 'zoom-level', 'aria-label': 'Zoom level' }, '100 %');
  const actual = btn('100 % (actual size)', '100 %', 'zoom-reset', () => {
    viewport?.setScale(1);
    revealActive(true);
  });
  const fit = btn('Fit the whole diagram', 'Fit', 'zoom-fit', () => viewport?.fit());
  const full = btn('Full screen', 'Full screen', 'diagram-fullscreen', () => void toggleFull(), { 'aria-pressed': 'false' });
  const allBox = h('input', { type: 'checkbox', id: 'dia-all', 'data-testid': 'diagram-all' });
  allBox.addEventListener('change', () => {
    diagram?.setShowAll(allBox.checked);
  });
  const toolbar = h(
    'div',
    { class: 'diagram-toolbar', role: 'toolbar', 'aria-label': 'Diagram view' },
    h('span', { class: 'zoom-group' }, zoomOut, zoomReadout, zoomIn),
    actual,
    fit,
    full,
    h('label', { class: 'check-inline', for: 'dia-all' }, allBox, 'All transitions'),
  );
  const toggle = h('button', { type: 'button', class: 'btn btn-small diagram-toggle', 'data-testid': 'diagram-toggle' });
  const graphPane = h('div', { class: 'graph-pane' }, toolbar, host, details);
  const el = h(
    'section',
    { class: 'card diagram-card', 'aria-labelledby': 'dia-h', 'data-mode': 'graph' },
    h('div', { class: 'card-head' }, h('h2', { id: 'dia-h', class: 'card-title' }, 'Supervisor tree — live'), linkBadge, toggle),
    lastTransition,
    h('div', { class: 'timeline-pane' }, timeline.el),
    graphPane,
    h(
      'p',
      { class: 'legend small' },
      h('span', null, h('span', { class: 'lg lg-active' }), 'current state'),
      h('span', null, h('span', { class: 'lg lg-next' }), 'what can happen next'),
      h('span', null, h('span', { class: 'lg lg-edge' }), 'recent transitions (older ones fade)'),
      h('span', null, h('span', { class: 'lg lg-final' }), 'final: hands the failure to the supervisor'),
    ),
  );

  let diagram: DiagramView | null = null;
  let viewport: Viewport | null = null;
  let selection: Selection | null = null;
  let lastUserMove = 0;
  let prepared: Awaited<ReturnType<typeof prepareDiagram>> | null = null;

  // ── phone: timeline first, the graph one tap away ─────────────────────────────
  const phone = window.matchMedia(PHONE);
  let showGraphOnPhone = false;
  const applyMode = () => {
    const mode = phone.matches && !showGraphOnPhone ? 'timeline' : 'graph';
    el.dataset.mode = mode;
    toggle.hidden = !phone.matches;
    toggle.textContent = mode === 'timeline' ? 'Show the diagram' : 'Show the timeline';
    toggle.setAttribute('aria-expanded', String(mode === 'graph'));
    if (mode === 'graph') requestAnimationFrame(() => revealActive(true));
  };
  toggle.addEventListener('click', () => {
    showGraphOnPhone = !showGraphOnPhone;
    applyMode();
  });
  phone.addEventListener('change', applyMode);
  d.add(() => phone.removeEventListener('change', applyMode));

  // ── full screen (the Fullscreen API where it exists, a fixed overlay otherwise) ─
  const isFull = () => document.fullscreenElement === el || el.classList.contains('is-full');
  const syncFull = () => {
    const on = isFull();
    full.setAttribute('aria-pressed', String(on));
    full.textContent = on ? 'Exit full screen' : 'Full screen';
    requestAnimationFrame(() => revealActive(true));
  };
  const toggleFull = async () => {
    if (document.fullscreenElement === el) await document.exitFullscreen().catch(() => {});
    else if (el.classList.contains('is-full')) el.classList.remove('is-full');
    else {
      try {
        await el.requestFullscreen();
      } catch {
        el.classList.add('is-full');
      }
    }
    syncFull();
  };
  const onKey = (ev: KeyboardEvent) => {
    if (ev.key === 'Escape' && el.classList.contains('is-full')) {
      el.classList.remove('is-full');
      syncFull();
    }
  };
  document.addEventListener('fullscreenchange', syncFull);
  document.addEventListener('keydown', onKey);
  d.add(() => {
    document.removeEventListener('fullscreenchange', syncFull);
    document.removeEventListener('keydown', onKey);
    if (document.fullscreenElement === el) void document.exitFullscreen().catch(() => {});
  });

  // ── live data onto the drawing ────────────────────────────────────────────────
  const activeLeaves = () => [...live.leaves.supervisor, ...live.leaves.connection];

  const revealActive = (force = false) => {
    if (!diagram || !viewport || el.dataset.mode !== 'graph') return;
    if (!force && Date.now() - lastUserMove < HANDS_OFF_MS) return;
    // The deepest active state is the one to look at (the worker's leaf, or the supervisor's when no worker runs).
    const leaf = live.leaves.connection[0] ?? live.leaves.supervisor[0];
    const box = leaf ? diagram.nodeBox(leaf) : undefined;
    if (box) viewport.reveal(box, force);
  };

  const trailNow = () => (prepared ? buildTrail(live.transitions, prepared.model, (t) => live.detail(t), transitionKey) : []);

  const renderSelection = () => {
    if (!prepared) return;
    renderDetails(details, selection, {
      model: prepared.model,
      active: withAncestors(prepared.model, activeLeaves()),
      deadlines: live.status?.deadlines ?? null,
      now: live.now(),
      trail: trailNow(),
    });
  };

  const tick = () => {
    const st = live.status;
    if (st && diagram && prepared) {
      const now = live.now();
      const activeAll = withAncestors(prepared.model, activeLeaves());
      for (const b of BADGES) {
        const at = st.deadlines[b.key];
        const show = at !== null && at !== undefined && (!b.whenActive || activeAll.has(b.node));
        const hideGrace = b.key === 'graceAt' && !graceMatters(st.state);
        diagram.setBadge(b.node, show && !hideGrace ? `${b.prefix} ${formatDuration(Math.max(0, at - now))}` : null);
      }
      const { used, intensity } = st.restartBudget;
      diagram.setBadge('supervisor.running', `restarts ${used}/${intensity}`);
      if (selection) renderSelection();
    }
    if (el.dataset.mode === 'timeline') timeline.render();
  };

  const applyLeaves = () => {
    diagram?.setActive(activeLeaves());
    tick();
    revealActive();
  };

  const showLast = (t: Transition | undefined) => {
    clear(lastTransition);
    if (!t) {
      lastTransition.textContent = 'No transition yet.';
      return;
    }
    lastTransition.dataset.event = t.event;
    lastTransition.append(h('time', { datetime: new Date(t.at).toISOString() }, clockTime(t.at)), ' ', h('strong', null, stepText(t, live.detail(t))));
  };

  const applyTrail = () => {
    showLast(live.transitions.at(-1));
    diagram?.setTrail(trailNow());
    timeline.render();
    if (selection) renderSelection();
  };

  const setLink = () => {
    const words = { live: 'live', reconnecting: 'reconnecting…', connecting: 'connecting…', down: 'server unreachable' } as const;
    linkBadge.textContent = words[live.link];
    linkBadge.className = `link-badge link-${live.link}`;
    tick();
  };

  d.add(
    live.subscribe({
      state: () => {
        applyLeaves();
        applyTrail();
      },
      // Close codes and timer delays arrive with the status that follows a transition.
      status: () => {
        applyTrail();
        tick();
      },
      leaves: applyLeaves,
      transition: applyTrail,
      link: setLink,
    }),
  );

  void prepareDiagram()
    .then((p) => {
      prepared = p;
      const view = renderDiagram(document.createElement('div'), p.model, p.layout, p.measure);
      diagram = view;
      viewport = createViewport(view.svg, view.size);
      viewport.onScale((s) => {
        zoomReadout.textContent = `${Math.round(s * 100)} %`;
      });
      for (const type of ['pointerdown', 'wheel', 'keydown', 'touchstart'] as const) {
        viewport.el.addEventListener(type, () => (lastUserMove = Date.now()), { passive: true });
      }
      clear(host);
      host.append(viewport.el);
      view.onSelect((sel) => {
        selection = sel;
        renderSelection();
      });
      host.dataset.ready = 'true';
      applyLeaves();
      applyTrail();
      renderSelection();
      requestAnimationFrame(() => revealActive(true));
    })
    .catch((err: unknown) => {
      clear(host);
      host.append(h('p', { class: 'error pad', role: 'alert' }, `Could not draw the diagram: ${describeError(err)}`));
    });

  applyMode();
  syncFull();
  setLink();
  showLast(live.transitions.at(-1));
  d.every(500, tick);
  return { el, dispose: d.dispose };
}
