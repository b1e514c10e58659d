/**
 * Overview: "What now" across the top, then one card per concern in two columns. Every card subscribes to the live store
 * itself and updates without a reload.
 */
import { h } from '../../dom.js';
import type { LiveState } from '../../live.js';
import { simulatorPanel } from '../simulator.js';
import type { Component } from './component.js';
import { controlsCard } from './controls-card.js';
import { diagramCard } from './diagram-card.js';
import { eventLogCard } from './event-log-card.js';
import { statusCard } from './status-card.js';
import { whatNowCard } from './what-now.js';

export function overviewView(live: LiveState): Component {
  // "What now" first: on a first run the QR is the first thing on the page, not below the diagram.
  const top = whatNowCard(live);
  const side = [statusCard(live), controlsCard(live), simulatorPanel(live)];
  const main = [diagramCard(live), eventLogCard(live)];
  const el = h(
    'div',
    { class: 'overview' },
    h('div', { class: 'col-top' }, top.el),
    h('div', { class: 'col-side' }, ...side.map((c) => c.el)),
    h('div', { class: 'col-main' }, ...main.map((c) => c.el)),
  );
  return { el, dispose: () => [top, ...side, ...main].forEach((c) => c.dispose()) };
}
