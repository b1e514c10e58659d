/**
 * Admin UI entry: session check → sign-in or the app shell (Overview · Chats · Settings), hash-routed.
 * One live store per signed-in session feeds every view.
 */
import './styles.css';
import { describeError, getSession, logoutSession, onSessionLost } from './api.js';
import { clear, h } from './dom.js';
import { hasStoredLayout, preloadElk } from './diagram/index.js';
import { LiveState } from './live.js';
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

function showApp(): void {
  teardown();
  clear(root);
  const store = new LiveState(() => showLogin('Your session has ended. Sign in again.'));
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
  const main = h('main', { class: 'content', id: 'main' });
  root.append(header, main);

  store.subscribe({
    status: (st) => {
      pill.textContent = st.state;
      pill.dataset.state = st.state;
      document.title = `${st.state} — WhatsApp MCP admin`;
    },
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
    main.append(view.el);
  };
  onHash = render;
  window.addEventListener('hashchange', render);
  render();
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
