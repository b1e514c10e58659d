/** Fetches the machine definitions, lays them out with elkjs (loaded lazily) and renders the live diagram. */
import { getJson } from '../api.js';
import { layoutDiagram, type DiagramLayout, type ElkLike, type Measure } from './layout.js';
import { buildModel, type DiagramModel, type MachineJson } from './model.js';
import { renderDiagram, type DiagramView } from './view.js';

export interface LoadedDiagram {
  model: DiagramModel;
  view: DiagramView;
}

let elkPromise: Promise<ElkLike> | null = null;

/** Loads (once) the elkjs chunk; call early (sign-in page) so the diagram appears quickly. */
export function preloadElk(): Promise<ElkLike> {
  elkPromise ??= import('elkjs/lib/elk.bundled.js').then((mod) => {
    // The UMD bundle may come through as the constructor or as a namespace holding it.
    let Ctor: unknown = (mod as unknown as { default: unknown }).default;
    while (Ctor && typeof Ctor === 'object' && 'default' in (Ctor as object)) Ctor = (Ctor as { default: unknown }).default;
    return new (Ctor as new () => ElkLike)();
  });
  elkPromise.catch(() => {
    elkPromise = null;
  });
  return elkPromise;
}

function canvasMeasure(): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  const family = getComputedStyle(document.body).fontFamily || 'system-ui, sans-serif';
  if (!ctx) return (t) => t.length * 7.5;
  const fonts = { state: `600 13px ${family}`, title: `600 13px ${family}`, label: `700 11px ${family}` } as const;
  return (text, font) => {
    ctx.font = fonts[font];
    return ctx.measureText(text).width;
  };
}

// Layouts are cached per machine definition: switching tabs re-renders without re-running ELK.
const cache = new Map<string, Promise<{ model: DiagramModel; layout: DiagramLayout }>>();

export async function loadDiagram(host: HTMLElement): Promise<LoadedDiagram> {
  const [machines, elk] = await Promise.all([getJson<Record<string, MachineJson>>('/api/state/machine'), preloadElk()]);
  const key = JSON.stringify(machines);
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => {
      const model = buildModel(machines);
      return { model, layout: await layoutDiagram(elk, model, canvasMeasure()) };
    })();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  const { model, layout } = await entry;
  const view = renderDiagram(host, model, layout);
  return { model, view };
}
