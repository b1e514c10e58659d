/**
 * Overview: one card per concern, composed into two columns. Every card subscribes to the live store
 * itself and updates without a reload.
 */
import { h } from '../../dom.js';
import type { LiveState } from '../../live.js';
import { simulatorPanel } from '../simulator.js';
import type { Component } from './component.js';
import { controlsCard } from './controls-card.js';
import { diagramCard } from './diagram-card.js';
import { eventLogCard } from './event-log-card.js';
import { qrCard } from './qr-card.js';
import { statusCard } from './status-card.js';

export function overviewView(live: LiveState): Component {
  const side = [statusCard(live), qrCard(live), controlsCard(live), simulatorPanel(live)];
  const main = [diagramCard(live), eventLogCard(live)];
  const el = h(
    'div',
    { class: 'overview' },
    h('div', { class: 'col-side' }, ...side.map((c) => c.el)),
    h('div', { class: 'col-main' }, ...main.map((c) => c.el)),
  );
  return { el, dispose: () => [...side, ...main].forEach((c) => c.dispose()) };
}
