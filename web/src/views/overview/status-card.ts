/** The connection card: state and health, time in state, linked account, last disconnect, restart budget, timers. */
import { closeWords } from '../../diagram/words.js';
import { clear, h } from '../../dom.js';
import { clockTime, displayJid, formatDuration } from '../../format.js';
import type { LiveState } from '../../live.js';
import type { Deadlines, StatusSummary } from '../../types.js';
import { Disposer, type Component } from './component.js';
import { graceMatters, stateText } from './lifecycle.js';

const DEADLINES: { key: keyof Deadlines; label: string; help: string }[] = [
  { key: 'backoffUntil', label: 'Reconnect (backoff)', help: 'next socket attempt after a transient close' },
  { key: 'watchdogAt', label: 'Disconnect watchdog', help: 'escalates if not reconnected by then' },
  { key: 'resyncDeadline', label: 'Resync deadline', help: 'soft resync gives up and reconnects' },
  { key: 'restartAt', label: 'Restart', help: 'a fresh connection worker starts' },
  { key: 'stuckRetryAt', label: 'Stuck retry', help: 'slow automatic probe out of stuck' },
  { key: 'graceAt', label: 'Health grace', help: '/healthz turns 503 unless connected first' },
];

export function statusCard(live: LiveState): Component {
  const d = new Disposer();
  const pill = h('span', { class: 'state-pill', 'data-testid': 'state-pill' }, '…');
  const stateReason = h('p', { class: 'state-reason' });
  const sinceEl = h('span', { class: 'muted' });
  const healthEl = h('span', { class: 'health' });
  const meEl = h('dd', { 'data-testid': 'me' }, '—');
  const discEl = h('dd', { 'data-testid': 'last-disconnect' }, 'none');
  const budgetBar = h('div', { class: 'meter-fill' });
  const budgetText = h('span', { 'data-testid': 'budget' });
  const timersList = h('ul', { class: 'timers', 'data-testid': 'timers' });
  const el = h(
    'section',
    { class: 'card status-card', 'aria-labelledby': 'status-h' },
    h('h2', { id: 'status-h', class: 'card-title' }, 'Connection'),
    h('div', { class: 'state-line' }, pill, healthEl),
    stateReason,
    h('p', { class: 'small' }, sinceEl),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, 'Linked account'),
      meEl,
      h('dt', null, 'Last disconnect'),
      discEl,
      h('dt', null, 'Restart budget'),
      h('dd', null, h('div', { class: 'meter', 'aria-hidden': 'true' }, budgetBar), budgetText),
    ),
    h('h3', { class: 'sub-title' }, 'Timers'),
    timersList,
  );

  const render = (st: StatusSummary) => {
    pill.textContent = stateText(st);
    pill.dataset.state = st.state;
    const coded = /^closed \((\d+)\)$/.exec(st.reason ?? '');
    stateReason.textContent = coded ? `Closed: ${closeWords(Number(coded[1]))}` : (st.reason ?? (st.state === 'open' ? 'Messages are flowing.' : ''));
    meEl.textContent = st.me ? `${st.me.name ? `${st.me.name} · ` : ''}${displayJid(st.me.id)}` : 'not linked';
    if (st.lastDisconnect) {
      clear(discEl);
      discEl.append(
        h('span', { class: 'code' }, String(st.lastDisconnect.code)),
        ` ${closeWords(st.lastDisconnect.code, st.lastDisconnect.reason).replace(/^\d+ /, '')} `,
        h('span', { class: 'muted' }, `at ${clockTime(st.lastDisconnect.at)}`),
      );
    } else discEl.textContent = 'none';
    const { used, intensity, periodMs } = st.restartBudget;
    budgetBar.style.width = `${Math.min(100, (used / Math.max(1, intensity)) * 100)}%`;
    budgetBar.classList.toggle('hot', used >= intensity);
    budgetText.textContent = `${used} of ${intensity} automatic restarts used in the last ${formatDuration(periodMs)}`;
    const health = live.health;
    if (health) {
      healthEl.textContent = health.ok ? 'healthy' : 'unhealthy (503)';
      healthEl.className = `health ${health.ok ? 'ok' : 'bad'}`;
      healthEl.title = health.reason ?? '';
    }
    tick();
  };

  const tick = () => {
    const st = live.status;
    if (!st) return;
    // Frozen while the server is unreachable: nobody can vouch for the state since then.
    const now = live.now();
    const stale = live.link !== 'live' && live.lostAt !== null;
    sinceEl.textContent = stale
      ? `In this state for at least ${formatDuration(now - st.since)} (since ${clockTime(st.since)}; last known)`
      : `In this state for ${formatDuration(now - st.since)} (since ${clockTime(st.since)})`;
    clear(timersList);
    let any = false;
    for (const dl of DEADLINES) {
      const at = st.deadlines[dl.key];
      if (at === null || at === undefined) continue;
      // The grace deadline only matters while the service is not healthy-by-definition.
      if (dl.key === 'graceAt' && !graceMatters(st.state)) continue;
      any = true;
      const left = at - now;
      timersList.append(
        h(
          'li',
          { 'data-timer': dl.key, title: dl.help },
          h('span', { class: 'timer-label' }, dl.label),
          h('span', { class: `timer-value${left <= 0 ? ' due' : ''}` }, left > 0 ? formatDuration(left) : 'due'),
        ),
      );
    }
    if (!any) timersList.append(h('li', { class: 'muted' }, 'No timer running.'));
  };

  d.add(live.subscribe({ status: render, link: tick }));
  if (live.status) render(live.status);
  d.every(500, tick);
  return { el, dispose: d.dispose };
}
