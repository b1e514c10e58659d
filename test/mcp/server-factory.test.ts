/**
 * The per-session server factory: every session of the one MCP layer lists the same cached tools/list
 * (all of SPEC §3, media included) and its tools run on the services the composition root built once.
 */
import { afterEach, expect, it } from 'vitest';
import { callOk, connectClient, SEED_TOOLS, startMcpApp, type McpTestApp } from './helpers.js';

let t: McpTestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

it('serves the same tools (the 29 seed tools among them) to every session, and a file staged in one session is sendable by path from another', async () => {
  t = await startMcpApp();
  const a = await connectClient(t.url, 'factory-a');
  const b = await connectClient(t.url, 'factory-b');
  try {
    const listA = await a.listTools();
    const listB = await b.listTools();
    expect(SEED_TOOLS).toHaveLength(29);
    expect(listA.tools.map((x) => x.name)).toEqual(expect.arrayContaining([...SEED_TOOLS]));
    expect(listB).toEqual(listA);
    for (const name of ['send_media', 'download_media', 'stage_media']) {
      const tool = listA.tools.find((x) => x.name === name);
      expect(tool?.outputSchema, name).toBeDefined();
      expect(tool?.annotations, name).toMatchObject({ destructiveHint: false, openWorldHint: true });
    }
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);
    const staged = await callOk<{ saved_path: string; mimetype: string }>(a, 'stage_media', { media_content: png.toString('base64'), mime_type: 'image/png' });
    expect(staged.mimetype).toBe('image/png');
    // The other session sees the same media store; not connected, so the send is refused with a next step.
    const r = await b.callTool({ name: 'send_media', arguments: { recipient_jid: '447700900123@s.whatsapp.net', media_path: staged.saved_path } });
    expect(r).toMatchObject({ isError: true, _meta: { code: 'not_connected', retryable: true } });
    expect(t.app.mcp.stats().sessions).toBe(2);
  } finally {
    await a.close();
    await b.close();
  }
});
