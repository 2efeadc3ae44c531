import { describe, expect, it } from 'vitest';
import { addDays, minuteOfDay, mondayOf, sameWallClock, startOfDay, ymdIn } from './time';

describe('appointment time arithmetic', () => {
  it('finds local midnight on both sides of a daylight-saving change', () => {
    // Oslo moves from UTC+1 to UTC+2 on 29 March 2026, and back on 25 October.
    expect(startOfDay('2026-03-28', 'Europe/Oslo').toISOString()).toBe('2026-03-27T23:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/Oslo').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDay('2026-10-26', 'Europe/Oslo').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    // New York changes on another date (8 March 2026).
    expect(startOfDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('puts an instant on the date and minute of each zone’s wall clock', () => {
    const at = '2026-03-09T03:30:00Z';
    expect(ymdIn(at, 'America/New_York')).toBe('2026-03-08');
    expect(ymdIn(at, 'Europe/Oslo')).toBe('2026-03-09');
    expect(minuteOfDay(at, 'Europe/Oslo')).toBe(4 * 60 + 30);
    expect(minuteOfDay(at, 'America/New_York')).toBe(23 * 60 + 30);
  });

  it('counts weeks from Monday and days by the calendar', () => {
    expect(mondayOf('2026-03-08')).toBe('2026-03-02'); // a Sunday
    expect(mondayOf('2026-03-09')).toBe('2026-03-09');
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('tells whether two zones show the same time', () => {
    // London and Lisbon agree all year; London and Oslo never do.
    expect(sameWallClock('2026-07-01T12:00:00Z', 'Europe/London', 'Europe/Lisbon')).toBe(true);
    expect(sameWallClock('2026-07-01T12:00:00Z', 'Europe/London', 'Europe/Oslo')).toBe(false);
  });
});
