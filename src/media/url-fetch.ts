/**
 * `media_url` fetches (SPEC §9): http(s) only; loopback, private, link-local, CGNAT, multicast and
 * other special-purpose addresses are refused unless MEDIA_URL_ALLOW_PRIVATE=1. The check runs on the
 * addresses the connection actually uses (a custom DNS `lookup` on the socket, so a name cannot resolve
 * to a public address for the check and a private one for the connection), on IP literals, and again
 * on every redirect hop. One overall timeout; the body streams to a temp file in the media dir with a
 * byte cap (Content-Length is checked up front too).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors.js';
import { tooLarge, type MediaStore, type TempFile } from './media-store.js';

/** The remote end failed us (not the caller's input): retryable. */
export const fetchFailed = (message: string, nextStep: string) => new AppError('fetch_failed', message, nextStep, { retryable: true });

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): where the IPv4 sits depends on the operator's prefix
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** The 16 bytes of an IPv6 address (with `::` and a trailing dotted IPv4 expanded), or null. */
function ipv6Bytes(addr: string): Uint8Array | null {
  let a = addr.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const o = dotted.slice(1, 5).map(Number);
    if (o.some((n) => n > 255)) return null;
    a = `${a.slice(0, dotted.index)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 255;
  }
  return out;
}

const v4At = (b: Uint8Array, i: number, xor = 0) => [b[i]! ^ xor, b[i + 1]! ^ xor, b[i + 2]! ^ xor, b[i + 3]! ^ xor].join('.');
const zero = (b: Uint8Array, from: number, to: number) => b.slice(from, to).every((x) => x === 0);

/**
 * Every IPv4 address an IPv6 address can carry to an IPv4 host: IPv4-compatible (::/96), IPv4-mapped
 * (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo
 * (2001::/32: server and obfuscated client). A fetch is refused when any of them is private.
 */
export function embeddedIpv4(addr: string): string[] {
  const b = ipv6Bytes(addr);
  if (!b) return [];
  const out: string[] = [];
  if (zero(b, 0, 12)) out.push(v4At(b, 12));
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) out.push(v4At(b, 12));
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) out.push(v4At(b, 12));
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) out.push(v4At(b, 12));
  if (b[0] === 0x20 && b[1] === 0x02) out.push(v4At(b, 2));
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x00 && b[3] === 0x00) out.push(v4At(b, 4), v4At(b, 12, 0xff));
  return out;
}

/** True for addresses a server-side fetch must not reach by default. */
export function isPrivateAddress(addr: string): boolean {
  const fam = isIP(addr);
  if (fam === 4) return blocked.check(addr, 'ipv4');
  if (fam === 6) return blocked.check(addr, 'ipv6') || embeddedIpv4(addr).some((v4) => blocked.check(v4, 'ipv4'));
  return true;
}

function refused(url: string, why: string): AppError {
  return new AppError(
    'url_refused',
    `media_url ${url} is refused: ${why}`,
    'Use a public http(s) URL, or upload the bytes with media_content / POST /api/upload (private addresses need MEDIA_URL_ALLOW_PRIVATE=1)',
  );
}

class BlockedAddressError extends Error {
  constructor(readonly address: string) {
    super(`address ${address} is private, loopback or link-local`);
  }
}

/** Refuse `addr` under this policy? */
type Blocked = (addr: string) => boolean;

function policy(opts: Pick<FetchOptions, 'allowPrivate' | 'allowAddress'>): Blocked {
  return (addr) => !opts.allowPrivate && isPrivateAddress(addr) && !(opts.allowAddress?.(addr) ?? false);
}

function guardedLookup(isBlocked: Blocked): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const bad = addresses.find((a) => isBlocked(a.address));
      if (bad) return callback(new BlockedAddressError(bad.address), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 4);
      callback(null, first.address, first.family);
    });
  };
}

export interface FetchOptions {
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
  maxRedirects?: number;
  /** Exceptions to the private-address rule (tests run their fake hosts on loopback). */
  allowAddress?: (address: string) => boolean;
}

/** The scheme / literal-address checks of a fetch, without fetching (to fail fast on bad input). */
export function precheckUrl(raw: string, opts: Pick<FetchOptions, 'allowPrivate' | 'allowAddress'>): void {
  checkUrl(raw, policy(opts));
}

export interface FetchedFile {
  temp: TempFile;
  /** Content-Type the server declared (a hint only; the store sniffs). */
  contentType: string | null;
  /** File name from Content-Disposition or the URL path. */
  fileName: string | null;
  finalUrl: string;
}

/** Cheap checks before any connection: scheme, credentials, literal private IPs. */
export function checkUrl(raw: string, isBlocked: Blocked): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refused(raw, 'not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw refused(raw, `only http and https are allowed, not ${u.protocol}`);
  if (u.username || u.password) throw refused(raw, 'credentials in URLs are not allowed');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && isBlocked(host)) throw refused(raw, `${host} is a private, loopback or link-local address`);
  return u;
}

function fileNameOf(res: IncomingMessage, url: URL): string | null {
  const cd = res.headers['content-disposition'];
  const m = cd ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd) : null;
  if (m?.[1]) {
    try {
      return decodeURIComponent(m[1]);
    } catch {
      return m[1];
    }
  }
  const last = url.pathname.split('/').pop() ?? '';
  try {
    return last ? decodeURIComponent(last) : null;
  } catch {
    return last || null;
  }
}

function request(u: URL, isBlocked: Blocked, signal: AbortSignal): Promise<IncomingMessage> {
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { lookup: guardedLookup(isBlocked), signal, headers: { 'user-agent': 'whatsapp-mcp-server/media', accept: '*/*' } }, resolve);
    req.on('error', reject);
  });
}

/** Downloads `url` into a temp file of the media store (caller commits or discards it). */
export async function fetchToTemp(rawUrl: string, media: MediaStore, opts: FetchOptions): Promise<FetchedFile> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const isBlocked = policy(opts);
  let url = checkUrl(rawUrl, isBlocked);
  for (let hop = 0; ; hop++) {
    let res: IncomingMessage;
    try {
      res = await request(url, isBlocked, signal);
    } catch (err) {
      if (err instanceof BlockedAddressError) throw refused(url.toString(), `${url.hostname} resolves to ${err.address}, a private, loopback or link-local address`);
      if (signal.aborted) throw fetchFailed(`media_url ${url} did not answer within ${Math.round(opts.timeoutMs / 1000)} s`, 'Retry, or use a faster host');
      throw fetchFailed(`media_url ${url} could not be fetched (${(err as Error).message})`, 'Check the URL and retry');
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= (opts.maxRedirects ?? 5)) throw fetchFailed(`media_url ${rawUrl} redirects too often`, 'Pass the final URL');
      url = checkUrl(new URL(res.headers.location, url).toString(), isBlocked);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw fetchFailed(`media_url ${url} answered HTTP ${status}`, 'Check that the URL is reachable without credentials and retry');
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      res.destroy();
      throw tooLarge(opts.maxBytes);
    }
    try {
      const temp = await media.writeTemp(res, opts.maxBytes);
      return { temp, contentType: res.headers['content-type'] ?? null, fileName: fileNameOf(res, url), finalUrl: url.toString() };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (signal.aborted) throw fetchFailed(`media_url ${url} did not finish within ${Math.round(opts.timeoutMs / 1000)} s`, 'Retry, or use a faster host');
      throw fetchFailed(`media_url ${url} broke off (${(err as Error).message})`, 'Retry');
    }
  }
}
