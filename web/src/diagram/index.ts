/**
 * Fetches the machine definitions, lays them out with elkjs in a Web Worker and renders the live diagram.
 * Text is measured here (the page's fonts), the layout itself runs off the main thread.
 */
import { getJson } from '../api.js';
import type { LayoutRequest, LayoutResponse } from './elk.worker.js';
import { FONT, layoutDiagram, toElkGraph, type DiagramLayout, type ElkGraphNode, type ElkLike, type Measure } from './layout.js';
import { buildModel, type DiagramModel, type MachineJson } from './model.js';

let workerElk: ElkLike | null = null;

/** ELK behind a Web Worker (vite bundles the worker with elkjs as its own chunk). */
function startWorker(): ElkLike {
  const worker = new Worker(new URL('./elk.worker.ts', import.meta.url), { type: 'module', name: 'diagram-layout' });
  const pending = new Map<number, { resolve: (g: ElkGraphNode) => void; reject: (e: Error) => void }>();
  let next = 0;
  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
    workerElk = null; // the next layout starts a fresh worker
  };
  worker.onmessage = (ev: MessageEvent<LayoutResponse>) => {
    const p = pending.get(ev.data.id);
    if (!p) return;
    pending.delete(ev.data.id);
    if ('error' in ev.data) p.reject(new Error(ev.data.error));
    else p.resolve(ev.data.graph);
  };
  worker.onerror = (ev) => {
    ev.preventDefault();
    failAll(`the layout worker failed: ${ev.message || 'could not start'}`);
    worker.terminate();
  };
  return {
    layout: (graph) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, graph } satisfies LayoutRequest);
      }),
  };
}

/** Starts (once) the layout worker; call early (sign-in page) so elkjs is parsed before the diagram is needed. */
export function preloadElk(): ElkLike {
  workerElk ??= startWorker();
  return workerElk;
}

function canvasMeasure(): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  const family = getComputedStyle(document.body).fontFamily || 'system-ui, sans-serif';
  if (!ctx) return (t) => t.length * 8;
  const fonts = { state: `600 ${FONT.state}px ${family}`, title: `650 ${FONT.title}px ${family}`, label: `500 ${FONT.label}px ${family}`, strong: `650 ${FONT.label}px ${family}` } as const;
  return (text, font) => {
    ctx.font = fonts[font];
    return ctx.measureText(text).width;
  };
}

export interface PreparedDiagram {
  model: DiagramModel;
  layout: DiagramLayout;
  measure: Measure;
}

// Layouts are cached per machine definition: in memory (switching tabs re-renders without ELK) and in
// localStorage (the next visit draws at once instead of waiting seconds for elkjs to start).
const cache = new Map<string, Promise<PreparedDiagram>>();
const STORE_KEY = 'wa-mcp.diagram-layout.v1';

/** FNV-1a: a short, stable fingerprint of the graph a layout was made for. */
function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36) + text.length.toString(36);
}

interface StoredLayout {
  key: string;
  width: number;
  height: number;
  nodes: [string, DiagramLayout['nodes'] extends Map<string, infer B> ? B : never][];
  edges: [string, DiagramLayout['edges'] extends Map<string, infer E> ? E : never][];
}

function readStored(key: string): DiagramLayout | null {
  try {
    const raw = localStorage.getItem(STORE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredLayout;
    if (s.key !== key) return null;
    return { width: s.width, height: s.height, nodes: new Map(s.nodes), edges: new Map(s.edges) };
  } catch {
    return null; // storage disabled or a stale shape: lay out afresh
  }
}

function writeStored(key: string, l: DiagramLayout): void {
  try {
    const s: StoredLayout = { key, width: l.width, height: l.height, nodes: [...l.nodes], edges: [...l.edges] };
    localStorage.setItem(STORE_KEY, JSON.stringify(s));
  } catch {
    // full or disabled: only the next visit is slower
  }
}

export async function prepareDiagram(): Promise<PreparedDiagram> {
  const machines = await getJson<Record<string, MachineJson>>('/api/state/machine');
  const measure = canvasMeasure();
  const model = buildModel(machines);
  // The exact input ELK would get (states, edges, sizes in these fonts, layout options): any change to the
  // machines, the fonts or this code's layout settings makes a new key, so a stored layout is never stale.
  const key = fingerprint(JSON.stringify(toElkGraph(model, measure)));
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const stored = readStored(key);
      if (stored && model.edges.every((e) => stored.edges.has(e.id)) && [...model.nodes.keys()].every((id) => stored.nodes.has(id))) {
        return { model, measure, layout: stored };
      }
      const layout = await layoutDiagram(preloadElk(), model, measure);
      writeStored(key, layout);
      return { model, measure, layout };
    })();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** Whether a stored layout will serve the diagram (then the layout worker need not start at all). */
export function hasStoredLayout(): boolean {
  try {
    return localStorage.getItem(STORE_KEY) !== null;
  } catch {
    return false;
  }
}
