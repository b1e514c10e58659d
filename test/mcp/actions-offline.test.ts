/**
 * #14 actions while WhatsApp is not open: every write fails fast with the retryable "not connected"
 * error (nothing claimed, nothing sent), while the read-only poll results still answer from the store.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { ALICE, GROUP_HIKE, connectClient, recordingGateway, seed, startMcpApp, type McpTestApp, type RecordingGateway } from './helpers.js';

let t: McpTestApp;
let gw: RecordingGateway;
let client: Client;

beforeAll(async () => {
  gw = recordingGateway();
  t = await startMcpApp({ engine: scriptedEngine().factory, gateway: gw });
  seed(t.app.store);
  client = await connectClient(t.url);
});
afterAll(async () => {
  await client?.close();
  await t?.stop();
});

const WRITES: Array<[string, Record<string, unknown>]> = [
  ['react_to_message', { message_id: 'A000', emoji: '👍' }],
  ['edit_message', { message_id: `${ALICE}:A001`, text: 'x' }],
  ['delete_message', { message_id: `${ALICE}:A001` }],
  ['forward_message', { message_id: 'A000', recipient_jid: ALICE }],
  ['send_location', { recipient_jid: ALICE, latitude: 1, longitude: 2 }],
  ['send_contact', { recipient_jid: ALICE, name: 'Joe', phone: '+44 7911 123456' }],
  ['send_poll', { recipient_jid: ALICE, question: 'Q', options: ['a', 'b'] }],
  ['set_presence', { state: 'available' }],
  ['check_whatsapp_numbers', { phones: ['+44 7911 123456'] }],
  ['create_group', { subject: 'G', participants: [ALICE] }],
  ['update_group_participants', { group_jid: GROUP_HIKE, action: 'add', participants: [ALICE] }],
  ['update_group_settings', { group_jid: GROUP_HIKE, subject: 'S' }],
  ['get_group_invite_link', { group_jid: GROUP_HIKE }],
  ['join_group', { invite_link: 'https://chat.whatsapp.com/AbCdEfGhIjKl' }],
  ['leave_group', { group_jid: GROUP_HIKE }],
  ['archive_chat', { chat_id: ALICE, on: true }],
  ['pin_chat', { chat_id: ALICE, on: true }],
  ['mute_chat', { chat_id: ALICE, on: true }],
  ['block_contact', { jid: ALICE, on: true }],
];

it('every action refuses with a retryable not_connected error while the connection is not open, keeping no idempotency key', async () => {
  expect(t.app.runtime.getStatus().state).not.toBe('open');
  for (const [name, args] of WRITES) {
    const r = (await client.callTool({ name, arguments: { ...args, ...(name === 'check_whatsapp_numbers' ? {} : { idempotency_key: `offline-${name}` }) } })) as CallToolResult;
    expect(r.isError, name).toBe(true);
    expect(r._meta, name).toMatchObject({ code: 'not_connected', retryable: true });
  }
  expect(gw.sent).toHaveLength(0);
  // A refused call released its key: the same key is usable once connected (not a conflict, not "unknown outcome").
  expect(t.app.store.idempotency.claim('offline-send_poll', 'send_poll', 'other-fingerprint', { ttlMs: 60_000 }).status).toBe('claimed');
});
