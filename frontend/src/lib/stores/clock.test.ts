import { describe, expect, it } from 'vitest';
import { elapsedSince, formatDuration } from './clock.svelte';

describe('formatDuration', () => {
  it('formats mm:ss under an hour', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(999)).toBe('00:00');
    expect(formatDuration(7_000)).toBe('00:07');
    expect(formatDuration(65_400)).toBe('01:05');
    expect(formatDuration(59 * 60_000 + 59_999)).toBe('59:59');
  });
  it('adds hours from one hour on', () => {
    expect(formatDuration(3_600_000)).toBe('1:00:00');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
  it('never shows negative time', () => {
    expect(formatDuration(-5_000)).toBe('00:00');
  });
});

describe('elapsedSince', () => {
  const now = Date.parse('2025-11-25T10:00:00Z');
  it('is computed from the timestamp, not from ticks', () => {
    expect(elapsedSince('2025-11-25T09:58:30Z', now)).toBe(90_000);
    expect(elapsedSince('2025-11-25T10:58:30+01:00', now)).toBe(90_000);
    expect(formatDuration(elapsedSince('2025-11-25T09:58:30.900Z', now))).toBe('01:29');
  });
  it('clamps future (clock skew) and invalid timestamps to 0', () => {
    expect(elapsedSince('2025-11-25T10:00:05Z', now)).toBe(0);
    expect(elapsedSince('', now)).toBe(0);
    expect(elapsedSince('garbage', now)).toBe(0);
  });
});
