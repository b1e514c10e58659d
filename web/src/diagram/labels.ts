/**
 * Places edge labels after layout, for the few edges drawn at a time: each label tries spots along its
 * edge (segment middles and quarters, on the line or beside it) and takes the one that covers the least
 * of the states, container titles and labels placed before it. Pure: unit-tested in node.
 */
import { BADGE_ROOM, TITLE_H, titleWidth, type Box, type DiagramLayout, type Measure } from './layout.js';
import { nodeNote, type DiagramModel } from './model.js';

export interface Point {
  x: number;
  y: number;
}

export interface LabelRequest {
  id: string;
  points: Point[];
  width: number;
  height: number;
}

/** Something a label should not cover; `weight` scales how bad covering it is (states 3, title rows 1). */
export type Obstacle = Box & { weight?: number };

/** What labels keep off: every state box and the text of every container's title row. */
export function labelObstacles(model: DiagramModel, layout: DiagramLayout, measure: Measure): Obstacle[] {
  const out: Obstacle[] = [];
  for (const n of model.nodes.values()) {
    const b = layout.nodes.get(n.id);
    if (!b) continue;
    if (n.kind === 'initial') out.push({ x: b.x - 2, y: b.y - 2, width: b.width + 4, height: b.height + 4 });
    else if (n.children.length === 0) out.push({ x: b.x - 4, y: b.y - 4, width: b.width + 8, height: b.height + 8 });
    else {
      // Title + badge on the left, the note on the right.
      out.push({ x: b.x, y: b.y + 6, width: 16 + titleWidth(n, measure) + 12 + BADGE_ROOM, height: TITLE_H - 6, weight: 1 });
      const note = nodeNote(n);
      if (note) {
        const w = measure(note, 'label') + 28;
        out.push({ x: b.x + b.width - w, y: b.y + 6, width: w, height: TITLE_H - 6, weight: 1 });
      }
    }
  }
  return out;
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function outside(b: Box, bounds: { width: number; height: number }): number {
  const over = Math.max(0, -b.x) + Math.max(0, b.x + b.width - bounds.width) + Math.max(0, -b.y) + Math.max(0, b.y + b.height - bounds.height);
  return over * Math.max(b.width, b.height);
}

function candidates(req: LabelRequest): { box: Box; penalty: number }[] {
  const out: { box: Box; penalty: number }[] = [];
  const { width: w, height: h, points } = req;
  const n = points.length - 1;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len < 1) continue;
    // Segments near the middle of the route read as "this edge's" label; the ends sit on the states.
    const fromMiddle = Math.abs(i + 0.5 - n / 2);
    const vertical = Math.abs(b.x - a.x) < Math.abs(b.y - a.y);
    const along = len / (vertical ? h : w);
    const fractions = along > 3.5 ? [0.5, 0.3, 0.7, 0.15, 0.85] : along > 2.2 ? [0.5, 0.3, 0.7] : [0.5];
    for (const f of fractions) {
      const x = a.x + (b.x - a.x) * f;
      const y = a.y + (b.y - a.y) * f;
      const base = fromMiddle * 6 + Math.abs(f - 0.5) * 12;
      out.push({ box: { x: x - w / 2, y: y - h / 2, width: w, height: h }, penalty: base });
      // Beside the line, and slid along it, for crowded spots (several edges leaving one state).
      const beside = vertical
        ? [{ x: x + 6, y: y - h / 2 }, { x: x - 6 - w, y: y - h / 2 }]
        : [{ x: x - w / 2, y: y - 4 - h }, { x: x - w / 2, y: y + 4 }];
      for (const p of beside) {
        out.push({ box: { ...p, width: w, height: h }, penalty: base + 10 });
        for (const k of [-1, 1]) {
          const slide = vertical ? { x: p.x, y: p.y + k * (h / 2 + 3) } : { x: p.x + k * (w / 2 + 3), y: p.y };
          out.push({ box: { ...slide, width: w, height: h }, penalty: base + 14 });
        }
      }
    }
  }
  return out;
}

/** Label boxes by request id, in request order of importance (earlier requests get the better spots). */
export function placeLabels(requests: LabelRequest[], obstacles: Obstacle[], bounds: { width: number; height: number }): Map<string, Box> {
  const placed = new Map<string, Box>();
  for (const req of requests) {
    let best: { box: Box; score: number } | null = null;
    for (const c of candidates(req)) {
      let score = c.penalty + outside(c.box, bounds) * 3;
      for (const o of obstacles) score += overlap(c.box, o) * (o.weight ?? 3);
      // Two labels on top of each other are unreadable: the worst outcome.
      for (const p of placed.values()) {
        const o = overlap(c.box, p);
        if (o > 0) score += 4000 + o * 6;
      }
      if (!best || score < best.score) best = { box: c.box, score };
    }
    if (best) placed.set(req.id, best.box);
  }
  return placed;
}
