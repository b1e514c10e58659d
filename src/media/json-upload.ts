/**
 * Streaming parser for `POST /api/upload` bodies: `{"data": "<base64 | data: URL>", "filename"?: "…",
 * "mime_type"?: "…"}`. The `data` string is base64-decoded as it arrives and streamed into a temp file of
 * the media store, so a 2 GB upload never sits in memory (as one JSON string plus its decoded copy would
 * with a generic body parser). Other values are small strings (or null), buffered with a cap.
 *
 * Accepted: standard and URL-safe base64, padding optional, JSON escapes (`\/` …) anywhere; a `data:`
 * URL prefix with `;base64`. A `data:` URL without `;base64` (percent-encoded text) is buffered and
 * decoded at the end (it is text, and capped by the same limit). Anything else is a 400 naming the problem.
 */
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../errors.js';
import { tooLarge, type MediaStore, type TempFile } from './media-store.js';
import { normalizeMime } from './sniff.js';

export interface JsonUpload {
  temp: TempFile;
  filename?: string;
  mimeType?: string;
  /** The type named by a `data:` URL prefix. */
  dataUrlMime?: string;
}

const SMALL_STRING_MAX = 1_000;

const badJson = (why: string) => new AppError('invalid_input', `request body is not a valid upload object: ${why}`, 'Send {"data": "<base64>", "filename": "…", "mime_type": "…"} with Content-Type: application/json');
const badBase64 = (why: string) => new AppError('bad_base64', `data is not valid base64 (${why})`, 'Send the file bytes as standard base64 (or a data: URL)');

/** Decodes base64 text pushed in arbitrary slices; validates the alphabet and the padding. */
class Base64Decoder {
  private carry = '';
  private padded = false;
  total = 0;

  constructor(private readonly emit: (bytes: Buffer) => Promise<void>) {}

  async push(text: string): Promise<void> {
    if (text.length === 0) return;
    if (this.padded) {
      if (!/^=*$/.test(text)) throw badBase64('characters after the padding');
    }
    const eq = text.indexOf('=');
    let body = text;
    if (eq >= 0) {
      if (!/^=*$/.test(text.slice(eq))) throw badBase64('characters after the padding');
      body = text.slice(0, eq);
      this.padded = true;
    }
    if (!/^[A-Za-z0-9+/_-]*$/.test(body)) throw badBase64('characters outside the base64 alphabet');
    this.total += body.length;
    const all = this.carry + body;
    const whole = all.length - (all.length % 4);
    this.carry = all.slice(whole);
    if (whole > 0) await this.emit(Buffer.from(all.slice(0, whole).replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  }

  async end(): Promise<void> {
    if (this.total === 0) throw badBase64('it is empty');
    if (this.carry.length === 1) throw badBase64('truncated');
    if (this.carry.length > 0) await this.emit(Buffer.from(this.carry.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
    this.carry = '';
  }
}

type Mode = 'start' | 'key' | 'colon' | 'value' | 'after' | 'done';

/**
 * Parses `body` (raw request chunks). `maxBodyBytes` caps the raw body, `maxBytes` the decoded file
 * (both 413). The temp file is the caller's to commit or discard.
 */
export async function parseJsonUpload(body: AsyncIterable<Buffer | string>, media: MediaStore, opts: { maxBytes: number; maxBodyBytes: number }): Promise<JsonUpload> {
  const sink = new PassThrough();
  const written = media.writeTemp(sink, opts.maxBytes);
  // If parsing fails first, `written` rejects too (the sink is destroyed); never leave that unhandled.
  written.catch(() => undefined);
  let sinkFailed = false;
  sink.on('error', () => (sinkFailed = true));
  // Why the sink failed: the write pipeline's own first error (the size meter's 413, a disk error). The
  // error the sink itself is destroyed with may only be a premature-close echo of it, depending on timing.
  const failure = async (): Promise<unknown> => written.then(() => tooLarge(opts.maxBytes), (err: unknown) => err);

  const emit = async (bytes: Buffer): Promise<void> => {
    if (sinkFailed) throw await failure();
    if (!sink.write(bytes)) {
      const drained = await new Promise<boolean>((resolve) => {
        const done = () => {
          sink.off('close', fail);
          resolve(true);
        };
        const fail = () => {
          sink.off('drain', done);
          resolve(false);
        };
        sink.once('drain', done);
        sink.once('close', fail);
      });
      if (!drained) throw await failure();
    }
  };

  const decoder = new StringDecoder('utf8');
  const fields: Record<string, string | null> = {};
  let mode: Mode = 'start';
  let received = 0;

  // String lexing state.
  let inString = false;
  let escape = false;
  let unicode: string | null = null;
  let key: string | null = null;
  let target: 'key' | 'small' | 'data' = 'key';
  let small = '';
  // `data` handling: prefix detection (data: URL), then base64 or buffered text.
  let dataPrefix = '';
  let dataMode: 'prefix' | 'base64' | 'text' = 'prefix';
  let dataText = '';
  let dataUrlMime: string | undefined;
  let sawData = false;
  const b64 = new Base64Decoder(emit);
  let literal = '';

  const dataChars = async (s: string): Promise<void> => {
    if (s.length === 0) return;
    if (dataMode === 'base64') return b64.push(s);
    if (dataMode === 'text') {
      dataText += s;
      if (dataText.length > opts.maxBytes * 3) throw tooLarge(opts.maxBytes);
      return;
    }
    dataPrefix += s;
    if (!'data:'.startsWith(dataPrefix.slice(0, 5)) || (dataPrefix.length >= 5 && !dataPrefix.startsWith('data:'))) {
      dataMode = 'base64';
      const all = dataPrefix;
      dataPrefix = '';
      return b64.push(all);
    }
    const comma = dataPrefix.indexOf(',');
    if (comma < 0) {
      if (dataPrefix.length > 300) throw badBase64('the data: URL header is too long');
      return;
    }
    const meta = dataPrefix.slice(5, comma).split(';');
    dataUrlMime = normalizeMime(meta[0]) ?? undefined;
    const rest = dataPrefix.slice(comma + 1);
    dataPrefix = '';
    if (meta.includes('base64')) {
      dataMode = 'base64';
      return b64.push(rest);
    }
    dataMode = 'text';
    return dataChars(rest);
  };

  const stringChars = async (s: string): Promise<void> => {
    if (target === 'data') return dataChars(s);
    small += s;
    if (small.length > SMALL_STRING_MAX) throw badJson(`${key ?? 'a key'} is too long`);
  };

  const endString = async (): Promise<void> => {
    inString = false;
    if (target === 'key') {
      key = small;
      small = '';
      mode = 'colon';
      return;
    }
    if (target === 'data') {
      if (dataMode === 'prefix') {
        // Short content that never completed a data: header: plain base64.
        dataMode = 'base64';
        const all = dataPrefix;
        dataPrefix = '';
        await b64.push(all);
      }
      if (dataMode === 'base64') await b64.end();
      else {
        let text: string;
        try {
          text = decodeURIComponent(dataText);
        } catch {
          throw badBase64('the data: URL payload is not valid percent-encoding');
        }
        dataText = '';
        const bytes = Buffer.from(text, 'utf8');
        if (bytes.length === 0) throw badBase64('it is empty');
        await emit(bytes);
      }
    } else {
      fields[key!] = small;
      small = '';
    }
    mode = 'after';
  };

  const startString = (): void => {
    inString = true;
    small = '';
    if (mode === 'key') target = 'key';
    else if (key === 'data') {
      if (sawData) throw badJson('data appears twice');
      sawData = true;
      target = 'data';
    } else target = 'small';
  };

  const feed = async (text: string): Promise<void> => {
    let i = 0;
    while (i < text.length) {
      if (inString) {
        if (unicode !== null) {
          const need = 4 - unicode.length;
          unicode += text.slice(i, i + need);
          i += Math.min(need, text.length - i);
          if (unicode.length === 4) {
            if (!/^[0-9a-fA-F]{4}$/.test(unicode)) throw badJson('bad \\u escape');
            await stringChars(String.fromCharCode(parseInt(unicode, 16)));
            unicode = null;
          }
          continue;
        }
        if (escape) {
          const c = text[i]!;
          i++;
          escape = false;
          const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (c === 'u') unicode = '';
          else if (c in map) {
            // Line breaks inside base64 (escaped in JSON) are ignored, as base64 decoders do.
            if (target === 'data' && (c === 'n' || c === 'r' || c === 't')) continue;
            await stringChars(map[c]!);
          } else throw badJson(`bad escape \\${c}`);
          continue;
        }
        // Bulk: up to the next quote or backslash.
        let j = i;
        while (j < text.length) {
          const c = text.charCodeAt(j);
          if (c === 0x22 || c === 0x5c) break;
          if (c < 0x20) throw badJson('control character in a string');
          j++;
        }
        await stringChars(text.slice(i, j));
        i = j;
        if (i < text.length) {
          if (text[i] === '\\') escape = true;
          else await endString();
          i++;
        }
        continue;
      }
      const c = text[i]!;
      if (literal) {
        literal += c;
        i++;
        if ('null'.startsWith(literal)) {
          if (literal === 'null') {
            if (key === 'data') throw badJson('data must be a base64 string or a data: URL');
            fields[key!] = null;
            literal = '';
            mode = 'after';
          }
          continue;
        }
        throw badJson(`${key} must be a string`);
      }
      i++;
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      switch (mode) {
        case 'start':
          if (c !== '{') throw badJson('expected a JSON object');
          mode = 'key';
          break;
        case 'key':
          if (c === '}' && Object.keys(fields).length === 0 && !sawData) mode = 'done';
          else if (c === '"') startString();
          else throw badJson('expected a key');
          break;
        case 'colon':
          if (c !== ':') throw badJson('expected ":"');
          mode = 'value';
          break;
        case 'value':
          if (c === '"') startString();
          else if (c === 'n') literal = 'n';
          else throw badJson(key === 'data' ? 'data must be a base64 string or a data: URL' : `${key} must be a string`);
          break;
        case 'after':
          if (c === ',') mode = 'key';
          else if (c === '}') mode = 'done';
          else throw badJson('expected "," or "}"');
          break;
        case 'done':
          throw badJson('text after the object');
      }
    }
  };

  try {
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      received += buf.length;
      if (received > opts.maxBodyBytes) throw tooLarge(opts.maxBytes);
      await feed(decoder.write(buf));
      if (sinkFailed) throw await failure();
    }
    await feed(decoder.end());
    if ((mode as Mode) !== 'done') throw badJson('the body ended early');
    if (!sawData) throw badJson('data is missing');
    sink.end();
    const temp = await written;
    const out: JsonUpload = { temp };
    if (typeof fields.filename === 'string') out.filename = fields.filename;
    if (typeof fields.mime_type === 'string') out.mimeType = fields.mime_type;
    if (dataUrlMime) out.dataUrlMime = dataUrlMime;
    return out;
  } catch (err) {
    sink.destroy(err instanceof Error ? err : new Error(String(err)));
    await written.catch(() => undefined);
    throw err;
  }
}
