/** Pure helpers of the admin UI: durations, event names, chat dates and media labels, API field errors. */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/api.js';
import { chatListTime, dayLabel, displayJid, eventLabel, formatDuration, mediaLabel, sameLocalDay, toMs } from '../../web/src/format.js';
import { fieldErrors } from '../../web/src/views/settings.js';

describe('format', () => {
  it('formats countdowns', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(-5)).toBe('0 s');
    expect(formatDuration(4_001)).toBe('5 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(600_000)).toBe('10 min 00 s');
    expect(formatDuration(3_780_000)).toBe('1 h 03 min');
  });

  it('names XState events for humans', () => {
    expect(eventLabel('xstate.after.backoff.connection.connecting.backoff')).toBe('after backoff');
    expect(eventLabel('xstate.done.actor.connection')).toBe('connection done');
    expect(eventLabel('xstate.error.actor.engine')).toBe('engine error');
    expect(eventLabel('ENGINE.CLOSED')).toBe('ENGINE.CLOSED');
  });

  it('labels chat days in local time', () => {
    const now = new Date(2026, 10, 25, 0, 30).getTime(); // local 00:30
    const lateYesterday = new Date(2026, 10, 24, 23, 50).getTime();
    expect(sameLocalDay(now, lateYesterday)).toBe(false);
    expect(dayLabel(now, now, 'en-GB')).toBe('Today');
    expect(dayLabel(lateYesterday, now, 'en-GB')).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 10, 20, 12).getTime(), now, 'en-GB')).toMatch(/^Friday,? 20 November$/);
    expect(dayLabel(new Date(2025, 0, 3, 12).getTime(), now, 'en-GB')).toMatch(/^Friday,? 3 January 2025$/);
    expect(chatListTime(new Date(2026, 10, 25, 0, 5).getTime(), now, 'en-GB')).toBe('00:05');
    expect(toMs(1_700_000_000)).toBe(1_700_000_000_000);
    expect(toMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });

  it('labels media and formats JIDs', () => {
    expect(mediaLabel({ type: 'image', hasMedia: true })).toBe('Photo');
    expect(mediaLabel({ type: 'imageMessage', hasMedia: true })).toBe('Photo');
    expect(mediaLabel({ type: 'ptt', hasMedia: true })).toBe('Voice message');
    expect(mediaLabel({ type: 'weird', hasMedia: true })).toBe('Attachment');
    expect(mediaLabel({ type: 'text', hasMedia: false })).toBeNull();
    expect(mediaLabel({ type: 'chat', hasMedia: false })).toBeNull();
    expect(displayJid('447700900001@s.whatsapp.net')).toBe('+447700900001');
    expect(displayJid('447700900001:12@s.whatsapp.net')).toBe('+447700900001');
    expect(displayJid('1203630@g.us')).toBe('1203630@g.us');
  });
});

describe('settings field errors from a 400', () => {
  const keys = ['upload_max_mb', 'media_public_base_url'];
  it('reads zod issues, flattened errors, {field} and falls back to the message', () => {
    const issues = new ApiError(400, 'bad_request', 'invalid settings', [{ path: ['upload_max_mb'], message: 'Too big: expected ≤ 2048' }]);
    expect(fieldErrors(issues, keys)).toEqual({ upload_max_mb: 'Too big: expected ≤ 2048' });
    const flat = new ApiError(400, 'bad_request', 'invalid settings', { fieldErrors: { media_public_base_url: ['Invalid URL'] } });
    expect(fieldErrors(flat, keys)).toEqual({ media_public_base_url: 'Invalid URL' });
    const single = new ApiError(400, 'bad_request', 'invalid settings', { field: 'upload_max_mb', message: 'must be ≤ 2048' });
    expect(fieldErrors(single, keys)).toEqual({ upload_max_mb: 'must be ≤ 2048' });
    const bare = new ApiError(400, 'bad_request', 'upload_max_mb: must be at most 2048');
    expect(fieldErrors(bare, keys)).toEqual({ upload_max_mb: 'upload_max_mb: must be at most 2048' });
    const unknown = new ApiError(400, 'bad_request', 'nope', { field: 'other' });
    expect(fieldErrors(unknown, keys)).toEqual({});
  });
});
