/** Shared helpers for the media tests: a real app (scripted engine), files on disk, an MCP client. */
import { existsSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { registerMediaTools, type MediaServices } from '../../src/media/index.js';
import type { TestApp } from '../helpers/app.js';

export const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A "PNG" (valid signature, random body) of `size` bytes. */
export function fakePng(size = 2_000): Buffer {
  return Buffer.concat([PNG_HEAD, randomBytes(Math.max(0, size - PNG_HEAD.length))]);
}

export function pdf(size = 3_000): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size)]);
}

/** Every entry of the media dir (temp files included). */
export function mediaEntries(t: TestApp): string[] {
  const dir = t.app.config.mediaDir;
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function mediaOf(t: TestApp): MediaServices {
  return t.app.media;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** An SDK client over an in-memory transport to a server with only the media tools. */
export async function mediaToolsClient(t: TestApp): Promise<{ call: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>; close: () => Promise<void>; client: Client }> {
  const server = new McpServer({ name: 'media-test', version: '0.0.0' }, { capabilities: { tools: {} } });
  registerMediaTools(server, mediaOf(t).tools);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'media-test-client', version: '0.0.0' });
  await client.connect(b);
  // Listing first makes the SDK client validate every structuredContent against the output schemas.
  await client.listTools();
  return {
    client,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export function textOf(r: CallToolResult): string {
  const first = r.content[0];
  return first && first.type === 'text' ? first.text : '';
}

/** GET with the path sent verbatim (fetch would normalise `%2e%2e` and `..` away). */
export function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
