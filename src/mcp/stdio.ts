/**
 * MCP over stdio (`--stdio`): the same tools and resources as HTTP, one server for the process, sharing
 * the HTTP layer's services and hub (`McpHttp.serveStdio()`), so idempotency, the duplicate window and
 * new-message notifications cover the stdio client too.
 * stdout carries nothing but JSON-RPC; logs must go to stderr (the root logger does that in stdio mode).
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { McpDeps } from './deps.js';
import type { McpHub } from './hub.js';
import { createMcpServer } from './server.js';

export interface McpStdio {
  /** Resolves when the client closes stdin (or `close()` is called). */
  closed: Promise<void>;
  close(): Promise<void>;
}

export interface StdioStreams {
  stdin?: Readable;
  stdout?: Writable;
}

/** Serves one stdio client with the shared deps and hub. */
export async function serveStdio(deps: McpDeps, hub: McpHub, io: StdioStreams = {}): Promise<McpStdio> {
  const { server, dispose } = createMcpServer(deps, hub);
  const transport = new StdioServerTransport(io.stdin, io.stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let done = false;
  const close = async () => {
    if (done) return;
    done = true;
    dispose();
    await server.close().catch(() => undefined);
    resolveClosed();
  };
  transport.onclose = () => void close();
  await server.connect(transport);
  (io.stdin ?? process.stdin).once('end', () => void close());
  deps.logger.info('MCP stdio ready');
  return { closed, close };
}
