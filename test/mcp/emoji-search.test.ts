/**
 * Issue #13 "emoji searchable", end to end: messages delivered by the simulator through the real Baileys
 * backend, searched with the official SDK client.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { smallSimulatorSuite } from './helpers.js';

const ctx = smallSimulatorSuite();

type Hit = { id: string; snippet?: string; body?: string; chatId?: string };

async function search(args: Record<string, unknown>): Promise<Hit[]> {
  const result = (await ctx.client.callTool({ name: 'search_messages', arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return (result.structuredContent as { messages?: Hit[]; hits?: Hit[] }).messages ?? (result.structuredContent as { hits: Hit[] }).hits;
}

const texts = (hits: Hit[]) => hits.map((h) => h.snippet ?? h.body ?? '').sort();

beforeAll(async () => {
  const [alice, bob] = ctx.sim.contacts;
  const sent = [
    await ctx.sim.deliverText({ from: alice!.jid, text: 'party🎉tonight at mine' }),
    await ctx.sim.deliverText({ from: bob!.jid, text: 'great news 🎉🎉' }),
    await ctx.sim.deliverText({ from: bob!.jid, text: 'thanks 👍🏽' }),
    await ctx.sim.deliverText({ from: alice!.jid, text: 'party without pictures' }),
  ];
  expect(sent).toHaveLength(4);
  await eventually(() => ctx.t.app.store.counters.get().messages >= 5, 10_000);
  await eventually(() => ctx.t.app.store.messages.search('pictures').hits.length === 1, 10_000);
}, 60_000);

it('search_messages finds an emoji alone, with a word, by its base, and excludes it', async () => {
  expect(texts(await search({ query: '🎉' }))).toEqual(['great news **🎉🎉**', 'party**🎉**tonight at mine']);
  expect(texts(await search({ query: 'party 🎉' }))).toEqual(['**party🎉**tonight at mine']); // adjacent matches merge
  expect(texts(await search({ query: '👍' }))).toEqual(['thanks **👍🏽**']);
  expect(texts(await search({ query: 'party -🎉' }))).toEqual(['**party** without pictures']);
  expect(await search({ query: '🚀' })).toEqual([]);
});

it('list_messages query filters a chat by emoji too', async () => {
  const bob = ctx.sim.contacts[1]!;
  const result = (await ctx.client.callTool({ name: 'list_messages', arguments: { chat_id: bob.jid, query: '🎉' } })) as CallToolResult;
  expect(result.isError).toBeFalsy();
  const rows = (result.structuredContent as { messages: Array<{ body: string }> }).messages;
  expect(rows.map((r) => r.body)).toEqual(['great news 🎉🎉']);
});
