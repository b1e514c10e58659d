/**
 * Renders a laid-out diagram as SVG at its natural size (1 unit = 1 CSS px, so text keeps its 12–14 px) and
 * keeps it live: the active states, the edges out of them (what can happen next), a fading trail of the last
 * transitions labelled in words, per-state countdown badges, and a selection that the details panel reads.
 * Every state and every drawn edge label is focusable; focusing or tapping one selects it.
 */
import { clear, s } from '../dom.js';
import { labelObstacles, placeLabels, type LabelRequest } from './labels.js';
import { LINE, titleWidth, type Box, type DiagramLayout, type Measure } from './layout.js';
import { nodeNote, withAncestors, type DiagramEdge, type DiagramModel, type DiagramNode } from './model.js';

/** One step of the recent trail, drawn on the edge it took. */
export interface TrailStep {
  edgeId: string;
  /** 0 = the newest. */
  age: number;
  /** "428 connection lost → backoff 4 s" */
  text: string;
  event: string;
  /** Identity of the runtime transition (restarts the highlight animation only for a new one). */
  key: string;
  /** Consecutive identical steps folded into this one (a QR that rotates every 20 s). */
  times: number;
}

export type Selection = { kind: 'state'; id: string } | { kind: 'edge'; id: string };

export interface DiagramView {
  readonly svg: SVGSVGElement;
  readonly size: { width: number; height: number };
  /** Light up these leaves and every state containing them; their ways out are drawn. */
  setActive(leaves: Iterable<string>): void;
  /** The recent transitions, newest first, each on its edge with its words. */
  setTrail(steps: TrailStep[]): void;
  /** Draw every transition of the machines, not only the current state's and the trail. */
  setShowAll(all: boolean): void;
  /** Small text under a state's name (countdowns); null hides it. */
  setBadge(nodeId: string, text: string | null): void;
  select(sel: Selection | null): void;
  onSelect(cb: (sel: Selection | null) => void): void;
  nodeBox(id: string): Box | undefined;
  /** Ids of the edges drawn right now (for tests and the details panel). */
  visibleEdges(): string[];
}

/** Edge labels list at most this many lines by default; the details panel has the rest. */
const MAX_LINES = 2;
const LABEL_PAD_X = 7;

function pathFor(points: { x: number; y: number }[]): string {
  if (points.length === 0) return '';
  // Orthogonal polyline with softly rounded corners.
  const r = 6;
  let d = `M${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const prev = points[i - 1]!;
    const next = points[i + 1];
    if (!next) {
      d += ` L${p.x},${p.y}`;
      break;
    }
    const d1 = Math.hypot(p.x - prev.x, p.y - prev.y);
    const d2 = Math.hypot(next.x - p.x, next.y - p.y);
    const rr = Math.min(r, d1 / 2, d2 / 2);
    const ax = p.x - ((p.x - prev.x) / (d1 || 1)) * rr;
    const ay = p.y - ((p.y - prev.y) / (d1 || 1)) * rr;
    const bx = p.x + ((next.x - p.x) / (d2 || 1)) * rr;
    const by = p.y + ((next.y - p.y) / (d2 || 1)) * rr;
    d += ` L${ax},${ay} Q${p.x},${p.y} ${bx},${by}`;
  }
  return d;
}

const leafName = (id: string) => id.slice(id.lastIndexOf('.') + 1);

/** The default label of an edge: its events in words, at most {@link MAX_LINES} lines. */
export function defaultLabelLines(e: DiagramEdge): string[] {
  const lines = [...new Set(e.events.flatMap((ev) => ev.lines))];
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES - 1), `${lines[MAX_LINES - 1]} +${lines.length - MAX_LINES} more`];
}

export function renderDiagram(host: HTMLElement, model: DiagramModel, layout: DiagramLayout, measure: Measure): DiagramView {
  clear(host);
  const pad = 4;
  const width = Math.ceil(layout.width + 2 * pad);
  const height = Math.ceil(layout.height + 2 * pad);
  const svg = s('svg', {
    class: 'diagram',
    viewBox: `${-pad} ${-pad} ${width} ${height}`,
    width,
    height,
    role: 'group',
    'aria-label': 'State diagram of the supervisor and its connection worker. Focus a state or a transition label for its details.',
  });
  const marker = (id: string, cls: string, size: number) =>
    s('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: size, markerHeight: size, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }));
  svg.append(s('defs', null, marker('arrow', 'arrowhead', 9), marker('arrow-next', 'arrowhead-next', 10), marker('arrow-hot', 'arrowhead-hot', 11)));

  const containers = s('g', { class: 'layer-containers' });
  const edgesG = s('g', { class: 'layer-edges' });
  const statesG = s('g', { class: 'layer-states' });
  const labelsG = s('g', { class: 'layer-labels' });
  svg.append(containers, edgesG, statesG, labelsG);

  const nodeEls = new Map<string, SVGGElement>();
  // State names sit in the middle of their box, and move up when a countdown badge shows below them.
  const labelTexts = new Map<string, { el: SVGTextElement; top: number; mid: number }>();
  const badgeEls = new Map<string, SVGTextElement>();
  const obstacles = labelObstacles(model, layout, measure);
  let selectCb: ((sel: Selection | null) => void) | null = null;
  let selected: Selection | null = null;

  const depth = (id: string): number => {
    let d = 0;
    let cur = model.nodes.get(id)?.parent ?? null;
    while (cur) {
      d++;
      cur = model.nodes.get(cur)?.parent ?? null;
    }
    return d;
  };
  // Containers outermost first so inner ones paint on top.
  const ordered = [...model.nodes.values()].sort((a, b) => depth(a.id) - depth(b.id));

  /**
   * `focusable` is the shape without text (a state's box, a label's background): a focusable element holding
   * text would have to repeat that text, countdowns included, in its accessible name. The whole group
   * (`hit`) takes clicks and taps.
   */
  const makeSelectable = (hit: SVGGElement, focusable: SVGElement, sel: Selection) => {
    focusable.setAttribute('tabindex', '0');
    focusable.setAttribute('role', 'button');
    focusable.classList.add('focus-target');
    focusable.addEventListener('focus', () => view.select(sel));
    hit.addEventListener('click', (ev) => {
      ev.stopPropagation();
      view.select(sel);
    });
    focusable.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        view.select(sel);
      }
    });
  };

  // The name starts with the visible title (WCAG 2.5.3); notes and countdowns are in the details panel.
  const stateLabel = (n: DiagramNode, active: boolean) =>
    `${n.label} (${n.kind === 'machine' ? 'machine' : n.kind === 'final' ? 'final state' : 'state'}${active ? ', current' : ''})`;

  for (const n of ordered) {
    const b = layout.nodes.get(n.id);
    if (!b) continue;
    if (n.kind === 'initial') {
      const g = s('g', { class: 'st st-initial', 'data-state': n.id }, s('circle', { cx: b.x + b.width / 2, cy: b.y + b.height / 2, r: 6 }));
      statesG.append(g);
      nodeEls.set(n.id, g);
      continue;
    }
    if (n.kind === 'machine' || n.kind === 'compound') {
      const g = s('g', { class: `st st-${n.kind}`, 'data-state': n.id, 'data-depth': depth(n.id) });
      const box = s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: n.kind === 'machine' ? 16 : 12, class: 'st-box', 'aria-label': stateLabel(n, false) });
      g.append(box);
      g.append(s('text', { x: b.x + 16, y: b.y + 24, class: 'st-title' }, n.label));
      const note = nodeNote(n);
      if (note) g.append(s('text', { x: b.x + b.width - 14, y: b.y + 23, class: 'st-note', 'text-anchor': 'end', 'aria-hidden': 'true' }, note));
      // The badge sits right after the title.
      const badge = s('text', { x: b.x + 16 + titleWidth(n, measure) + 12, y: b.y + 24, class: 'st-badge st-badge-title', 'data-badge': n.id, 'aria-hidden': 'true' });
      g.append(badge);
      badgeEls.set(n.id, badge);
      makeSelectable(g, box, { kind: 'state', id: n.id });
      containers.append(g);
      nodeEls.set(n.id, g);
      continue;
    }
    const g = s('g', { class: `st st-${n.kind}`, 'data-state': n.id });
    const box = s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: 10, class: 'st-box', 'aria-label': stateLabel(n, false) });
    g.append(box);
    if (n.kind === 'final') g.append(s('rect', { x: b.x + 4, y: b.y + 4, width: b.width - 8, height: b.height - 8, rx: 7, class: 'st-final-inner' }));
    const label = s('text', { x: b.x + b.width / 2, y: b.y + b.height / 2 + 5, class: 'st-label', 'text-anchor': 'middle' }, n.label);
    g.append(label);
    labelTexts.set(n.id, { el: label, top: b.y + 21, mid: b.y + b.height / 2 + 5 });
    const badge = s('text', { x: b.x + b.width / 2, y: b.y + 39, class: 'st-badge', 'text-anchor': 'middle', 'data-badge': n.id, 'aria-hidden': 'true' });
    g.append(badge);
    badgeEls.set(n.id, badge);
    makeSelectable(g, box, { kind: 'state', id: n.id });
    statesG.append(g);
    nodeEls.set(n.id, g);
  }

  const edgeEls = new Map<string, SVGGElement>();
  const labelEls = new Map<string, { g: SVGGElement; bg: SVGRectElement; text: string }>();
  for (const e of model.edges) {
    const le = layout.edges.get(e.id);
    if (!le || le.points.length < 2) continue;
    const g = s('g', { class: e.initial ? 'edge edge-initial' : 'edge edge-hidden', 'data-edge': e.id, 'data-source': e.source, 'data-target': e.target });
    const d = pathFor(le.points);
    g.append(s('path', { d, class: 'edge-path', 'marker-end': 'url(#arrow)' }));
    edgesG.append(g);
    edgeEls.set(e.id, g);
    if (e.initial || e.events.length === 0) continue;
    // A wide transparent twin of the path makes a thin edge easy to tap.
    const hit = s('path', { d, class: 'edge-hit' });
    hit.addEventListener('click', (ev) => {
      ev.stopPropagation();
      view.select({ kind: 'edge', id: e.id });
    });
    g.append(hit);
    const lg = s('g', { class: 'edge-label edge-hidden', 'data-edge-label': e.id });
    const bg = s('rect', { rx: 5, class: 'edge-label-bg' });
    lg.append(bg);
    makeSelectable(lg, bg, { kind: 'edge', id: e.id });
    labelsG.append(lg);
    labelEls.set(e.id, { g: lg, bg, text: '' });
  }
  host.append(svg);

  let activeAll = new Set<string>();
  let trail: TrailStep[] = [];
  let showAll = false;
  let lastKey = '';

  const setLabel = (id: string, lines: string[], box: Box) => {
    const l = labelEls.get(id);
    if (!l) return;
    const text = lines.join('\n');
    if (l.text !== text) {
      l.text = text;
      while (l.g.childNodes.length > 1) l.g.lastChild!.remove();
      for (const line of lines) l.g.append(s('text', { class: 'edge-event', 'text-anchor': 'middle' }, line));
      const e = model.edges.find((x) => x.id === id);
      // The name starts with the visible words (WCAG 2.5.3), then says which transition it is.
      l.bg.setAttribute('aria-label', `${lines.join(' ')} (transition ${e ? `${leafName(e.source)} to ${leafName(e.target)}` : id})`);
    }
    l.bg.setAttribute('x', String(box.x));
    l.bg.setAttribute('y', String(box.y));
    l.bg.setAttribute('width', String(box.width));
    l.bg.setAttribute('height', String(box.height));
    const texts = l.g.querySelectorAll('text');
    texts.forEach((t, i) => {
      t.setAttribute('x', String(box.x + box.width / 2));
      t.setAttribute('y', String(box.y + 3 + LINE * (i + 1) - 4));
    });
  };

  const refresh = () => {
    const byEdge = new Map<string, TrailStep[]>();
    for (const step of trail) {
      const list = byEdge.get(step.edgeId) ?? [];
      list.push(step);
      byEdge.set(step.edgeId, list);
    }
    const requests: { req: LabelRequest; lines: string[]; rank: number }[] = [];
    for (const e of model.edges) {
      const g = edgeEls.get(e.id);
      if (!g) continue;
      const steps = byEdge.get(e.id);
      const next = !e.initial && activeAll.has(e.source);
      const visible = e.initial || showAll || next || steps !== undefined;
      g.classList.toggle('edge-hidden', !visible);
      g.classList.toggle('edge-next', next && !steps);
      g.classList.toggle('trail', steps !== undefined);
      if (steps) g.dataset.age = String(steps[0]!.age);
      else delete g.dataset.age;
      const newest = steps?.[0]?.age === 0;
      g.classList.toggle('edge-last', newest);
      if (newest) g.dataset.lastEvent = steps[0]!.event;
      else delete g.dataset.lastEvent;
      const path = g.querySelector('path');
      path?.setAttribute('marker-end', steps ? 'url(#arrow-hot)' : next ? 'url(#arrow-next)' : 'url(#arrow)');
      if (steps && newest) edgesG.append(g); // paint above the other edges
      const l = labelEls.get(e.id);
      if (!l) continue;
      l.g.classList.toggle('edge-hidden', !visible);
      l.g.classList.toggle('edge-label-trail', steps !== undefined);
      l.g.classList.toggle('edge-label-last', newest);
      if (steps) l.g.dataset.age = String(steps[0]!.age);
      else delete l.g.dataset.age;
      if (!visible) continue;
      const times = steps?.reduce((n, x) => n + x.times, 0) ?? 0;
      const lines = steps ? [times > 1 ? `${steps[0]!.text} (×${times})` : steps[0]!.text] : defaultLabelLines(e);
      const w = Math.ceil(Math.max(...lines.map((x) => measure(x, steps ? 'strong' : 'label')))) + 2 * LABEL_PAD_X;
      const le = layout.edges.get(e.id)!;
      requests.push({ req: { id: e.id, points: le.points, width: w, height: lines.length * LINE + 6 }, lines, rank: steps ? steps[0]!.age : next ? 10 : 20 });
    }
    requests.sort((a, b) => a.rank - b.rank);
    const boxes = placeLabels(
      requests.map((r) => r.req),
      obstacles,
      { width: layout.width, height: layout.height },
    );
    for (const r of requests) {
      const box = boxes.get(r.req.id);
      if (box) setLabel(r.req.id, r.lines, box);
      // The trail's labels paint above the others, newest last (on top).
    }
    for (const r of [...requests].reverse()) {
      const l = labelEls.get(r.req.id);
      if (l) labelsG.append(l.g);
    }
    // Restart the flow animation only for a transition that was not highlighted before.
    const newestStep = trail[0];
    if (newestStep && newestStep.key !== lastKey) {
      lastKey = newestStep.key;
      const g = edgeEls.get(newestStep.edgeId);
      if (g) {
        g.classList.remove('edge-anim');
        void g.getBoundingClientRect();
        g.classList.add('edge-anim');
      }
    }
    for (const [id, g] of edgeEls) if (id !== newestStep?.edgeId) g.classList.remove('edge-anim');
  };

  const view: DiagramView = {
    svg,
    size: { width, height },
    setActive(leaves) {
      const leafSet = new Set(leaves);
      activeAll = withAncestors(model, leafSet);
      for (const [id, el] of nodeEls) {
        const n = model.nodes.get(id);
        if (!n) continue;
        // A compound "leaf" (the supervisor's running, which hosts the worker) is lit as a container.
        const atomic = n.children.length === 0;
        const active = activeAll.has(id);
        el.classList.toggle('active', active);
        el.classList.toggle('active-leaf', atomic && leafSet.has(id));
        if (n.kind !== 'initial') el.querySelector('.st-box')?.setAttribute('aria-label', stateLabel(n, active));
      }
      refresh();
    },
    setTrail(steps) {
      trail = steps;
      refresh();
    },
    setShowAll(all) {
      showAll = all;
      svg.classList.toggle('show-all', all);
      refresh();
    },
    setBadge(nodeId, text) {
      const b = badgeEls.get(nodeId);
      if (!b) return;
      const v = text ?? '';
      if (b.textContent !== v) b.textContent = v;
      const l = labelTexts.get(nodeId);
      if (l) l.el.setAttribute('y', String(v ? l.top : l.mid));
    },
    select(sel) {
      const same = sel?.kind === selected?.kind && sel?.id === selected?.id;
      svg.querySelectorAll('.selected').forEach((x) => x.classList.remove('selected'));
      selected = sel;
      if (sel?.kind === 'state') nodeEls.get(sel.id)?.classList.add('selected');
      if (sel?.kind === 'edge') {
        edgeEls.get(sel.id)?.classList.add('selected');
        labelEls.get(sel.id)?.g.classList.add('selected');
      }
      if (!same) selectCb?.(sel);
    },
    onSelect(cb) {
      selectCb = cb;
    },
    nodeBox: (id) => layout.nodes.get(id),
    visibleEdges: () => [...edgeEls].filter(([, g]) => !g.classList.contains('edge-hidden')).map(([id]) => id),
  };
  return view;
}
