/**
 * "What happened": the recent transitions as a vertical list in words, newest first, under the current
 * state. On a phone it takes the diagram's place (the graph is one tap away).
 */
import { stepText } from '../../diagram/words.js';
import { clear, h } from '../../dom.js';
import { clockTime, formatDuration, statePath } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { Transition } from '../../types.js';
import { STATE_TEXT } from './lifecycle.js';

const SHOWN = 20;

export function timelineList(live: LiveState): { el: HTMLElement; render(): void } {
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
  const el = h('div', { class: 'timeline-wrap' }, list);

  const render = () => {
    clear(list);
    const st = live.status;
    if (st) {
      const now = live.now();
      list.append(
        h(
          'li',
          { class: 'tl-item tl-now', 'data-state': st.state },
          h('span', { class: 'tl-time' }, 'now'),
          h('span', { class: 'tl-what' }, STATE_TEXT[st.state] ?? st.state),
          h('span', { class: 'tl-who small muted' }, `for ${formatDuration(now - st.since)}, since ${clockTime(st.since)}`),
        ),
      );
    }
    // Newest first; a QR rotating every 20 s folds into one line.
    const items: { t: Transition; times: number }[] = [];
    for (let i = live.transitions.length - 1; i >= 0 && items.length < SHOWN; i--) {
      const t = live.transitions[i]!;
      const prev = items.at(-1);
      if (prev && prev.t.event === t.event && prev.t.from.join() === t.from.join() && prev.t.to.join() === t.to.join()) prev.times++;
      else items.push({ t, times: 1 });
    }
    for (const { t, times } of items) {
      list.append(
        h(
          'li',
          { class: `tl-item actor-${t.actor}`, 'data-event': t.event },
          h('time', { class: 'tl-time', datetime: new Date(t.at).toISOString() }, clockTime(t.at)),
          h('span', { class: 'tl-what' }, stepText(t, live.detail(t)), times > 1 ? ` (×${times})` : ''),
          h('span', { class: 'tl-who small muted' }, `${t.actor}: ${t.from.map(statePath).join(', ')} → ${t.to.map(statePath).join(', ')}`),
        ),
      );
    }
    if (items.length === 0) list.append(h('li', { class: 'tl-item muted' }, 'No transition yet.'));
  };
  render();
  return { el, render };
}
