import type { BinaryNode, WAPatchName } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import type { Fault } from './types.js';
import { unixSeconds } from './util/nodes.js';

/** Server-wide switches consulted for new connections. */
export interface FaultSwitches {
  refuse: boolean;
  delayMs: number;
}

function endAll(conns: ClientConnection[], last?: BinaryNode): void {
  for (const conn of conns) conn.end(last);
}

/**
 * Applies a fault to the live connections; each maps to the Baileys close code noted
 * (see WHATSAPP-WIRE.md "Forcing faults").
 */
export function applyFault(sim: SimulatorCore, switches: FaultSwitches, fault: Fault): { collection?: WAPatchName; version?: number } {
  const live = sim.allConnections().filter(c => c.isOpen);
  const enabled = fault.enabled !== false;
  switch (fault.kind) {
    case 'close': // ws closed without a word → 428 connectionClosed
      for (const conn of live) conn.terminate();
      return {};
    case 'xmlstreamend': // server ends the stream → 428
      endAll(live, { tag: 'xmlstreamend', attrs: {} });
      return {};
    case 'stream-error': // 515 restartRequired, 503 unavailableService, 401 loggedOut …
      endAll(live, { tag: 'stream:error', attrs: { code: String(fault.code ?? 515) } });
      return {};
    case 'conflict': // another client took over → 440 connectionReplaced
      endAll(live, { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] });
      return {};
    case 'failure': // `<failure reason>` → that code (401 loggedOut by default)
      endAll(live, { tag: 'failure', attrs: { reason: String(fault.code ?? 401), location: 'simulator' } });
      return {};
    case 'logout': {
      // The user unlinked the companion on the phone: the device is forgotten (next login → failure 401).
      for (const conn of live) {
        if (conn.device) sim.state.devices.delete(conn.device.device);
      }
      endAll(live, { tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] });
      return {};
    }
    case 'silence': // nothing more is sent, pings included → Baileys 408 connectionLost
      for (const conn of live) conn.silenced = enabled;
      return {};
    case 'slow':
      switches.delayMs = enabled ? (fault.delayMs ?? 1000) : 0;
      for (const conn of live) conn.delayMs = switches.delayMs;
      return {};
    case 'refuse-sends': // WhatsApp refuses sends: <ack error="463"> (reachout timelock) or 429 (rate overlimit)
      sim.refuseSends = enabled ? { code: fault.code ?? 463, remaining: Math.max(1, fault.count ?? 1) } : null;
      return {};
    case 'refuse': // new TCP connections are reset at the upgrade → Baileys 408
      switches.refuse = enabled;
      return {};
    case 'corrupt-app-state': {
      const collection: WAPatchName = fault.collection ?? 'regular';
      const { version } = sim.appState.pushCorrupt(collection, fault.repairable === true);
      notifyServerSync(sim, collection);
      return { collection, version };
    }
  }
}

/** Tells linked devices (queued for offline ones) a collection changed; Baileys then pulls `w:sync:app:state`. */
export function notifyServerSync(sim: SimulatorCore, collection: WAPatchName): void {
  for (const device of sim.state.devices.values()) {
    const id = sim.nextMessageId();
    const t = unixSeconds();
    void sim.outbox.post(device, {
      key: `notification|${id}`,
      id,
      stanza: 'notification',
      t,
      payload: {
        kind: 'node',
        node: {
          tag: 'notification',
          attrs: { from: 's.whatsapp.net', type: 'server_sync', id, t },
          content: [{ tag: 'collection', attrs: { name: collection, version: String(sim.appState.latestVersion(collection)) } }],
        },
      },
    });
  }
}
