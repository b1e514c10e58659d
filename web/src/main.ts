/**
 * Admin UI entry: session check → sign-in or the app shell (Overview · Chats · Safety · Operations · Settings), hash-routed.
 * One live store per signed-in session feeds every view; one outbox watch feeds the Safety tab's badge and view.
 */
import './styles.css';
import { describeError, getSession, logoutSession, onSessionLost } from './api.js';
import { clear, h } from './dom.js';
import { clockTime } from './format.js';
import { hasStoredLayout, preloadElk } from './diagram/index.js';
import { LiveState, type AuthLostReason } from './live.js';
import { chatsView } from './views/chats.js';
import { loginView } from './views/login.js';
import { stateText } from './views/overview/lifecycle.js';
import type { Component } from './views/overview/component.js';
import { overviewView } from './views/overview/index.js';
import { operationsView } from './views/operations.js';
import { safetyView } from './views/safety/index.js';
import { OutboxWatch } from './views/safety/watch.js';
import { settingsView } from './views/settings.js';

const root = document.getElementById('app')!;

type Route = 'overview' | 'chats' | 'safety' | 'operations' | 'settings';
const ROUTES: { id: Route; label: string; title: string }[] = [
  { id: 'overview', label: 'Overview', title: 'Overview: connection, controls and the live supervisor' },
  { id: 'chats', label: 'Chats', title: 'Chats' },
  { id: 'safety', label: 'Safety', title: 'Safety: approvals, outbox and audit log' },
  { id: 'operations', label: 'Operations', title: 'Operations: MCP clients, store statistics and the event log' },
  { id: 'settings', label: 'Settings', title: 'Settings' },
];

let live: LiveState | null = null;
let outbox: OutboxWatch | null = null;
let disposeView: (() => void) | null = null;
let onHash: (() => void) | null = null;

function teardown(): void {
  disposeView?.();
  disposeView = null;
  outbox?.stop();
  outbox = null;
  live?.stop();
  live = null;
  if (onHash) window.removeEventListener('hashchange', onHash);
  onHash = null;
}

function showLogin(notice?: string): void {
  teardown();
  clear(root);
  document.title = 'Sign in — WhatsApp MCP admin';
  root.append(loginView(() => showApp(), notice));
  warmUpLayout();
}

function currentRoute(): Route {
  const r = location.hash.replace(/^#\/?/, '') as Route;
  return ROUTES.some((x) => x.id === r) ? r : 'overview';
}

/** What the sign-in page says after a session ended by itself. */
const LOST_NOTICE: Record<AuthLostReason, string> = {
  session: 'Your session has ended. Sign in again.',
  restart: 'The server restarted, which ends every admin session. Sign in again.',
  'signed-out': 'You signed out (in this or another tab). Sign in again to continue.',
  expired: 'Your session expired. Sign in again.',
};

function showApp(): void {
  teardown();
  clear(root);
  const store = new LiveState((why) => showLogin(LOST_NOTICE[why]));
  live = store;
  const watch = new OutboxWatch(store);
  outbox = watch;

  const pill = h('span', { class: 'state-pill state-pill-sm', 'data-testid': 'header-state' }, '…');
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Sections' });
  const signOut = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    // Stop listening first: the server ends this tab's stream too, and that must not read as "signed out elsewhere".
    store.stop();
    void logoutSession()
      .catch(() => {})
      .finally(() => showLogin());
  });
  const header = h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, ''), h('span', null, 'WhatsApp MCP'), pill),
    nav,
    signOut,
  );
  // The connection to this server is part of the truth: when the stream is gone, the page says so.
  const offline = h('div', { class: 'offline-banner', hidden: true, 'data-testid': 'server-unreachable' });
  const heading = h('h1', { class: 'sr-only', id: 'page-h' });
  const main = h('main', { class: 'content', id: 'main', 'aria-labelledby': 'page-h' });
  // The one polite live region: state changes only (a QR that rotates is not a state change).
  const announcer = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'announcer' });
  root.append(header, main, announcer);
  const announce = (text: string) => {
    announcer.textContent = text;
  };

  let lastState: string | null = null;
  let offlineAnnounced = false;
  const renderLink = () => {
    root.dataset.link = store.link;
    const down = store.link === 'down' || (store.link === 'reconnecting' && store.lostAt !== null);
    offline.hidden = !down;
    if (down) {
      clear(offline);
      offline.append(
        h('strong', null, store.link === 'down' ? `Server unreachable since ${clockTime(store.lostAt ?? Date.now())}.` : 'Reconnecting to the server…'),
        ' Showing the last known state; nothing here is live until the connection is back. This page reconnects by itself.',
      );
    }
  };
  store.subscribe({
    status: (st) => {
      pill.textContent = stateText(st);
      pill.dataset.state = st.state;
      document.title = `${stateText(st)} — WhatsApp MCP admin`;
      if (lastState !== null && lastState !== st.state) announce(`WhatsApp connection: ${stateText(st)}`);
      lastState = st.state;
    },
    link: (l) => {
      renderLink();
      if (l === 'down') announce(`Server unreachable since ${clockTime(store.lostAt ?? Date.now())}`);
      else if (l === 'live' && offlineAnnounced) announce('Server reachable again; the page is live.');
      offlineAnnounced = l === 'down' || (offlineAnnounced && l !== 'live');
    },
  });

  // Writes waiting for the owner's approval, on the Safety tab wherever the owner is.
  const badgeCount = h('span', { 'data-testid': 'safety-badge-count' }, '0');
  const badge = h('span', { class: 'tab-badge', 'data-testid': 'safety-badge', hidden: true }, badgeCount, h('span', { class: 'sr-only' }, ' waiting for approval'));
  const renderBadge = () => {
    const n = watch.pending;
    badge.hidden = n === 0;
    badgeCount.textContent = String(n);
    badge.title = `${n} write${n === 1 ? '' : 's'} waiting for your approval`;
  };
  watch.subscribe(renderBadge);

  let shown: Route | null = null;
  let canLeave: (() => Promise<boolean>) | undefined;
  const render = async () => {
    const route = currentRoute();
    if (route === shown) return;
    // A view with unsaved work (settings) may keep the operator where they are: put the address back.
    if (canLeave && shown && !(await canLeave())) {
      history.replaceState(null, '', `#/${shown}`);
      return;
    }
    shown = route;
    const meta = ROUTES.find((r) => r.id === route)!;
    clear(nav);
    for (const r of ROUTES) {
      nav.append(h('a', { href: `#/${r.id}`, class: 'tab', 'aria-current': r.id === route ? 'page' : undefined, 'data-route': r.id }, r.label, r.id === 'safety' ? badge : null));
    }
    disposeView?.();
    clear(main);
    heading.textContent = meta.title;
    const view: Component & { canLeave?: () => Promise<boolean> } =
      route === 'chats'
        ? chatsView()
        : route === 'safety'
          ? safetyView(store, watch)
          : route === 'operations'
            ? operationsView(store)
            : route === 'settings'
              ? settingsView(store)
              : overviewView(store);
    disposeView = view.dispose;
    canLeave = view.canLeave;
    main.append(offline, heading, view.el);
  };
  onHash = () => void render();
  window.addEventListener('hashchange', onHash);
  void render();
  renderLink();
  store.start();
  watch.start();
}

/**
 * Starts the diagram's layout worker (elkjs takes seconds to parse and start) while the page boots and the
 * operator signs in, unless a stored layout will serve. It runs off the main thread, so nothing waits on it.
 */
function warmUpLayout(): void {
  if (hasStoredLayout()) return;
  try {
    preloadElk();
  } catch {
    // no workers here: the diagram reports it when it is shown
  }
}

warmUpLayout();
onSessionLost(() => showLogin('Your session has ended. Sign in again.'));

getSession()
  .then((s) => (s.authenticated ? showApp() : showLogin()))
  .catch((err: unknown) => {
    clear(root);
    root.append(h('main', { class: 'login-page' }, h('div', { class: 'card login-card' }, h('h1', null, 'Cannot reach the server'), h('p', null, describeError(err)))));
  });
