/** The recent trail: the last few transitions that have an edge in the drawing, newest first. Pure. */
import { edgeForTransition, type DiagramModel } from './model.js';
import type { TrailStep } from './view.js';
import { stepText, type StepDetail, type StepLike } from './words.js';

export const TRAIL_LENGTH = 5;

/**
 * Newest first, at most `max` steps. Consecutive identical steps (same edge, same event: a QR rotating
 * every 20 s) fold into one with a count, so they do not push the real history out.
 */
export function buildTrail<T extends StepLike>(
  transitions: readonly T[],
  model: DiagramModel,
  detail: (t: T) => StepDetail | undefined,
  key: (t: T) => string,
  max = TRAIL_LENGTH,
): (TrailStep & { at: number })[] {
  const out: (TrailStep & { at: number })[] = [];
  for (let i = transitions.length - 1; i >= 0 && out.length <= max; i--) {
    const t = transitions[i]!;
    const edge = edgeForTransition(model, t);
    if (!edge) continue;
    const prev = out.at(-1);
    if (prev && prev.edgeId === edge.id && prev.event === t.event) {
      prev.times++;
      continue;
    }
    if (out.length === max) break;
    out.push({ edgeId: edge.id, age: out.length, text: stepText(t, detail(t)), event: t.event, key: key(t), times: 1, at: t.at });
  }
  return out;
}
