/** Issue #14, inbound mapping: structured fields of locations, cards, polls and notices; reactions and votes. */
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { parseVcard, stubDetails, stubText, toMessageInput, toPollVoteInput, toReactionInput } from '../../src/whatsapp/mapping.js';

const ALICE = '447700900001@s.whatsapp.net';
const BOB = '447700900002@s.whatsapp.net';
const ME = '447700900000@s.whatsapp.net';
const GROUP = '120363000000000001@g.us';
const ST = proto.WebMessageInfo.StubType;
const msg = (message: proto.IMessage, key: Partial<proto.IMessageKey> = {}): WAMessage =>
  ({ key: { remoteJid: ALICE, fromMe: false, id: 'K1', ...key }, messageTimestamp: 1_736_500_000, message }) as WAMessage;

describe('vCards', () => {
  it('reads the name, numbers and waid, unfolding and unescaping', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Baker\\, Ruth\r\nitem1.TEL;waid=447700900123:+44 7700\r\n 900123\r\nTEL;type=HOME:+1 555 0100\r\nEND:VCARD';
    expect(parseVcard(card, 'fallback')).toEqual({ name: 'Baker, Ruth', phones: ['+44 7700900123', '+1 555 0100'], waIds: ['447700900123'] });
    expect(parseVcard('', 'Only a name')).toEqual({ name: 'Only a name', phones: [], waIds: [] });
  });
});

describe('structured messages', () => {
  it('location, live location, contacts array and polls', () => {
    expect(toMessageInput(msg({ locationMessage: { degreesLatitude: 1.5, degreesLongitude: -2.25, name: 'Pier', address: 'Harbour Rd' } }), ME)).toMatchObject({
      type: 'location',
      body: 'Pier, Harbour Rd',
      details: { kind: 'location', latitude: 1.5, longitude: -2.25, name: 'Pier', address: 'Harbour Rd' },
    });
    expect(toMessageInput(msg({ liveLocationMessage: { degreesLatitude: 3, degreesLongitude: 4, sequenceNumber: 7 } }), ME)?.details).toEqual({
      kind: 'location',
      latitude: 3,
      longitude: 4,
      live: true,
      sequence: 7,
    });
    const arr = toMessageInput(msg({ contactsArrayMessage: { contacts: [{ displayName: 'A', vcard: 'FN:Ann' }, { displayName: 'B', vcard: '' }] } }), ME);
    expect(arr).toMatchObject({ type: 'contact', body: 'Ann, B', details: { kind: 'contact', contacts: [{ name: 'Ann' }, { name: 'B' }] } });
    const single = { name: 'Q?', options: [{ optionName: 'x' }, { optionName: 'y' }], selectableOptionsCount: 1 };
    expect(toMessageInput(msg({ pollCreationMessageV3: single }), ME)?.details).toEqual({ kind: 'poll', question: 'Q?', options: ['x', 'y'], multiple: false });
    expect(toMessageInput(msg({ pollCreationMessage: { ...single, selectableOptionsCount: 0 } }), ME)?.details).toMatchObject({ multiple: true });
  });

  it('a reaction belongs to the reacting message\'s chat, whatever remoteJid its target key names', () => {
    const r = toReactionInput(msg({ reactionMessage: { key: { remoteJid: ME, fromMe: false, id: 'T1' }, text: '👍', senderTimestampMs: 1_736_500_000_123 } }), ME);
    expect(r).toEqual({ chatId: ALICE, targetKeyId: 'T1', from: ALICE, fromMe: false, emoji: '👍', timestamp: 1_736_500_000_123 });
    const g = toReactionInput(msg({ reactionMessage: { key: { remoteJid: GROUP, id: 'T2' }, text: '' } }, { remoteJid: GROUP, participant: BOB }), ME);
    expect(g).toMatchObject({ chatId: GROUP, targetKeyId: 'T2', from: BOB, emoji: '' });
    expect(toReactionInput(msg({ conversation: 'hi' }), ME)).toBeNull();
  });

  it('a poll vote names its poll and keeps the encrypted proto', () => {
    const v = toPollVoteInput(msg({ pollUpdateMessage: { pollCreationMessageKey: { id: 'P1' }, vote: { encPayload: new Uint8Array([1]), encIv: new Uint8Array([2]) } } }), ME);
    expect(v).toMatchObject({ chatId: ALICE, pollKeyId: 'P1', from: ALICE, fromMe: false });
    expect(proto.WebMessageInfo.decode(v!.raw).message?.pollUpdateMessage?.pollCreationMessageKey?.id).toBe('P1');
  });
});

describe('group notices', () => {
  const p = (jid: string) => JSON.stringify({ id: jid });
  it('name the action, the actor and the people, with a human text', () => {
    expect(stubDetails(ST.GROUP_PARTICIPANT_ADD, [p(BOB)], ALICE)).toEqual({ kind: 'notice', action: 'participants_added', actor: ALICE, participants: [BOB] });
    expect(stubDetails(ST.GROUP_PARTICIPANT_ADD, [p(BOB)], BOB)).toMatchObject({ action: 'joined_via_link' });
    expect(stubText(ST.GROUP_PARTICIPANT_ADD, [p(BOB)], BOB)).toBe(`${BOB} joined using an invite link`);
    expect(stubDetails(ST.GROUP_PARTICIPANT_PROMOTE, [p(BOB)], ALICE)).toMatchObject({ action: 'promoted', participants: [BOB] });
    expect(stubDetails(ST.GROUP_CHANGE_SUBJECT, ['Hikers'], ALICE)).toEqual({ kind: 'notice', action: 'subject_changed', actor: ALICE, participants: [], value: 'Hikers' });
    expect(stubDetails(ST.CIPHERTEXT, [], ALICE)).toBeUndefined();
    const stored = toMessageInput({ key: { remoteJid: GROUP, id: 'N1', participant: ALICE }, messageTimestamp: 1, messageStubType: ST.GROUP_PARTICIPANT_REMOVE, messageStubParameters: [p(BOB)] } as WAMessage, ME);
    expect(stored).toMatchObject({ type: 'system', body: `${ALICE} removed ${BOB}`, details: { action: 'participants_removed', actor: ALICE, participants: [BOB] } });
  });
});
