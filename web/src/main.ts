/**
 * Admin UI entry: session check → sign-in or the app shell (Overview · Chats · Settings), hash-routed.
 * One live store per signed-in session feeds every view.
 */
import './styles.css';
import { describeError, getSession, logoutSession, onSessionLost } from './api.js';
import { clear, h } from './dom.js';
import { clockTime } from './format.js';
import { hasStoredLayout, preloadElk } from './diagram/index.js';
import { LiveState, type AuthLostReason } from './live.js';
import { chatsView } from './views/chats.js';
import { loginView } from './views/login.js';
import { overviewView } from './views/overview/index.js';
import { settingsView } from './views/settings.js';

const root = document.getElementById('app')!;

type Route = 'overview' | 'chats' | 'settings';
const ROUTES: { id: Route; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'chats', label: 'Chats' },
  { id: 'settings', label: 'Settings' },
];

let live: LiveState | null = null;
let disposeView: (() => void) | null = null;
let onHash: (() => void) | null = null;

function teardown(): void {
  disposeView?.();
  disposeView = null;
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
};

function showApp(): void {
  teardown();
  clear(root);
  const store = new LiveState((why) => showLogin(LOST_NOTICE[why]));
  live = store;

  const pill = h('span', { class: 'state-pill state-pill-sm', 'data-testid': 'header-state' }, '…');
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Sections' });
  const signOut = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
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
  const main = h('main', { class: 'content', id: 'main' });
  root.append(header, main);

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
      pill.textContent = st.state;
      pill.dataset.state = st.state;
      document.title = `${st.state} — WhatsApp MCP admin`;
    },
    link: renderLink,
  });

  const render = () => {
    const route = currentRoute();
    clear(nav);
    for (const r of ROUTES) {
      nav.append(h('a', { href: `#/${r.id}`, class: 'tab', 'aria-current': r.id === route ? 'page' : undefined, 'data-route': r.id }, r.label));
    }
    disposeView?.();
    clear(main);
    const view = route === 'chats' ? chatsView() : route === 'settings' ? settingsView() : overviewView(store);
    disposeView = view.dispose;
    main.append(offline, view.el);
  };
  onHash = render;
  window.addEventListener('hashchange', render);
  render();
  renderLink();
  store.start();
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
