/** Every transition of both machines, oldest first, following the newest while scrolled to the bottom. */
import { clear, h } from '../../dom.js';
import { clockTime, eventLabel } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { Transition } from '../../types.js';
import { Disposer, type Component } from './component.js';
import { describeMove } from './transitions.js';

export function eventLogCard(live: LiveState): Component {
  const d = new Disposer();
  const logList = h('ol', { class: 'log', 'data-testid': 'event-log' });
  // Focusable, so the keyboard can scroll it (its lines have nothing else to focus).
  const scroller = h('div', { class: 'log-scroll', tabindex: 0, role: 'region', 'aria-label': 'Event log, oldest first' }, logList);
  const el = h('section', { class: 'card log-card', 'aria-labelledby': 'log-h' }, h('h2', { id: 'log-h', class: 'card-title' }, 'Event log'), scroller);

  const append = (t: Transition) => {
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
    logList.append(
      h(
        'li',
        { class: `log-item actor-${t.actor}` },
        h('time', { datetime: new Date(t.at).toISOString() }, clockTime(t.at)),
        h('span', { class: 'log-event', title: t.event }, eventLabel(t.event)),
        h('span', { class: 'log-move' }, describeMove(t)),
        h('span', { class: 'log-actor' }, t.actor),
      ),
    );
    while (logList.children.length > 300) logList.firstElementChild?.remove();
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  };

  const renderAll = () => {
    clear(logList);
    for (const t of live.transitions) append(t);
    if (live.transitions.length === 0) logList.append(h('li', { class: 'muted log-empty' }, 'No transitions yet.'));
  };

  d.add(
    live.subscribe({
      state: renderAll,
      transition: (t) => {
        logList.querySelector('.log-empty')?.remove();
        append(t);
      },
    }),
  );
  renderAll();
  return { el, dispose: d.dispose };
}
