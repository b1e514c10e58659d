/**
 * #14 inbound, history sync: reactions that WhatsApp's history carries on a message (`WebMessageInfo.reactions`)
 * and standalone reaction messages in the history attach to their targets; a poll's votes, which history carries
 * decrypted on the poll, count in its tally; locations keep their structured fields. Through the real socket (streamed history) and the real MCP client.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HistoryItem, Simulator } from '../../src/simulator/index.js';
import { eventually, type TestApp } from '../helpers/app.js';
import { pair, silenceConsole, startSim, startSimApp } from '../helpers/sim-app.js';
import { callOk, connectClient } from './helpers.js';

let sim: Simulator;
let t: TestApp;
let client: Client;
const T = Math.floor(Date.UTC(2025, 0, 10, 9, 0, 0) / 1000);

beforeAll(async () => {
  silenceConsole();
  sim = await startSim({
    contacts: 2,
    groups: 0,
    history: {
      source: function* (): Generator<HistoryItem> {
        const alice = sim.contacts[0]!.jid;
        yield { type: 'chat', chat: { id: alice, name: 'Alice' } };
        yield {
          type: 'message',
          message: {
            chatId: alice,
            id: 'H1',
            fromMe: true,
            timestamp: T,
            text: 'dinner on friday?',
            reactions: [{ key: { remoteJid: alice, fromMe: false, id: 'HR1' }, text: '😋', senderTimestampMs: (T + 60) * 1000 }],
          },
        };
        yield {
          type: 'message',
          // Our own reaction, as a message of its own (sent from the phone).
          message: { chatId: alice, id: 'HR2', fromMe: true, timestamp: T + 120, message: { reactionMessage: { key: { remoteJid: alice, fromMe: true, id: 'H1' }, text: '👍', senderTimestampMs: (T + 120) * 1000 } } },
        };
        // A poll of ours with Alice's vote, as history hands it over (decrypted, on the poll).
        yield {
          type: 'message',
          message: {
            chatId: alice,
            id: 'HP',
            fromMe: true,
            timestamp: T + 150,
            message: { pollCreationMessageV3: { name: 'Wine?', options: [{ optionName: 'Red' }, { optionName: 'White' }], selectableOptionsCount: 1 }, messageContextInfo: { messageSecret: new Uint8Array(32).fill(7) } },
            pollUpdates: [{ pollUpdateMessageKey: { remoteJid: alice, fromMe: false, id: 'HV1' }, vote: { selectedOptions: [createHash('sha256').update('White').digest()] }, senderTimestampMs: (T + 160) * 1000 }],
          },
        };
        yield {
          type: 'message',
          message: { chatId: alice, id: 'H2', fromMe: false, timestamp: T + 200, message: { locationMessage: { degreesLatitude: 52.52, degreesLongitude: 13.405, name: 'Berlin' } } },
        };
      },
    },
  });
  t = await startSimApp(sim);
  await pair(t, sim);
  client = await connectClient(t.url);
}, 40_000);
afterAll(async () => {
  await client?.close();
  await t?.stop();
  await sim?.stop();
});

it('history reactions (on the message and standalone) attach to their target; structured fields are kept', async () => {
  const alice = sim.contacts[0]!;
  await eventually(() => t.app.store.messages.get(`${alice.jid}:H2`), 20_000, 50);
  const page = await callOk<{ messages: Array<{ id: string; type?: string; reactions?: Array<{ emoji: string; from: string }>; location?: { latitude: number }; poll?: unknown }> }>(
    client,
    'list_messages',
    { chat_id: alice.jid },
  );
  const byId = new Map(page.messages.map((m) => [m.id, m]));
  expect(byId.get('H1')?.reactions?.map((r) => [r.from, r.emoji])).toEqual([
    [alice.jid, '😋'],
    ['me', '👍'],
  ]);
  expect(byId.has('HR2')).toBe(false);
  expect(page.messages.some((m) => m.type === 'reaction')).toBe(false);
  expect(byId.get('H2')?.location?.latitude).toBe(52.52);
  expect(byId.get('HP')?.poll).toEqual({ question: 'Wine?', multiple: false, options: [{ name: 'Red', votes: 0 }, { name: 'White', votes: 1 }], voters: 1 });
  const r = await callOk<{ options: Array<{ voters: Array<{ jid: string }> }> }>(client, 'get_poll_results', { message_id: `${alice.jid}:HP` });
  expect(r.options[1]?.voters.map((v) => v.jid)).toEqual([alice.jid]);
});
