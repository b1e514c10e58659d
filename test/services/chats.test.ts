/** ChatsService: get_chat_by_contact follows the auto_select_contact setting live. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime/index.js';
import { createServices } from '../../src/services/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { disconnectedGateway } from '../../src/whatsapp/disconnected-gateway.js';
import { idleEngine } from '../../src/runtime/engine.js';

let dir: string | undefined;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

it('get_chat_by_contact auto-selects a clear winner only when auto_select_contact is on', () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-mcp-svc-'));
  store = openStore(join(dir, 'store.sqlite'));
  const DAVE = '447700900004@s.whatsapp.net';
  const JR = '447700900014@s.whatsapp.net';
  store.contacts.upsertContacts([
    { id: DAVE, name: 'Dave Dawson' },
    { id: JR, pushname: 'Dave Dawson Jr' },
  ]);
  store.chats.upsertChats([{ id: DAVE }, { id: JR }]);
  const config = loadConfig({ DATA_DIR: dir }, []);
  const runtime = createRuntime({ lifecycle: config.lifecycle, engine: idleEngine, logger: silentLogger() });
  let auto = false;
  const services = createServices({ config, runtime, store, gateway: disconnectedGateway(), logger: silentLogger(), settings: { autoSelectContact: () => auto } });
  try {
    const off = services.chats.byContact('Dave Dawson');
    expect(off.status).toBe('ambiguous');
    expect(off.matches.map((m) => m.id)).toEqual([DAVE, JR]);
    auto = true; // settings apply live
    const on = services.chats.byContact('Dave Dawson');
    expect(on).toMatchObject({ status: 'found', autoSelected: true, chat: { id: DAVE }, contact: { id: DAVE } });
    // Two equally good matches are never auto-selected.
    expect(services.chats.byContact('Dave').status).toBe('ambiguous');
  } finally {
    services.close();
  }
});
