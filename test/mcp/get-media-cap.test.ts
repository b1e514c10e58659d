/**
 * Issue #13: get_media's inline cap is the live setting `inline_image_max_mb` (changed through the admin
 * API while a client is connected); `max_bytes` only lowers it for one call. Real Baileys backend,
 * simulator, official SDK client.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { smallSimulatorSuite } from './helpers.js';

const ctx = smallSimulatorSuite();

type MediaData = { delivery: 'inline' | 'downscaled' | 'link'; capBytes: number; size: number; mimetype: string; uri: string; width?: number };

async function getMedia(args: Record<string, unknown>): Promise<{ data: MediaData; result: CallToolResult }> {
  const result = (await ctx.client.callTool({ name: 'get_media', arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return { data: result.structuredContent as MediaData, result };
}

async function setSetting(patch: Record<string, unknown>): Promise<void> {
  const res = await ctx.t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(patch) });
  expect(res.status).toBe(200);
}

/** Bytes of the first image block (0 if none). */
function imageBytes(result: CallToolResult): number {
  const img = result.content.find((c) => c.type === 'image');
  return img && img.type === 'image' ? Buffer.from(img.data, 'base64').length : 0;
}

/** The JSON text block never carries file bytes as base64. */
function expectNoBase64InText(result: CallToolResult): void {
  for (const c of result.content) if (c.type === 'text') expect(c.text).not.toMatch(/[A-Za-z0-9+/]{200,}/);
}

let photoId = '';
let photo = Buffer.alloc(0);
let docId = '';

beforeAll(async () => {
  const alice = ctx.sim.contacts[0]!;
  // Noise does not compress: a 600×600 JPEG of it is a few hundred KB, under the 1 MB default.
  photo = await sharp(randomBytes(600 * 600 * 3), { raw: { width: 600, height: 600, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  const p = await ctx.sim.deliverMedia({ from: alice.jid, kind: 'image', data: photo, mimetype: 'image/jpeg' });
  const d = await ctx.sim.deliverMedia({ from: alice.jid, kind: 'document', data: randomBytes(200 * 1024), mimetype: 'application/pdf', fileName: 'report.pdf' });
  photoId = `${alice.jid}:${p.id}`;
  docId = `${alice.jid}:${d.id}`;
  await eventually(() => ctx.t.app.store.messages.get(photoId) && ctx.t.app.store.messages.get(docId), 10_000);
}, 60_000);

describe('get_media inline cap', () => {
  it('follows inline_image_max_mb live; max_bytes only lowers it', async () => {
    expect(photo.length).toBeGreaterThan(100 * 1024);
    expect(photo.length).toBeLessThan(1024 * 1024);

    // Default setting (1 MB): the photo is inlined as it is.
    const first = await getMedia({ message_id: photoId });
    expect(first.data).toMatchObject({ delivery: 'inline', capBytes: 1024 * 1024, size: photo.length, mimetype: 'image/jpeg' });
    expect(imageBytes(first.result)).toBe(photo.length);
    expectNoBase64InText(first.result);

    // The operator lowers the cap to 0.05 MB while the session stays open: the next call downscales.
    await setSetting({ inline_image_max_mb: 0.05 });
    const cap = Math.floor(0.05 * 1024 * 1024);
    const small = await getMedia({ message_id: photoId });
    expect(small.data).toMatchObject({ delivery: 'downscaled', capBytes: cap, mimetype: 'image/jpeg', size: photo.length });
    expect(small.data.width).toBeLessThan(600);
    expect(imageBytes(small.result)).toBeGreaterThan(0);
    expect(imageBytes(small.result)).toBeLessThanOrEqual(cap);
    expect(small.result.content.some((c) => c.type === 'resource_link' && c.uri === small.data.uri)).toBe(true);
    expectNoBase64InText(small.result);

    // A larger max_bytes cannot raise the operator's cap …
    const raised = await getMedia({ message_id: photoId, max_bytes: 4 * 1024 * 1024 });
    expect(raised.data).toMatchObject({ delivery: 'downscaled', capBytes: cap });
    expect(imageBytes(raised.result)).toBeLessThanOrEqual(cap);
    // … a smaller one lowers it for that call.
    const lowered = await getMedia({ message_id: photoId, max_bytes: 20 * 1024 });
    expect(lowered.data).toMatchObject({ delivery: 'downscaled', capBytes: 20 * 1024 });
    expect(imageBytes(lowered.result)).toBeLessThanOrEqual(20 * 1024);

    // Raised again: inline again, no restart, same session.
    await setSetting({ inline_image_max_mb: 2 });
    const back = await getMedia({ message_id: photoId });
    expect(back.data).toMatchObject({ delivery: 'inline', capBytes: 2 * 1024 * 1024 });
    expect(imageBytes(back.result)).toBe(photo.length);
  });

  it('a non-image over the cap is a resource link whose bytes resources/read returns', async () => {
    await setSetting({ inline_image_max_mb: 0.1 });
    const { data, result } = await getMedia({ message_id: docId });
    expect(data).toMatchObject({ delivery: 'link', capBytes: Math.floor(0.1 * 1024 * 1024), size: 200 * 1024 });
    expect(result.content.filter((c) => c.type === 'resource' || c.type === 'image')).toHaveLength(0);
    expect(result.content.some((c) => c.type === 'resource_link' && c.uri === data.uri)).toBe(true);
    expectNoBase64InText(result);
    const read = await ctx.client.readResource({ uri: data.uri });
    const blob = read.contents[0] && 'blob' in read.contents[0] ? read.contents[0].blob : '';
    expect(Buffer.from(blob, 'base64').length).toBe(200 * 1024);
  });
});
