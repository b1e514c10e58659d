/** What a reader sees: ISO times with offset, readable text for every type, notices with names. */
import { proto } from '@whiskeysockets/baileys';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Presenter, exactIsoTime, isoTime, readableText } from '../../src/services/present.js';
import { stubText, toChatInput, toChatUpdateInput, toMessageInput } from '../../src/whatsapp/mapping.js';
import { tempStore, type TempStore } from '../store/helpers.js';

const ST = proto.WebMessageInfo.StubType;
const GROUP = '120363000000000009@g.us';
const ALICE = '447700900001@s.whatsapp.net';
const BOB = '447700900002@s.whatsapp.net';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
  t.store.contacts.upsertContacts([
    { id: ALICE, name: 'Alice' },
    { id: BOB, pushname: 'Bob' },
  ]);
});
afterEach(() => t.cleanup());

it('isoTime (day-offset cache) writes exactly what Intl writes, across DST changes and odd zones', () => {
  // Every 29 minutes 13 seconds through 2025 (both DST changes of each zone), plus the changes' own minutes.
  const zones = [undefined, 'UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham'];
  const from = Date.UTC(2025, 0, 1);
  const times: number[] = [];
  for (let t = from; t < from + 365 * 86_400_000; t += 1_753_000) times.push(t);
  for (const edge of [Date.UTC(2025, 2, 30, 1), Date.UTC(2025, 9, 26, 1), Date.UTC(2025, 2, 9, 7), Date.UTC(2025, 10, 2, 6)]) for (let d = -120; d <= 120; d++) times.push(edge + d * 1000);
  const mismatches: string[] = [];
  for (const tz of zones) for (const t of times) if (isoTime(t, tz) !== exactIsoTime(t, tz)) mismatches.push(`${tz ?? 'server'} ${t}: ${isoTime(t, tz)} ≠ ${exactIsoTime(t, tz)}`);
  expect(mismatches.slice(0, 5)).toEqual([]);
  expect(times.length * zones.length).toBeGreaterThan(150_000);
});

it('isoTime writes the zone offset (Z for UTC) and parses back to the same instant', () => {
  const ms = Date.UTC(2025, 0, 10, 9, 0, 5);
  expect(isoTime(ms, 'UTC')).toBe('2025-01-10T09:00:05Z');
  expect(isoTime(ms, 'Asia/Kolkata')).toBe('2025-01-10T14:30:05+05:30');
  expect(isoTime(ms, 'America/New_York')).toBe('2025-01-10T04:00:05-05:00');
  expect(Date.parse(isoTime(ms, 'Asia/Kolkata'))).toBe(ms);
});

it('every type reads as text', () => {
  expect(readableText({ type: 'image', body: 'the view' })).toBe('📷 photo (caption: the view)');
  expect(readableText({ type: 'image', body: '' })).toBe('📷 photo');
  expect(readableText({ type: 'document', body: '', mediaMime: 'application/pdf' })).toBe('📄 document (application/pdf)');
  expect(readableText({ type: 'location', body: 'Big Ben' })).toBe('📍 location Big Ben');
  expect(readableText({ type: 'poll', body: 'Lunch?' })).toBe('📊 poll: Lunch?');
  expect(readableText({ type: 'reaction', body: '👍' })).toBe('reacted 👍');
  expect(readableText({ type: 'system', body: '' })).toBe('ℹ️ system notice');
  expect(readableText({ type: 'protocol', body: '' })).not.toBe('');
});

it('group notices are stored in words and read with names', () => {
  expect(stubText(ST.CALL_MISSED_VOICE, [], null)).toBe('missed voice call');
  expect(stubText(ST.CIPHERTEXT, [], ALICE)).toBe(''); // a placeholder: the real message fills it later
  const input = toMessageInput(
    { key: { remoteJid: GROUP, id: 'STUB1', participant: ALICE, fromMe: false }, messageTimestamp: 1_736_500_000, messageStubType: ST.GROUP_PARTICIPANT_ADD, messageStubParameters: [BOB] },
    null,
  )!;
  expect(input).toMatchObject({ type: 'system', body: `${ALICE} added ${BOB}` });
  t.store.messages.upsertMessages([input]);
  const m = t.store.messages.get(`${GROUP}:STUB1`)!;
  const p = new Presenter(t.store, 'UTC');
  expect(p.message(m, p.names())).toMatchObject({ type: 'system', body: 'Alice added Bob', fromName: 'Alice' });
});

it('a message view reads left to right: where, when, who, what, then the details', () => {
  const input = toMessageInput({ key: { remoteJid: GROUP, id: 'IMG1', participant: BOB, fromMe: false }, messageTimestamp: 1_736_500_000, message: { imageMessage: { caption: 'the view' } } }, null)!;
  t.store.messages.upsertMessages([input]);
  const p = new Presenter(t.store, 'UTC');
  const m = t.store.messages.get(`${GROUP}:IMG1`)!;
  expect(Object.keys(p.message(m, p.names()))).toEqual(['id', 'chatId', 'chatName', 'time', 'timestamp', 'from', 'fromName', 'fromMe', 'type', 'body']);
  expect(Object.keys(p.message(m, p.names(), { inChat: GROUP })).slice(0, 7)).toEqual(['id', 'time', 'timestamp', 'from', 'fromName', 'fromMe', 'type']);
});

it('chat events: history counts are absolute (none given = 0); live unreadCount is an increment or a read mark', () => {
  expect(toChatInput({ id: ALICE, conversationTimestamp: 1_736_500_000 })).toMatchObject({ unreadCount: 0 });
  expect(toChatInput({ id: ALICE, unreadCount: 3 })).toMatchObject({ unreadCount: 3 });
  expect(toChatUpdateInput({ id: ALICE, unreadCount: 1 })).toMatchObject({ unreadCount: null });
  expect(toChatUpdateInput({ id: ALICE, unreadCount: 1 })?.markedRead).toBeUndefined();
  expect(toChatUpdateInput({ id: ALICE, unreadCount: 0 })).toMatchObject({ unreadCount: null, markedRead: true });
  expect(toChatUpdateInput({ id: ALICE, unreadCount: -1 })).toMatchObject({ unreadCount: null, markedUnread: true });
});
