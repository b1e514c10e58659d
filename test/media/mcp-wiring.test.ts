/**
 * The wiring the composition root uses: `registerMediaTools` through McpDeps.extraTools on the real
 * per-session server factory → 29 tools, listed with schemas, callable, results valid for the SDK.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, expect, it } from 'vitest';
import { registerMediaTools } from '../../src/media/index.js';
import type { McpDeps } from '../../src/mcp/deps.js';
import { McpHub } from '../../src/mcp/hub.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { createServices } from '../../src/services/index.js';
import { silentLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { fakePng, mediaOf } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

it('lists 29 tools with the media tools registered through extraTools, and runs them', async () => {
  t = await startTestApp({}, { engine: scriptedEngine().factory });
  const media = mediaOf(t);
  const deps: McpDeps = {
    config: t.app.config,
    runtime: t.app.runtime,
    store: t.app.store,
    gateway: t.app.gateway,
    logger: silentLogger(),
    settings: media.settings,
    extraTools: (server) => registerMediaTools(server, media.tools),
  };
  const services = createServices(deps);
  const hub = new McpHub(deps);
  const { server } = createMcpServer({ ...deps, services }, hub);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'wiring', version: '1.0.0' });
  await client.connect(b);
  try {
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(29);
    for (const name of ['send_media', 'download_media', 'stage_media']) {
      const tool = tools.find((x) => x.name === name);
      expect(tool, name).toBeDefined();
      expect(tool!.outputSchema, name).toBeDefined();
      expect(tool!.annotations, name).toMatchObject({ destructiveHint: false, openWorldHint: true });
    }
    const r = await client.callTool({ name: 'stage_media', arguments: { media_content: fakePng(500).toString('base64'), mime_type: 'image/png' } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ mimetype: 'image/png', size: 500 });
    const bad = await client.callTool({ name: 'send_media', arguments: { recipient_jid: '447700900123@s.whatsapp.net', media_path: '/etc/passwd' } });
    expect(bad.isError).toBe(true);
  } finally {
    await client.close();
    hub.close();
    services.close();
  }
});
