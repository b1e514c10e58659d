/**
 * get_media where sharp cannot be loaded (its prebuilt native binary is missing on some platforms): an image
 * over the live inline cap comes back as a resource link, never as base64 in the JSON text. The module is
 * replaced by one without an export (what a failed optional binary leaves); everything else is real: the
 * simulator, the Baileys backend, the settings API and the official SDK client.
 */
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, expect, it, vi } from 'vitest';
import { eventually } from '../helpers/app.js';
import { smallSimulatorSuite } from './helpers.js';

vi.mock('sharp', () => ({ default: undefined }));

const suite = smallSimulatorSuite({ contacts: 1, history: { chats: 1, messagesPerChat: 1 } });
let photoId = '';
let photo = Buffer.alloc(0);

beforeAll(async () => {
  const alice = suite.sim.contacts[0]!;
  // A real, decodable JPEG (made with the real module): with sharp available it would be downscaled.
  const realSharp = (await vi.importActual<typeof import('sharp')>('sharp')).default;
  photo = await realSharp(randomBytes(400 * 400 * 3), { raw: { width: 400, height: 400, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  const p = await suite.sim.deliverMedia({ from: alice.jid, kind: 'image', data: photo, mimetype: 'image/jpeg' });
  photoId = `${alice.jid}:${p.id}`;
  await eventually(() => suite.t.app.store.messages.get(photoId), 10_000);
}, 60_000);

it('links an image over the cap when it cannot be downscaled; inlines it under the cap', async () => {
  const res = await suite.t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ inline_image_max_mb: 0.05 }) });
  expect(res.status).toBe(200);
  const over = (await suite.client.callTool({ name: 'get_media', arguments: { message_id: photoId } })) as CallToolResult;
  expect(over.isError).toBeFalsy();
  expect(over.structuredContent).toMatchObject({ delivery: 'link', size: photo.length, capBytes: Math.floor(0.05 * 1024 * 1024) });
  expect(over.content.filter((c) => c.type === 'image')).toHaveLength(0);
  const link = over.content.find((c) => c.type === 'resource_link');
  expect(link && link.type === 'resource_link' ? link.uri : '').toMatch(/^whatsapp:\/\/media\//);
  for (const c of over.content) if (c.type === 'text') expect(c.text).not.toMatch(/[A-Za-z0-9+/]{200,}/);
  const read = await suite.client.readResource({ uri: (over.structuredContent as { uri: string }).uri });
  const blob = read.contents[0] && 'blob' in read.contents[0] ? read.contents[0].blob : '';
  expect(Buffer.from(blob, 'base64').equals(photo)).toBe(true);

  await suite.t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ inline_image_max_mb: 1 }) });
  const under = (await suite.client.callTool({ name: 'get_media', arguments: { message_id: photoId } })) as CallToolResult;
  expect(under.structuredContent).toMatchObject({ delivery: 'inline' });
  const img = under.content.find((c) => c.type === 'image');
  expect(img && img.type === 'image' ? Buffer.from(img.data, 'base64').equals(photo) : false).toBe(true);
});
