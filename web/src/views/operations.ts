/**
 * Operations: how to connect an MCP client (endpoint URL and copy-paste configs, with a placeholder where
 * the token goes: the page never shows it), the store's statistics, and the full event log with filters.
 */
import { describeError, getJson } from '../api.js';
import { clear, h, toast } from '../dom.js';
import { clockTime, formatDuration } from '../format.js';
import type { LiveState } from '../live.js';
import { eventLogCard } from './overview/event-log-card.js';
import { Disposer, type Component } from './overview/component.js';

interface Ops {
  mcp: { path: string; authRequired: boolean; tokenFile: string | null };
  stdio: { node: string; entry: string | null; dataDir: string };
  stats: { messages: number; chats: number; groups: number; contacts: number; mediaFiles: number; lastMessageAt: number; dbBytes: number; schemaVersion: number };
}

const TOKEN_PLACEHOLDER = '<MCP_AUTH_TOKEN>';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

const num = (n: number) => n.toLocaleString();

async function copy(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied.`, 'ok');
  } catch {
    toast(`Could not copy; select the text and copy it by hand.`, 'error');
  }
}

/** A titled, copyable block of text. */
function snippet(title: string, text: string, testid: string, note?: string): HTMLElement {
  const btn = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `copy-${testid}` }, 'Copy');
  btn.addEventListener('click', () => void copy(text, title));
  return h(
    'div',
    { class: 'snippet' },
    h('div', { class: 'snippet-head' }, h('h3', { class: 'snippet-title' }, title), btn),
    note ? h('p', { class: 'small muted' }, note) : null,
    h('pre', { class: 'code-block', tabindex: 0, 'data-testid': `config-${testid}`, 'aria-label': title }, h('code', null, text)),
  );
}

export function operationsView(live: LiveState): Component {
  const d = new Disposer();
  const connectBody = h('div', { class: 'ops-connect' }, h('p', { class: 'muted' }, 'Loading…'));
  const connect = h('section', { class: 'card', 'aria-labelledby': 'ops-mcp-h' }, h('h2', { class: 'card-title', id: 'ops-mcp-h' }, 'Connect an MCP client'), connectBody);
  const statsList = h('dl', { class: 'stats', 'data-testid': 'store-stats' });
  const statsNote = h('p', { class: 'small muted', 'aria-live': 'off' });
  const refresh = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
  const stats = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ops-stats-h' },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title', id: 'ops-stats-h' }, 'Store'), refresh),
    statsList,
    statsNote,
  );
  const log = eventLogCard(live, { tall: true });
  d.add(log.dispose);
  const el = h('div', { class: 'operations' }, h('div', { class: 'ops-col' }, stats, connect), log.el);

  const renderConnect = (o: Ops) => {
    clear(connectBody);
    const url = `${location.origin}${o.mcp.path}`;
    const where = o.mcp.tokenFile
      ? `The token is in ${o.mcp.tokenFile} on the server; put it where ${TOKEN_PLACEHOLDER} stands.`
      : `Use the MCP_AUTH_TOKEN the server was started with where ${TOKEN_PLACEHOLDER} stands.`;
    const http = {
      mcpServers: {
        whatsapp: {
          type: 'http',
          url,
          ...(o.mcp.authRequired ? { headers: { Authorization: `Bearer ${TOKEN_PLACEHOLDER}` } } : {}),
        },
      },
    };
    const stdio = {
      mcpServers: {
        whatsapp: {
          command: o.stdio.node,
          args: [o.stdio.entry ?? '/path/to/dist/src/main.js', '--stdio'],
          env: { DATA_DIR: o.stdio.dataDir },
        },
      },
    };
    const urlBtn = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'copy-url' }, 'Copy');
    urlBtn.addEventListener('click', () => void copy(url, 'Endpoint URL'));
    connectBody.append(
      h('div', { class: 'endpoint' }, h('span', { class: 'small muted' }, 'Streamable HTTP endpoint'), h('code', { class: 'endpoint-url', 'data-testid': 'mcp-url' }, url), urlBtn),
      o.mcp.authRequired ? h('p', { class: 'small' }, `Clients send “Authorization: Bearer ${TOKEN_PLACEHOLDER}”. ${where}`) : h('p', { class: 'small' }, 'Authentication is disabled on this server.'),
      snippet('HTTP client with the token header', JSON.stringify(http, null, 2), 'http'),
      snippet(
        'Claude Desktop (stdio)',
        JSON.stringify(stdio, null, 2),
        'stdio',
        `Runs the server as a child of the client on this machine, with the same data directory (stop this instance first: one process per linked account).${o.stdio.entry ? '' : ' Replace the path with where dist/src/main.js is.'}`,
      ),
    );
  };

  const renderStats = (o: Ops) => {
    clear(statsList);
    const s = o.stats;
    const rows: [string, string][] = [
      ['Messages', num(s.messages)],
      ['Chats', num(s.chats)],
      ['Groups', num(s.groups)],
      ['Contacts', num(s.contacts)],
      ['Media files', num(s.mediaFiles)],
      ['Database size', bytes(s.dbBytes)],
      ['Newest message', s.lastMessageAt > 0 ? `${clockTime(s.lastMessageAt)} (${formatDuration(Date.now() - s.lastMessageAt)} ago)` : 'none yet'],
    ];
    for (const [k, v] of rows) statsList.append(h('div', { class: 'stat' }, h('dt', null, k), h('dd', null, v)));
    statsNote.textContent = `Schema version ${s.schemaVersion}. Updated ${clockTime(Date.now())}.`;
  };

  let loading = false;
  const load = async () => {
    if (loading) return;
    loading = true;
    try {
      const o = await getJson<Ops>('/api/ops');
      if (!connectBody.querySelector('.endpoint')) renderConnect(o);
      renderStats(o);
    } catch (err) {
      statsNote.textContent = `Could not load: ${describeError(err)}`;
      if (!connectBody.querySelector('.endpoint')) {
        clear(connectBody);
        connectBody.append(h('p', { class: 'error' }, describeError(err)));
      }
    } finally {
      loading = false;
    }
  };
  refresh.addEventListener('click', () => void load());
  d.every(15_000, () => {
    if (live.link === 'live') void load();
  });
  void load();
  return { el, dispose: d.dispose };
}
