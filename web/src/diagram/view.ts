/**
 * Renders a laid-out diagram as SVG and keeps it live: active states, the transition just taken
 * (animated edge, its event highlighted in the label) and per-state countdown badges.
 */
import { s, clear } from '../dom.js';
import { LINE, type DiagramLayout } from './layout.js';
import type { DiagramModel, DiagramNode } from './model.js';

export interface TakenTransition {
  actor: string;
  event: string;
  from: string[];
  to: string[];
}

export interface DiagramView {
  readonly svg: SVGSVGElement;
  /** Light up these leaves and every state containing them. */
  setActive(leaves: Iterable<string>): void;
  /** Animate the edge a transition took and mark its event; returns the edge id, if drawn. */
  showTransition(t: TakenTransition, edgeId: string | undefined): void;
  /** Small text under a state's name (countdowns); null hides it. */
  setBadge(nodeId: string, text: string | null): void;
}

const MACHINE_NOTES: Record<string, string> = {
  supervisor: 'root actor',
  connection: 'worker (invoked)',
};

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

function nodeTitle(n: DiagramNode): string {
  return n.kind === 'machine' ? n.label : n.label;
}

export function renderDiagram(host: HTMLElement, model: DiagramModel, layout: DiagramLayout): DiagramView {
  clear(host);
  const pad = 2;
  const svg = s('svg', {
    class: 'diagram',
    viewBox: `${-pad} ${-pad} ${layout.width + 2 * pad} ${layout.height + 2 * pad}`,
    width: Math.round(layout.width),
    role: 'img',
    'aria-label': 'State diagram of the supervisor and its connection worker',
  });
  svg.append(
    s(
      'defs',
      null,
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })),
      s('marker', { id: 'arrow-hot', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 10, markerHeight: 10, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead-hot' })),
    ),
  );

  const containers = s('g', { class: 'layer-containers' });
  const edgesG = s('g', { class: 'layer-edges' });
  const statesG = s('g', { class: 'layer-states' });
  const labelsG = s('g', { class: 'layer-labels' });
  svg.append(containers, edgesG, statesG, labelsG);

  const nodeEls = new Map<string, SVGGElement>();
  // State names sit in the middle of their box, and move up when a countdown badge shows below them.
  const labelTexts = new Map<string, { el: SVGTextElement; top: number; mid: number }>();
  const badgeEls = new Map<string, SVGTextElement>();

  // Containers outermost first so inner ones paint on top.
  const depth = (id: string): number => {
    let d = 0;
    let cur = model.nodes.get(id)?.parent ?? null;
    while (cur) {
      d++;
      cur = model.nodes.get(cur)?.parent ?? null;
    }
    return d;
  };
  const ordered = [...model.nodes.values()].sort((a, b) => depth(a.id) - depth(b.id));

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
      g.append(s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: n.kind === 'machine' ? 16 : 12, class: 'st-box' }));
      const title = s('text', { x: b.x + 16, y: b.y + 24, class: 'st-title' }, nodeTitle(n));
      g.append(title);
      const note = n.kind === 'machine' ? MACHINE_NOTES[n.id] ?? 'machine' : n.invokes.length ? `invokes ${n.invokes.join(', ')}` : '';
      const extra = n.kind === 'machine' && n.invokes.length ? ` · invokes ${n.invokes.join(', ')}` : '';
      if (note || extra) g.append(s('text', { x: b.x + b.width - 14, y: b.y + 23, class: 'st-note', 'text-anchor': 'end' }, note + extra));
      const badge = s('text', { x: b.x + 16, y: b.y + 24, class: 'st-badge st-badge-title', 'data-badge': n.id, 'text-anchor': 'start' });
      g.append(badge);
      badgeEls.set(n.id, badge);
      containers.append(g);
      nodeEls.set(n.id, g);
      // Badge sits right after the title text.
      requestAnimationFrame(() => {
        try {
          badge.setAttribute('x', String(b.x + 16 + title.getComputedTextLength() + 10));
        } catch {
          // not rendered (hidden tab): keep the default position
        }
      });
      continue;
    }
    const g = s('g', { class: `st st-${n.kind}`, 'data-state': n.id });
    g.append(s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: 10, class: 'st-box' }));
    if (n.kind === 'final') g.append(s('rect', { x: b.x + 4, y: b.y + 4, width: b.width - 8, height: b.height - 8, rx: 7, class: 'st-final-inner' }));
    const label = s('text', { x: b.x + b.width / 2, y: b.y + b.height / 2 + 4.5, class: 'st-label', 'text-anchor': 'middle' }, n.label);
    g.append(label);
    labelTexts.set(n.id, { el: label, top: b.y + 21, mid: b.y + b.height / 2 + 4.5 });
    const badge = s('text', { x: b.x + b.width / 2, y: b.y + 37, class: 'st-badge', 'text-anchor': 'middle', 'data-badge': n.id });
    g.append(badge);
    badgeEls.set(n.id, badge);
    statesG.append(g);
    nodeEls.set(n.id, g);
  }

  const edgeEls = new Map<string, SVGGElement>();
  const labelEls = new Map<string, SVGGElement>();
  for (const e of model.edges) {
    const le = layout.edges.get(e.id);
    if (!le || le.points.length < 2) continue;
    const tip = e.events.map((ev) => `${ev.event}${ev.guards.length ? ` [${ev.guards.join(' | ')}]` : ''}`).join('\n');
    const g = s('g', { class: e.initial ? 'edge edge-initial' : 'edge', 'data-edge': e.id, 'data-source': e.source, 'data-target': e.target });
    g.append(s('path', { d: pathFor(le.points), class: 'edge-path', 'marker-end': 'url(#arrow)' }));
    if (tip) g.append(s('title', null, `${e.source} → ${e.target}\n${tip}`));
    edgesG.append(g);
    edgeEls.set(e.id, g);
    if (le.label && e.events.length) {
      const lg = s('g', { class: 'edge-label', 'data-edge-label': e.id });
      lg.append(s('rect', { x: le.label.x - 2, y: le.label.y, width: le.label.width + 4, height: le.label.height, rx: 4, class: 'edge-label-bg' }));
      e.events.forEach((ev, i) => {
        lg.append(
          s('text', { x: le.label!.x + le.label!.width / 2, y: le.label!.y + 2 + LINE * (i + 1) - 4, 'text-anchor': 'middle', class: 'edge-event', 'data-event': ev.event }, ev.label),
        );
      });
      if (tip) lg.append(s('title', null, tip));
      labelsG.append(lg);
      labelEls.set(e.id, lg);
    }
  }

  host.append(svg);
  const lastByActor = new Map<string, string>();

  return {
    svg,
    setActive(leaves) {
      const active = new Set<string>();
      const leafSet = new Set(leaves);
      for (const leaf of leafSet) {
        let cur: string | null = leaf;
        while (cur) {
          active.add(cur);
          cur = model.nodes.get(cur)?.parent ?? null;
        }
      }
      for (const [id, el] of nodeEls) {
        const n = model.nodes.get(id);
        // A compound "leaf" (the supervisor's running, which hosts the worker) is lit as a container.
        const atomic = n !== undefined && n.children.length === 0;
        el.classList.toggle('active', active.has(id));
        el.classList.toggle('active-leaf', atomic && leafSet.has(id));
      }
    },
    showTransition(t, edgeId) {
      const prev = lastByActor.get(t.actor);
      if (prev) {
        edgeEls.get(prev)?.classList.remove('edge-last', 'edge-anim');
        const pl = labelEls.get(prev);
        pl?.classList.remove('edge-label-last');
        pl?.querySelectorAll('.ev-last').forEach((x) => x.classList.remove('ev-last'));
        edgeEls.get(prev)?.querySelector('path')?.setAttribute('marker-end', 'url(#arrow)');
      }
      if (!edgeId) return;
      const el = edgeEls.get(edgeId);
      if (!el) return;
      lastByActor.set(t.actor, edgeId);
      el.classList.remove('edge-anim');
      // Restart the CSS animation even when the same edge is taken twice in a row.
      void el.getBoundingClientRect();
      el.classList.add('edge-last', 'edge-anim');
      el.setAttribute('data-last-event', t.event);
      el.querySelector('path')?.setAttribute('marker-end', 'url(#arrow-hot)');
      edgesG.append(el); // paint above the other edges
      const lg = labelEls.get(edgeId);
      if (lg) {
        lg.classList.add('edge-label-last');
        lg.querySelectorAll<SVGTextElement>('.edge-event').forEach((x) => x.classList.toggle('ev-last', x.dataset.event === t.event));
        labelsG.append(lg);
      }
    },
    setBadge(nodeId, text) {
      const b = badgeEls.get(nodeId);
      if (!b) return;
      const v = text ?? '';
      if (b.textContent !== v) b.textContent = v;
      const l = labelTexts.get(nodeId);
      if (l) l.el.setAttribute('y', String(v ? l.top : l.mid));
    },
  };
}
