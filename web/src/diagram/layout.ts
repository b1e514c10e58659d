/**
 * Lays the diagram model out with elkjs (layered, hierarchy handled across compound states) and returns
 * absolute coordinates for every node, edge path and edge label. ELK itself is passed in, so the browser
 * can lazy-load it and tests can run the same code in node.
 */
import type { DiagramModel, DiagramNode } from './model.js';

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
  label: Box | null;
}

export interface DiagramLayout {
  width: number;
  height: number;
  nodes: Map<string, Box>;
  edges: Map<string, LaidOutEdge>;
}

export type Measure = (text: string, font: 'state' | 'title' | 'label') => number;

/** A fallback text measure (no canvas): average glyph widths of a system sans-serif. */
export const roughMeasure: Measure = (text, font) => text.length * (font === 'label' ? 6.4 : font === 'title' ? 7.6 : 7.8);

export const LINE = 15;
export const STATE_H = 48;
const TITLE_H = 34;

function nodeSize(n: DiagramNode, measure: Measure): { width: number; height: number } {
  if (n.kind === 'initial') return { width: 14, height: 14 };
  return { width: Math.max(140, Math.ceil(measure(n.label, 'state')) + 36), height: STATE_H };
}

export function toElkGraph(model: DiagramModel, measure: Measure = roughMeasure, direction: 'DOWN' | 'RIGHT' = 'DOWN'): ElkGraphNode {
  const build = (id: string): ElkGraphNode => {
    const n = model.nodes.get(id)!;
    if (n.children.length === 0) return { id, ...nodeSize(n, measure) };
    const titleW = Math.ceil(measure(n.label, 'title')) + 40;
    return {
      id,
      layoutOptions: {
        'elk.padding': `[top=${TITLE_H + 8},left=18,bottom=18,right=18]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${titleW}, 80)`,
      },
      children: n.children.map(build),
    };
  };
  const edges: ElkGraphEdge[] = model.edges.map((e) => {
    const lines = e.events.map((ev) => ev.label);
    const w = lines.length ? Math.ceil(Math.max(...lines.map((l) => measure(l, 'label')))) + 10 : 0;
    return {
      id: e.id,
      sources: [e.source],
      targets: [e.target],
      labels: lines.length ? [{ text: lines.join('\n'), width: w, height: lines.length * LINE + 4 }] : [],
    };
  });
  return {
    id: '__root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '46',
      'elk.layered.spacing.edgeNodeBetweenLayers': '18',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '12',
      'elk.spacing.nodeNode': '34',
      'elk.spacing.edgeNode': '18',
      'elk.spacing.edgeEdge': '12',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
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
      const l = e.labels?.[0];
      const label = l && l.width ? { x: (l.x ?? 0) + ox, y: (l.y ?? 0) + oy, width: l.width, height: l.height ?? 0 } : null;
      edges.set(e.id, { id: e.id, points, label });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(out);
  return { width: out.width ?? 0, height: out.height ?? 0, nodes, edges };
}
