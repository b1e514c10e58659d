import { randomBytes } from 'node:crypto';

import { BufferJSON, proto } from '@whiskeysockets/baileys';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { hasStoredCreds, useStoreAuthState } from '../../src/store/index.js';
import { ALICE, msg, tempStore, type TempStore } from './helpers.js';

describe('Baileys auth state in SQLite', () => {
  let t: TempStore;
  beforeEach(() => {
    t = tempStore();
  });
  afterEach(() => t.cleanup());

  it('round-trips creds byte-exactly across a reopen', async () => {
    const a = useStoreAuthState(t.store);
    expect(hasStoredCreds(t.store)).toBe(false);
    a.state.creds.me = { id: '447911123456:3@s.whatsapp.net', name: 'Alice' };
    a.state.creds.registered = true;
    await a.saveCreds();
    const before = JSON.stringify(a.state.creds, BufferJSON.replacer);
    t.reopen();
    const b = useStoreAuthState(t.store);
    expect(hasStoredCreds(t.store)).toBe(true);
    expect(JSON.stringify(b.state.creds, BufferJSON.replacer)).toBe(before);
    expect(Buffer.isBuffer(b.state.creds.noiseKey.private)).toBe(true);
    expect(Buffer.compare(b.state.creds.noiseKey.private, a.state.creds.noiseKey.private)).toBe(0);
    expect(Buffer.compare(b.state.creds.signedIdentityKey.public, a.state.creds.signedIdentityKey.public)).toBe(0);
    expect(b.state.creds.signedPreKey.signature).toEqual(a.state.creds.signedPreKey.signature);
  });

  it('round-trips every kind of signal key and revives app-state sync keys as protos', async () => {
    const a = useStoreAuthState(t.store);
    const session = new Uint8Array(randomBytes(300));
    const senderKey = new Uint8Array(randomBytes(90));
    const preKey = { private: randomBytes(32), public: randomBytes(32) };
    const syncKey = proto.Message.AppStateSyncKeyData.fromObject({
      keyData: randomBytes(32),
      fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] },
      timestamp: 1700000000,
    });
    await a.state.keys.set({
      session: { '447911123456.0': session },
      'sender-key': { 'group@g.us::447911123456::0': senderKey },
      'pre-key': { '1': preKey },
      'app-state-sync-key': { AAAAAQ: syncKey },
      'lid-mapping': { '447911123456': '123456789012345' },
      'device-list': { '447911123456': ['0', '3'] },
    });
    t.reopen();
    const b = useStoreAuthState(t.store);
    const got = await b.state.keys.get('session', ['447911123456.0', 'missing']);
    expect(Object.keys(got)).toEqual(['447911123456.0']);
    expect(Buffer.compare(Buffer.from(got['447911123456.0']!), Buffer.from(session))).toBe(0);
    const sk = await b.state.keys.get('sender-key', ['group@g.us::447911123456::0']);
    expect(Buffer.from(sk['group@g.us::447911123456::0']!).equals(Buffer.from(senderKey))).toBe(true);
    const pk = await b.state.keys.get('pre-key', ['1']);
    expect(Buffer.from(pk['1']!.private).equals(preKey.private) && Buffer.from(pk['1']!.public).equals(preKey.public)).toBe(true);
    const ask = (await b.state.keys.get('app-state-sync-key', ['AAAAAQ']))['AAAAAQ']!;
    expect(ask).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(ask.keyData!).equals(Buffer.from(syncKey.keyData!))).toBe(true);
    expect(ask.fingerprint?.deviceIndexes).toEqual([0, 1]);
    expect(proto.Message.AppStateSyncKeyData.encode(ask).finish()).toEqual(proto.Message.AppStateSyncKeyData.encode(syncKey).finish());
    expect(await b.state.keys.get('lid-mapping', ['447911123456'])).toEqual({ '447911123456': '123456789012345' });
    expect(await b.state.keys.get('device-list', ['447911123456'])).toEqual({ '447911123456': ['0', '3'] });
  });

  it('deletes keys set to null, and a failing batch writes nothing', async () => {
    const a = useStoreAuthState(t.store);
    await a.state.keys.set({ session: { s1: new Uint8Array([1]), s2: new Uint8Array([2]) } });
    await a.state.keys.set({ session: { s1: null } });
    expect(Object.keys(await a.state.keys.get('session', ['s1', 's2']))).toEqual(['s2']);
    // A batch whose second value cannot be serialised fails as a whole.
    const bad = { toJSON: () => { throw new Error('boom'); } } as unknown as Uint8Array;
    await expect(a.state.keys.set({ session: { s3: new Uint8Array([3]), s4: bad } })).rejects.toThrow('boom');
    expect(Object.keys(await a.state.keys.get('session', ['s3', 's4']))).toEqual([]);
  });

  it('clear() wipes only the auth state; history stays', async () => {
    const a = useStoreAuthState(t.store);
    await a.saveCreds();
    await a.state.keys.set({ session: { s1: new Uint8Array([1]) } });
    t.store.messages.upsertMessages([msg(ALICE, 'keep me')]);
    const oldKey = a.state.creds.noiseKey.private;
    a.clear();
    expect(hasStoredCreds(t.store)).toBe(false);
    expect(await a.state.keys.get('session', ['s1'])).toEqual({});
    expect(Buffer.compare(a.state.creds.noiseKey.private, oldKey)).not.toBe(0);
    expect(t.store.messages.search('keep').hits).toHaveLength(1);
    expect(t.store.counters.get().messages).toBe(1);
  });
});
