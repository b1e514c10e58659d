/**
 * Simulator control API (WA_SIMULATOR=1 only; 404 otherwise): what a person would do on the phone —
 * scan the QR or type a pairing code, receive a text, a group message or media from a contact — and the faults the recovery logic
 * must survive (every kind the simulator has, with its parameters: any stream-error or failure code,
 * refuse/silence/slow on and off, a corrupt app-state collection, sends refused with 463/429).
 */
import { Router, type RequestHandler } from 'express';
import sharp from 'sharp';
import { z } from 'zod';
import type { MediaKind, Simulator } from '../../simulator/index.js';
import { wrongState } from '../../errors.js';
import { badRequest, methodNotAllowed, notFound } from '../errors.js';

const From = z.string().min(1).max(200).optional();
const DeliverBody = z.object({ from: From, text: z.string().min(1).max(65_536) }).strict();
const GroupBody = z.object({ group: z.string().min(1).max(200).optional(), from: From, text: z.string().min(1).max(65_536) }).strict();
/** Media from a contact: the operator's own file (base64, within the 1 MB JSON limit) or a generated sample. */
const MediaBody = z
  .object({
    from: From,
    kind: z.enum(['image', 'video', 'audio', 'document', 'sticker']),
    dataBase64: z.string().min(1).max(1_000_000).optional(),
    mimetype: z.string().min(3).max(100).regex(/^[\w.+-]+\/[\w.+-]+$/).optional(),
    caption: z.string().max(4096).optional(),
    fileName: z.string().min(1).max(200).optional(),
  })
  .strict();
// Inbound actions (#14): what a contact does on its phone, in its direct chat or (`group`) a group.
const Scope = { from: From, group: z.string().min(1).max(200).optional() };
const KeyId = z.string().min(1).max(200);
const ReactionBody = z.object({ ...Scope, targetId: KeyId, emoji: z.string().max(32), targetAuthor: z.string().min(3).max(200).optional() }).strict();
const EditBody = z.object({ ...Scope, targetId: KeyId, text: z.string().min(1).max(65_536) }).strict();
const RevokeBody = z.object({ ...Scope, targetId: KeyId }).strict();
const PollBody = z.object({ ...Scope, question: z.string().min(1).max(255), options: z.array(z.string().min(1).max(100)).min(2).max(12), multiple: z.boolean().optional() }).strict();
const VoteBody = z.object({ from: From, pollId: KeyId, selected: z.array(z.string().max(100)).max(12) }).strict();
const LocationBody = z
  .object({
    ...Scope,
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(200).optional(),
    address: z.string().max(500).optional(),
    live: z.boolean().optional(),
    updateOf: KeyId.optional(),
    sequence: z.number().int().min(0).optional(),
    caption: z.string().max(500).optional(),
    accuracyMeters: z.number().min(0).optional(),
  })
  .strict();
const CardBody = z.object({ ...Scope, cards: z.array(z.object({ name: z.string().min(1).max(200), phone: z.string().min(5).max(30) }).strict()).min(1).max(10) }).strict();
const NoticeBody = z
  .object({
    group: z.string().min(1).max(200).optional(),
    action: z.enum(['add', 'remove', 'promote', 'demote', 'subject', 'join-link']),
    participants: z.array(z.string().min(3).max(200)).max(50).optional(),
    subject: z.string().min(1).max(100).optional(),
    by: z.string().min(3).max(200).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.action === 'subject' && !b.subject) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'required for action "subject"' });
    if (['add', 'remove', 'promote', 'demote'].includes(b.action) && !b.participants?.length) ctx.addIssue({ code: 'custom', path: ['participants'], message: `required for action "${b.action}"` });
  });
const PresenceBody = z.object({ from: From, group: z.string().min(1).max(200).optional(), state: z.enum(['available', 'unavailable', 'composing', 'recording', 'paused']), lastSeen: z.number().int().min(0).optional() }).strict();

/**
 * Link by phone number (#14): the 8 characters the admin page shows, as a person types them on the phone
 * (any case, grouped with a dash or spaces). Baileys' alphabet has no 0, I, O or U.
 */
const PairingCodeBody = z
  .object({
    code: z
      .string()
      .max(20)
      .transform((c) => c.replace(/[\s-]/g, '').toUpperCase())
      .pipe(z.string().regex(/^[1-9A-HJ-NP-TV-Z]{8}$/, 'the 8-character pairing code the admin page shows, e.g. ABCD-EFGH')),
  })
  .strict();

const FaultBody = z.object({
  kind: z.enum(['close', 'stream-error', 'conflict', 'logout', 'silence', 'corrupt-app-state', 'xmlstreamend', 'failure', 'refuse', 'slow', 'refuse-sends']),
  code: z.number().int().min(100).max(999).optional(),
  /** refuse-sends: how many of the next sends WhatsApp refuses (with `code`, default 463). */
  count: z.number().int().min(1).max(1000).optional(),
  enabled: z.boolean().optional(),
  delayMs: z.number().int().min(0).max(120_000).optional(),
  /** corrupt-app-state: which collection, and whether the phone repairs it (a soft resync then succeeds). */
  collection: z.enum(['critical_block', 'critical_unblock_low', 'regular_high', 'regular_low', 'regular']).optional(),
  repairable: z.boolean().optional(),
}).strict();

/** A small sample of each kind, so a delivery needs no file at hand (video has none: it needs a real file). */
async function sample(kind: MediaKind, caption: string | undefined): Promise<{ data: Buffer; mimetype: string; fileName?: string }> {
  switch (kind) {
    case 'image':
      return { data: await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 11, g: 122, b: 111 } } }).png().toBuffer(), mimetype: 'image/png' };
    case 'sticker':
      return { data: await sharp({ create: { width: 512, height: 512, channels: 4, background: { r: 255, g: 196, b: 0, alpha: 1 } } }).webp().toBuffer(), mimetype: 'image/webp' };
    case 'audio':
      return { data: tone(), mimetype: 'audio/wav' };
    case 'document':
      return { data: Buffer.from(`${caption ?? 'A document from the simulator.'}\n`), mimetype: 'text/plain', fileName: 'simulator.txt' };
    case 'video':
      throw badRequest('a video needs a file: send dataBase64 and mimetype');
  }
}

/** One second of a 440 Hz tone as 8 kHz 8-bit mono WAV. */
function tone(): Buffer {
  const rate = 8000;
  const pcm = Buffer.alloc(rate);
  for (let i = 0; i < rate; i++) pcm[i] = 128 + Math.round(60 * Math.sin((2 * Math.PI * 440 * i) / rate));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.write('data', 36);
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw badRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, r.error.issues);
  }
  return r.data;
}

export function simulatorRoutes(getSim: () => Simulator | null): Router {
  const r = Router();
  const need = (): Simulator => {
    const sim = getSim();
    if (!sim) throw notFound('the simulator is not running (start with WA_SIMULATOR=1)');
    return sim;
  };
  const guard: RequestHandler = (_req, _res, next) => {
    need();
    next();
  };
  r.use('/simulator', guard);

  r.get('/simulator/contacts', (_req, res) => {
    const sim = need();
    res.json({
      phone: sim.phone,
      contacts: sim.contacts.map((c) => ({ jid: c.jid, lid: c.lidJid, name: c.name, number: c.number })),
      groups: sim.groups.map((g) => ({ jid: g.jid, subject: g.subject, size: g.participants.length })),
    });
  });
  r.post('/simulator/scan-qr', async (_req, res) => {
    const sim = need();
    try {
      const result = await sim.scanQr();
      res.status(202).json({ scanned: true, result });
    } catch (err) {
      throw wrongState(`cannot scan: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  // The phone's user types the pairing code under "Link with phone number"; a wrong code links nothing.
  r.post('/simulator/enter-pairing-code', async (req, res) => {
    const sim = need();
    const { code } = parse(PairingCodeBody, req.body);
    try {
      const result = await sim.enterPairingCode(code);
      res.status(202).json({ linked: true, result });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      // A typo is the caller's to fix (400); no companion waiting is the app's state (409).
      if (/wrong pairing code/.test(why)) throw badRequest(`the phone could not link: ${why}`);
      throw wrongState(`cannot link: ${why}`);
    }
  });
  r.post('/simulator/deliver', async (req, res) => {
    const sim = need();
    const body = parse(DeliverBody, req.body);
    try {
      res.status(202).json(await sim.deliverText(body));
    } catch (err) {
      throw wrongState(`cannot deliver: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  r.post('/simulator/deliver-group', async (req, res) => {
    const sim = need();
    const body = parse(GroupBody, req.body);
    try {
      res.status(202).json(await sim.deliverGroupText(body));
    } catch (err) {
      throw wrongState(`cannot deliver: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  r.post('/simulator/deliver-media', async (req, res) => {
    const sim = need();
    const body = parse(MediaBody, req.body);
    let media: { data: Buffer; mimetype: string; fileName?: string };
    if (body.dataBase64 !== undefined) {
      if (!body.mimetype) throw badRequest('mimetype: required with dataBase64');
      const data = Buffer.from(body.dataBase64, 'base64');
      if (data.length === 0) throw badRequest('dataBase64: not base64');
      media = { data, mimetype: body.mimetype };
    } else media = await sample(body.kind, body.caption);
    try {
      const fileName = body.fileName ?? media.fileName;
      res.status(202).json(
        await sim.deliverMedia({ from: body.from, kind: body.kind, data: media.data, mimetype: media.mimetype, caption: body.caption, ...(fileName ? { fileName } : {}) }),
      );
    } catch (err) {
      throw wrongState(`cannot deliver: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  // Inbound actions (#14): each resolves with the message id once the stanza is queued for every linked device.
  const act = <T,>(path: string, schema: z.ZodType<T>, run: (sim: Simulator, body: T) => Promise<unknown>) => {
    r.post(path, async (req, res) => {
      const sim = need();
      const body = parse(schema, req.body);
      try {
        res.status(202).json(await run(sim, body));
      } catch (err) {
        throw wrongState(`cannot deliver: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    r.all(path, methodNotAllowed(['POST']));
  };
  act('/simulator/react', ReactionBody, (sim, b) => sim.deliverReaction(b));
  act('/simulator/edit', EditBody, (sim, b) => sim.deliverEdit(b));
  act('/simulator/revoke', RevokeBody, (sim, b) => sim.deliverRevoke(b));
  act('/simulator/poll', PollBody, (sim, b) => sim.deliverPoll(b));
  act('/simulator/vote', VoteBody, (sim, b) => sim.deliverPollVote(b));
  act('/simulator/location', LocationBody, (sim, b) => sim.deliverLocation(b));
  act('/simulator/contact-card', CardBody, (sim, b) => sim.deliverContactCard(b));
  act('/simulator/group-notice', NoticeBody, async (sim, b) => {
    if (b.action === 'subject') sim.groupSubject({ group: b.group, subject: b.subject ?? '', by: b.by });
    else if (b.action === 'join-link') sim.groupJoinViaLink({ group: b.group, who: b.by ?? b.participants?.[0] });
    else sim.groupParticipants({ group: b.group, action: b.action, participants: b.participants ?? [], by: b.by });
    return { notified: true };
  });
  act('/simulator/presence', PresenceBody, async (sim, b) =>
    b.state === 'available' || b.state === 'unavailable'
      ? sim.contactPresence({ from: b.from, state: b.state, lastSeen: b.lastSeen })
      : sim.contactChatState({ from: b.from, group: b.group, state: b.state }),
  );

  r.post('/simulator/fault', (req, res) => {
    const sim = need();
    const body = parse(FaultBody, req.body);
    res.status(202).json({ injected: body.kind, ...sim.injectFault(body) });
  });
  r.get('/simulator/sent', (_req, res) => {
    res.json({ sent: need().sent.map((s) => ({ to: s.to, id: s.id, text: s.text, type: s.type, at: s.at })) });
  });
  for (const p of ['/simulator/contacts', '/simulator/sent']) r.all(p, methodNotAllowed(['GET']));
  for (const p of ['/simulator/scan-qr', '/simulator/enter-pairing-code', '/simulator/deliver', '/simulator/deliver-group', '/simulator/deliver-media', '/simulator/fault']) r.all(p, methodNotAllowed(['POST']));
  return r;
}
