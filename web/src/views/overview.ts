/**
 * Overview: status (countdowns, budget, last disconnect), QR linking, controls, the live diagram and the
 * event log. Everything updates from the live store; nothing needs a reload.
 */
import { ApiError, describeError, postJson, request } from '../api.js';
import { loadDiagram, type LoadedDiagram } from '../diagram/index.js';
import { edgeForTransition } from '../diagram/model.js';
import { clear, confirmDialog, h } from '../dom.js';
import { clockTime, displayJid, eventLabel, formatDuration, statePath } from '../format.js';
import type { LiveState } from '../live.js';
import type { Deadlines, PublicState, StatusSummary, Transition } from '../types.js';
import { simulatorPanel } from './simulator.js';

const STATE_TEXT: Record<PublicState, string> = {
  connecting: 'Connecting',
  'awaiting-qr': 'Waiting for QR scan',
  open: 'Connected',
  'soft-resync': 'Resyncing app state',
  restarting: 'Restarting',
  stuck: 'Stuck — needs an operator',
};

const DEADLINES: { key: keyof Deadlines; label: string; help: string }[] = [
  { key: 'backoffUntil', label: 'Reconnect (backoff)', help: 'next socket attempt after a transient close' },
  { key: 'watchdogAt', label: 'Disconnect watchdog', help: 'escalates if not reconnected by then' },
  { key: 'resyncDeadline', label: 'Resync deadline', help: 'soft resync gives up and reconnects' },
  { key: 'restartAt', label: 'Restart', help: 'a fresh connection worker starts' },
  { key: 'stuckRetryAt', label: 'Stuck retry', help: 'slow automatic probe out of stuck' },
  { key: 'graceAt', label: 'Health grace', help: '/healthz turns 503 unless connected first' },
];

/** Which diagram state shows which countdown. */
const BADGES: { node: string; key: keyof Deadlines; prefix: string; whenActive: boolean }[] = [
  { node: 'connection.connecting.backoff', key: 'backoffUntil', prefix: 'retry in', whenActive: true },
  { node: 'connection.connecting', key: 'watchdogAt', prefix: 'watchdog', whenActive: true },
  { node: 'connection.soft-resync', key: 'resyncDeadline', prefix: 'deadline', whenActive: true },
  { node: 'supervisor.restarting', key: 'restartAt', prefix: 'in', whenActive: true },
  { node: 'supervisor.stuck', key: 'stuckRetryAt', prefix: 'retry in', whenActive: true },
  { node: 'supervisor', key: 'graceAt', prefix: 'health grace', whenActive: false },
];

/** The readiness grace only decides health while recovering (open/awaiting-qr are healthy, stuck never is). */
const graceMatters = (state: PublicState) => state === 'connecting' || state === 'soft-resync' || state === 'restarting';

export function overviewView(live: LiveState): { el: HTMLElement; dispose: () => void } {
  const disposers: (() => void)[] = [];

  // ── status card ──────────────────────────────────────────────────────────────
  const pill = h('span', { class: 'state-pill', 'data-testid': 'state-pill' }, '…');
  const stateReason = h('p', { class: 'state-reason' });
  const sinceEl = h('span', { class: 'muted' });
  const healthEl = h('span', { class: 'health' });
  const meEl = h('dd', { 'data-testid': 'me' }, '—');
  const discEl = h('dd', { 'data-testid': 'last-disconnect' }, 'none');
  const budgetBar = h('div', { class: 'meter-fill' });
  const budgetText = h('span', { 'data-testid': 'budget' });
  const timersList = h('ul', { class: 'timers', 'data-testid': 'timers' });
  const statusCard = h(
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

  // ── QR card ──────────────────────────────────────────────────────────────────
  const qrImg = h('img', { class: 'qr-img', alt: 'WhatsApp linking QR code', width: 264, height: 264, 'data-testid': 'qr-img' });
  const qrNote = h('p', { class: 'qr-note', 'data-testid': 'qr-note' });
  const qrFrame = h('div', { class: 'qr-frame' }, qrImg);
  const qrBody = h(
    'div',
    { class: 'qr-body' },
    h(
      'ol',
      { class: 'steps' },
      h('li', null, 'Open WhatsApp on your phone'),
      h('li', null, 'Settings → Linked devices → Link a device'),
      h('li', null, 'Point the phone at this code'),
    ),
    qrFrame,
    qrNote,
  );
  const qrSuccess = h('div', { class: 'qr-success', 'data-testid': 'qr-success', hidden: true });
  const qrTitle = h('h2', { id: 'qr-h', class: 'card-title' }, 'Link this server');
  const qrCard = h(
    'section',
    { class: 'card qr-card', 'data-testid': 'qr-card', hidden: true, 'aria-labelledby': 'qr-h' },
    qrTitle,
    qrBody,
    qrSuccess,
  );
  let qrVersion = 0;
  let qrUrl: string | null = null;
  let qrLoading = false;
  let qrAgain = false;
  const loadQr = async () => {
    if (qrLoading) {
      qrAgain = true;
      return;
    }
    qrLoading = true;
    try {
      const res = await request(`/api/qr?v=${Date.now()}`, { accept: 'image/png' });
      if (res.status === 204) {
        qrNote.textContent = 'Waiting for WhatsApp to issue a code…';
        qrFrame.classList.add('qr-waiting');
        qrFrame.classList.remove('qr-missing');
      } else {
        qrFrame.classList.remove('qr-missing');
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        await new Promise<void>((resolve) => {
          qrImg.onload = () => resolve();
          qrImg.onerror = () => resolve();
          qrImg.src = url;
        });
        if (qrUrl) URL.revokeObjectURL(qrUrl);
        qrUrl = url;
        qrVersion++;
        qrImg.dataset.version = String(qrVersion);
        qrFrame.classList.remove('qr-waiting');
        qrFrame.classList.add('qr-loaded');
        qrNote.textContent = 'The code refreshes by itself every few seconds.';
      }
    } catch (err) {
      qrFrame.classList.remove('qr-waiting');
      qrFrame.classList.add('qr-missing');
      qrNote.textContent =
        err instanceof ApiError && err.notAvailable
          ? 'QR image not available on this server (GET /api/qr is missing). Use the MCP tool get_qr_code instead.'
          : `Could not load the QR code: ${describeError(err)}`;
    } finally {
      qrLoading = false;
      if (qrAgain) {
        qrAgain = false;
        void loadQr();
      }
    }
  };

  // ── controls ─────────────────────────────────────────────────────────────────
  const result = h('div', { class: 'control-result', 'data-testid': 'control-result', 'aria-live': 'polite' });
  let watching: { command: string; until: number; lines: HTMLElement } | null = null;
  const runCommand = async (path: string, command: string, label: string, btn: HTMLButtonElement) => {
    btn.disabled = true;
    clear(result);
    result.className = 'control-result';
    // Collect the transitions from now on: the stream may deliver them before the POST answers.
    const lines = h('ul', { class: 'result-transitions', 'aria-label': 'Resulting transitions' });
    watching = { command, until: Date.now() + 6000, lines };
    try {
      const r = await postJson<{ state: string }>(path);
      result.classList.add('ok');
      result.append(h('p', null, h('strong', null, `${label}: accepted.`), ` State now: ${r.state}.`), lines);
    } catch (err) {
      watching = null;
      result.classList.add('err');
      result.append(h('p', { role: 'alert' }, describeError(err)));
    } finally {
      btn.disabled = false;
    }
  };
  const mkBtn = (text: string, cls: string, testid: string, onClick: (b: HTMLButtonElement) => void) => {
    const b = h('button', { type: 'button', class: `btn ${cls}`, 'data-testid': testid }, text);
    b.addEventListener('click', () => onClick(b));
    return b;
  };
  const controlsCard = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ctl-h' },
    h('h2', { id: 'ctl-h', class: 'card-title' }, 'Controls'),
    h(
      'div',
      { class: 'controls' },
      mkBtn('Restart', 'btn-primary', 'btn-restart', (b) => void runCommand('/api/restart-wa', 'RESTART', 'Restart', b)),
      mkBtn('Force resync', '', 'btn-resync', (b) => void runCommand('/api/force-resync', 'FORCE_RESYNC', 'Force resync', b)),
      mkBtn('Reset budget', '', 'btn-reset', (b) => {
        void confirmDialog({
          title: 'Reset the supervisor?',
          body: 'This clears the restart budget and any stuck state, and starts a fresh connection worker.',
          confirm: 'Reset',
        }).then((ok) => {
          if (ok) void runCommand('/api/reset', 'RESET', 'Reset', b);
        });
      }),
      mkBtn('Log out…', 'btn-danger', 'btn-logout-wa', (b) => {
        void confirmDialog({
          title: 'Unlink this WhatsApp account?',
          body: 'The server logs out of WhatsApp and forgets its pairing (your message history stays). You will need to scan a new QR code to link again.',
          confirm: 'Log out WhatsApp',
          danger: true,
        }).then((ok) => {
          if (ok) void runCommand('/api/logout', 'LOGOUT', 'Logout', b);
        });
      }),
    ),
    result,
  );

  // ── diagram + log ────────────────────────────────────────────────────────────
  const diagramHost = h('div', { class: 'diagram-host', 'data-testid': 'diagram' }, h('p', { class: 'muted pad' }, 'Laying out the state machines…'));
  const lastTransition = h('p', { class: 'last-transition', 'data-testid': 'last-transition', 'aria-live': 'polite' }, 'No transition yet.');
  const linkBadge = h('span', { class: 'link-badge', 'data-testid': 'stream-status' });
  const diagramCard = h(
    'section',
    { class: 'card diagram-card', 'aria-labelledby': 'dia-h' },
    h('div', { class: 'card-head' }, h('h2', { id: 'dia-h', class: 'card-title' }, 'Supervisor tree — live'), linkBadge),
    lastTransition,
    diagramHost,
    h(
      'p',
      { class: 'legend small' },
      h('span', null, h('span', { class: 'lg lg-active' }), 'active state'),
      h('span', null, h('span', { class: 'lg lg-edge' }), 'last transition (its event highlighted)'),
      h('span', null, h('span', { class: 'lg lg-final' }), 'final: hands the failure to the supervisor'),
      h('span', null, 'Hover an arrow for its guards.'),
    ),
  );
  const logList = h('ol', { class: 'log', 'data-testid': 'event-log' });
  const logCard = h(
    'section',
    { class: 'card log-card', 'aria-labelledby': 'log-h' },
    h('h2', { id: 'log-h', class: 'card-title' }, 'Event log'),
    h('div', { class: 'log-scroll' }, logList),
  );

  const simCard = simulatorPanel();

  const el = h(
    'div',
    { class: 'overview' },
    h('div', { class: 'col-side' }, statusCard, qrCard, controlsCard, simCard.el),
    h('div', { class: 'col-main' }, diagramCard, logCard),
  );
  disposers.push(simCard.dispose);

  // ── behaviour ────────────────────────────────────────────────────────────────
  let diagram: LoadedDiagram | null = null;
  let prevState: PublicState | null = null;
  let pairing = false;
  let linked = false;

  const renderStatus = (st: StatusSummary) => {
    pill.textContent = STATE_TEXT[st.state] ?? st.state;
    pill.dataset.state = st.state;
    stateReason.textContent = st.reason ?? (st.state === 'open' ? 'Messages are flowing.' : '');
    meEl.textContent = st.me ? `${st.me.name ? `${st.me.name} · ` : ''}${displayJid(st.me.id)}` : 'not linked';
    if (st.lastDisconnect) {
      clear(discEl);
      discEl.append(
        h('span', { class: 'code' }, String(st.lastDisconnect.code)),
        ` ${st.lastDisconnect.reason} `,
        h('span', { class: 'muted' }, `at ${clockTime(st.lastDisconnect.at)}`),
      );
    } else discEl.textContent = 'none';
    const { used, intensity, periodMs } = st.restartBudget;
    budgetBar.style.width = `${Math.min(100, (used / Math.max(1, intensity)) * 100)}%`;
    budgetBar.classList.toggle('hot', used >= intensity);
    budgetText.textContent = `${used} of ${intensity} automatic restarts used in the last ${formatDuration(periodMs)}`;
    const h2 = live.health;
    if (h2) {
      healthEl.textContent = h2.ok ? 'healthy' : 'unhealthy (503)';
      healthEl.className = `health ${h2.ok ? 'ok' : 'bad'}`;
      healthEl.title = h2.reason ?? '';
    }
    // QR card: shown while awaiting a scan; after a scan (→ 515 reconnect → open) it turns into the success message.
    if (st.state === 'awaiting-qr') {
      pairing = true;
      linked = false;
      qrTitle.textContent = 'Link this server';
      qrCard.hidden = false;
      qrBody.hidden = false;
      qrSuccess.hidden = true;
      if (prevState !== 'awaiting-qr' || !qrFrame.classList.contains('qr-loaded')) void loadQr();
    } else if (st.state === 'connecting' && pairing) {
      qrBody.hidden = true;
      qrSuccess.hidden = false;
      clear(qrSuccess);
      qrSuccess.append(h('div', { class: 'spinner', 'aria-hidden': 'true' }), h('p', null, 'Connecting to WhatsApp…'));
    } else if (st.state === 'open' && (pairing || linked)) {
      pairing = false;
      linked = true;
      qrTitle.textContent = 'Device linked';
      qrCard.hidden = false;
      qrBody.hidden = true;
      qrSuccess.hidden = false;
      clear(qrSuccess);
      qrSuccess.append(
        h('div', { class: 'check', 'aria-hidden': 'true' }, '✓'),
        h('p', { 'data-testid': 'linked-as' }, h('strong', null, 'Linked!'), ` Connected as ${st.me ? displayJid(st.me.id) : 'your account'}.`),
      );
    } else {
      pairing = false;
      linked = false;
      qrCard.hidden = true;
    }
    prevState = st.state;
    tick();
  };

  const tick = () => {
    const st = live.status;
    if (!st) return;
    const now = Date.now();
    sinceEl.textContent = `In this state for ${formatDuration(now - st.since)} (since ${clockTime(st.since)})`;
    clear(timersList);
    let any = false;
    for (const d of DEADLINES) {
      const at = st.deadlines[d.key];
      if (at === null || at === undefined) continue;
      // The grace deadline only matters while the service is not healthy-by-definition.
      if (d.key === 'graceAt' && !graceMatters(st.state)) continue;
      any = true;
      const left = at - now;
      timersList.append(
        h(
          'li',
          { 'data-timer': d.key, title: d.help },
          h('span', { class: 'timer-label' }, d.label),
          h('span', { class: `timer-value${left <= 0 ? ' due' : ''}` }, left > 0 ? formatDuration(left) : 'due'),
        ),
      );
    }
    if (!any) timersList.append(h('li', { class: 'muted' }, 'No timer running.'));
    if (diagram) {
      const active = new Set([...live.leaves.supervisor, ...live.leaves.connection]);
      const activeAll = new Set<string>();
      for (const leaf of active) {
        let cur: string | null = leaf;
        while (cur) {
          activeAll.add(cur);
          cur = diagram.model.nodes.get(cur)?.parent ?? null;
        }
      }
      for (const b of BADGES) {
        const at = st.deadlines[b.key];
        const show = at !== null && at !== undefined && (!b.whenActive || activeAll.has(b.node));
        const hideGrace = b.key === 'graceAt' && !graceMatters(st.state);
        diagram.view.setBadge(b.node, show && !hideGrace ? `${b.prefix} ${formatDuration(Math.max(0, at! - now))}` : null);
      }
      const { used, intensity } = st.restartBudget;
      diagram.view.setBadge('supervisor.running', `restarts ${used}/${intensity}`);
    }
  };

  const describeTransition = (t: Transition) =>
    `${t.actor}: ${t.from.map(statePath).join(', ')} → ${t.to.map(statePath).join(', ')}`;

  const logAppend = (t: Transition) => {
    const scroller = logList.parentElement!;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 24;
    logList.append(
      h(
        'li',
        { class: `log-item actor-${t.actor}` },
        h('time', { datetime: new Date(t.at).toISOString() }, clockTime(t.at)),
        h('span', { class: 'log-event', title: t.event }, eventLabel(t.event)),
        h('span', { class: 'log-move' }, `${t.from.map(statePath).join(', ')} → ${t.to.map(statePath).join(', ')}`),
        h('span', { class: 'log-actor' }, t.actor),
      ),
    );
    while (logList.children.length > 300) logList.firstElementChild?.remove();
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  };

  const renderLogFull = () => {
    clear(logList);
    for (const t of live.transitions) logAppend(t);
    if (live.transitions.length === 0) logList.append(h('li', { class: 'muted log-empty' }, 'No transitions yet.'));
  };

  const applyLeaves = () => {
    diagram?.view.setActive([...live.leaves.supervisor, ...live.leaves.connection]);
    tick();
  };

  const showTransition = (t: Transition) => {
    shownAt = Math.max(shownAt, t.at);
    lastTransition.textContent = '';
    lastTransition.append(h('span', { class: 'ev' }, eventLabel(t.event)), ` ${describeTransition(t)}`);
    lastTransition.dataset.event = t.event;
    if (!diagram) return;
    // A fresh worker has taken no transition yet: drop the old worker's highlighted edge.
    if (t.actor === 'supervisor' && t.to.includes('supervisor.running')) {
      diagram.view.showTransition({ ...t, actor: 'connection' }, undefined);
    }
    diagram.view.showTransition(t, edgeForTransition(diagram.model, t)?.id);
  };

  // After a (re)connect the full state may carry transitions this page never saw live: show the newest per actor.
  let shownAt = 0;
  const catchUpTransitions = () => {
    const newest = new Map<string, Transition>();
    for (const t of live.transitions) if (t.at >= shownAt) newest.set(t.actor, t);
    const todo = [...newest.values()].sort((a, b) => a.at - b.at);
    for (const t of todo) showTransition(t);
  };

  const setLink = () => {
    linkBadge.textContent = live.link === 'live' ? 'live' : live.link === 'reconnecting' ? 'reconnecting…' : 'connecting…';
    linkBadge.className = `link-badge link-${live.link}`;
  };

  disposers.push(
    live.subscribe({
      state: () => {
        renderLogFull();
        applyLeaves();
        catchUpTransitions();
      },
      status: (st) => renderStatus(st),
      leaves: applyLeaves,
      transition: (t) => {
        logList.querySelector('.log-empty')?.remove();
        logAppend(t);
        showTransition(t);
        if (t.event === 'ENGINE.QR' && live.status?.state === 'awaiting-qr') void loadQr();
        if (watching && Date.now() < watching.until) {
          watching.lines.append(h('li', null, h('span', { class: 'ev' }, eventLabel(t.event)), ` ${describeTransition(t)}`));
        }
      },
      link: setLink,
    }),
  );

  void loadDiagram(diagramHost)
    .then((d) => {
      diagram = d;
      diagramHost.dataset.ready = 'true';
      applyLeaves();
      shownAt = 0;
      catchUpTransitions();
    })
    .catch((err: unknown) => {
      clear(diagramHost);
      diagramHost.append(h('p', { class: 'error pad', role: 'alert' }, `Could not draw the diagram: ${describeError(err)}`));
    });

  if (live.status) renderStatus(live.status);
  renderLogFull();
  setLink();
  const timer = setInterval(tick, 500);
  disposers.push(() => clearInterval(timer));
  disposers.push(() => {
    if (qrUrl) URL.revokeObjectURL(qrUrl);
  });

  return { el, dispose: () => disposers.forEach((d) => d()) };
}
