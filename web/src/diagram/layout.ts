/**
 * Lays the diagram model out with elkjs (layered, hierarchy handled across compound states) and returns
 * absolute coordinates for every node and edge path. ELK itself is passed in, so the browser
 * can lazy-load it and tests can run the same code in node.
 */
import { nodeNote, type DiagramModel, type DiagramNode } from './model.js';

export interface ElkLike {
  layout(graph: ElkGraphNode): Promise<ElkGraphNode>;
}

interface ElkLabel {
  text?: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
}
interface ElkSection {
  startPoint: { x: number; y: number };
  endPoint: { x: number; y: number };
  bendPoints?: { x: number; y: number }[];
}
export interface ElkGraphEdge {
  id: string;
  sources: string[];
  targets: string[];
  labels?: ElkLabel[];
  sections?: ElkSection[];
  container?: string;
}
export interface ElkGraphNode {
  id: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  layoutOptions?: Record<string, string>;
  children?: ElkGraphNode[];
  edges?: ElkGraphEdge[];
  labels?: ElkLabel[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  id: string;
  points: { x: number; y: number }[];
}

export interface DiagramLayout {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  edges: Map<string, LaidOutEdge>;
}

export type Measure = (text: string, font: 'state' | 'title' | 'label' | 'strong') => number;

/** A fallback text measure (no canvas): average glyph widths of a system sans-serif at the diagram's sizes. */
export const roughMeasure: Measure = (text, font) => text.length * (font === 'label' ? 6.9 : font === 'strong' ? 7.4 : font === 'title' ? 8.6 : 8.4);

/** Diagram text sizes (px at 100 %): nothing below 12 px, so the drawing is readable without zooming. */
export const FONT = { state: 14, title: 13, label: 12 } as const;
export const LINE = 16;
export const STATE_H = 50;
export const TITLE_H = 34;

function nodeSize(n: DiagramNode, measure: Measure): { width: number; height: number } {
  if (n.kind === 'initial') return { width: 14, height: 14 };
  return { width: Math.max(128, Math.ceil(measure(n.label, 'state')) + 40), height: STATE_H };
}

/** Room a container's title row keeps for its countdown badge ("health grace 2 min 59 s"). */
export const BADGE_ROOM = 170;

/** A container title's drawn width (machine titles are spaced capitals). */
export function titleWidth(n: DiagramNode, measure: Measure): number {
  return n.kind === 'machine' ? measure(n.label.toUpperCase(), 'title') * 1.08 : measure(n.label, 'title');
}

/** Spacing for every level of the hierarchy: ELK does not inherit these into compound nodes. */
const SPACING: Record<string, string> = {
  'elk.layered.spacing.nodeNodeBetweenLayers': '88',
  'elk.layered.spacing.edgeNodeBetweenLayers': '24',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
  'elk.spacing.nodeNode': '44',
  'elk.spacing.edgeNode': '24',
  'elk.spacing.edgeEdge': '12',
};

/**
 * The ELK graph of the model. Edge labels are not part of the layout: only a handful of edges are drawn at a
 * time (the current state's ways out and the recent trail), so their labels are placed when drawn
 * ({@link placeLabels}) and the layout stays compact enough to read at 100 %.
 */
export function toElkGraph(model: DiagramModel, measure: Measure = roughMeasure, direction: 'DOWN' | 'RIGHT' = 'DOWN'): ElkGraphNode {
  const build = (id: string): ElkGraphNode => {
    const n = model.nodes.get(id)!;
    if (n.children.length === 0) return { id, ...nodeSize(n, measure) };
    const note = nodeNote(n);
    const titleW = Math.ceil(titleWidth(n, measure)) + BADGE_ROOM + (note ? Math.ceil(measure(note, 'label')) + 24 : 0) + 40;
    return {
      id,
      layoutOptions: {
        ...SPACING,
        // Room under the title row for the labels of edges that leave the container itself.
        'elk.padding': `[top=${TITLE_H + 24},left=20,bottom=20,right=20]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${titleW}, 80)`,
      },
      children: n.children.map(build),
    };
  };
  const edges: ElkGraphEdge[] = model.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  return {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      ...SPACING,
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
    },
    children: model.roots.map(build),
    edges,
  };
}

export async function layoutDiagram(elk: ElkLike, model: DiagramModel, measure: Measure = roughMeasure, direction: 'DOWN' | 'RIGHT' = 'DOWN'): Promise<DiagramLayout> {
  const out = await elk.layout(toElkGraph(model, measure, direction));
  const nodes = new Map<string, Box>();
  const walk = (n: ElkGraphNode, ox: number, oy: number) => {
    const x = ox + (n.x ?? 0);
    const y = oy + (n.y ?? 0);
    if (n.id !== '__root') nodes.set(n.id, { x, y, width: n.width ?? 0, height: n.height ?? 0 });
    for (const c of n.children ?? []) walk(c, x, y);
  };
  walk(out, 0, 0);

  const edges = new Map<string, LaidOutEdge>();
  const collect = (n: ElkGraphNode) => {
    for (const e of n.edges ?? []) {
      // Edge coordinates are relative to the edge's container (INCLUDE_CHILDREN puts them in the lowest common ancestor).
      const c = e.container && e.container !== '__root' ? nodes.get(e.container) : undefined;
      const ox = c?.x ?? 0;
      const oy = c?.y ?? 0;
      const points: { x: number; y: number }[] = [];
      for (const s of e.sections ?? []) {
        points.push({ x: s.startPoint.x + ox, y: s.startPoint.y + oy });
        for (const b of s.bendPoints ?? []) points.push({ x: b.x + ox, y: b.y + oy });
        points.push({ x: s.endPoint.x + ox, y: s.endPoint.y + oy });
      }
      edges.set(e.id, { id: e.id, points });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(out);
  return { width: out.width ?? 0, height: out.height ?? 0, nodes, edges };
}
