/**
 * MCP over stdio (`--stdio`): the same tools and resources as HTTP, one server for the process.
 * stdout carries nothing but JSON-RPC; logs must go to stderr (the root logger does that in stdio mode).
 *
 * - `runStdio(deps)`: standalone (own services and notification hub), used by `stdio-main.ts`.
 * - `McpHttp.serveStdio()` (http.ts): shares the HTTP layer's services and hub, so idempotency, the
 *   duplicate window and `notifyNewMessages` cover the stdio client too (for main.ts `--stdio`).
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createServices } from '../services/index.js';
import type { McpDeps } from './deps.js';
import { McpHub } from './hub.js';
import { createMcpServer } from './server.js';
import type { ToolDeps } from './tools/index.js';

export interface McpStdio {
  /** Tell subscribers that messages arrived in these chats. */
  notifyNewMessages(chatIds: string[]): void;
  /** Resolves when the client closes stdin (or `close()` is called). */
  closed: Promise<void>;
  close(): Promise<void>;
}

export interface StdioStreams {
  stdin?: Readable;
  stdout?: Writable;
}

/** Serves one stdio client with the given (shared) tool deps and hub. */
export async function serveStdio(toolDeps: ToolDeps, hub: McpHub, io: StdioStreams = {}, onClose?: () => void): Promise<McpStdio> {
  const { server, dispose } = createMcpServer(toolDeps, hub);
  const transport = new StdioServerTransport(io.stdin, io.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let done = false;
  const close = async () => {
    if (done) return;
    done = true;
    dispose();
    onClose?.();
    await server.close().catch(() => undefined);
    resolveClosed();
  };
  transport.onclose = () => void close();
  await server.connect(transport);
  (io.stdin ?? process.stdin).once('end', () => void close());
  toolDeps.logger.info('MCP stdio ready');
  return { notifyNewMessages: (ids) => hub.notifyNewMessages(ids), closed, close };
}

/** Standalone stdio server: its own services and hub over the given deps. */
export async function runStdio(deps: McpDeps, io: StdioStreams = {}): Promise<McpStdio> {
  const hub = new McpHub(deps);
  const services = createServices({ ...deps, onMessagesStored: (ids) => hub.notifyNewMessages(ids) });
  return serveStdio({ ...deps, services }, hub, io, () => {
    hub.close();
    services.close();
  });
}
