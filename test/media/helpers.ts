/** Shared helpers for the media tests: a real app (scripted engine), files on disk, an MCP client. */
import { existsSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Media } from '../../src/media/index.js';
import type { TestApp } from '../helpers/app.js';
import { connectClient } from '../mcp/helpers.js';

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

export function mediaOf(t: TestApp): Media {
  return t.app.media;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The SDK client over Streamable HTTP to the app's /mcp (all tools; the media ones are what these tests call). */
export async function mediaToolsClient(t: TestApp): Promise<{ call: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>; close: () => Promise<void>; client: Client }> {
  const client = await connectClient(t.url);
  // Listing first makes the SDK client validate every structuredContent against the output schemas.
  await client.listTools();
  return {
    client,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: () => client.close(),
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
