/**
 * The elkjs layout engine in a Web Worker: laying out the supervisor tree takes hundreds of milliseconds
 * (more on a phone), which must not freeze the page. Speaks one message pair: {id, graph} → {id, graph | error}.
 */
import ELKModule from 'elkjs/lib/elk.bundled.js';
import type { ElkGraphNode, ElkLike } from './layout.js';

export interface LayoutRequest {
  id: number;
  graph: ElkGraphNode;
}
export type LayoutResponse = { id: number; graph: ElkGraphNode } | { id: number; error: string };

// The UMD bundle may come through as the constructor or as a namespace holding it.
let Ctor: unknown = ELKModule;
while (Ctor && typeof Ctor === 'object' && 'default' in Ctor) Ctor = (Ctor as { default: unknown }).default;
const elk = new (Ctor as new () => ElkLike)();

// elkjs installs its own worker protocol on `self.onmessage` when loaded in a worker; this one replaces it.
const scope = self as unknown as { onmessage: ((ev: MessageEvent<LayoutRequest>) => void) | null; postMessage(msg: LayoutResponse): void };
scope.onmessage = (ev) => {
  const { id, graph } = ev.data;
  elk.layout(graph).then(
    (out) => scope.postMessage({ id, graph: out }),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
};
