import { describe, expect, it } from 'vitest';
import { scheduleWindows, thresholdsFor, zonedTime, zoneOffset, type AlertRule, type Schedule } from './summaries';

const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  id: 's1',
  type: 'blood_pressure',
  typeName: 'Blood pressure',
  times: ['08:00', '20:00'],
  earlyMinutes: 30,
  graceMinutes: 60,
  timeZone: 'America/New_York',
  ...over,
});

describe('chart marks', () => {
  it('knows a zone’s offset, summer and winter', () => {
    expect(zoneOffset('America/New_York', Date.UTC(2026, 0, 15, 12))).toBe(-5 * 3_600_000);
    expect(zoneOffset('America/New_York', Date.UTC(2026, 6, 15, 12))).toBe(-4 * 3_600_000);
    expect(zoneOffset('Asia/Kolkata', Date.UTC(2026, 6, 15, 12))).toBe(5.5 * 3_600_000);
    expect(new Date(zonedTime('Europe/Oslo', 2026, 10, 22, 8, 0)).toISOString()).toBe('2026-11-22T07:00:00.000Z');
  });

  it('opens each window early and closes it after the grace, on the schedule’s clock', () => {
    // 21 Nov 2026 00:00 to 23 Nov 00:00 in New York (UTC−5).
    const from = Date.UTC(2026, 10, 21, 5);
    const to = Date.UTC(2026, 10, 23, 5);
    const w = scheduleWindows(schedule(), from, to).map(([a, b]) => [
      new Date(a).toISOString(),
      new Date(b).toISOString(),
    ]);
    expect(w).toEqual([
      ['2026-11-21T12:30:00.000Z', '2026-11-21T14:00:00.000Z'],
      ['2026-11-22T00:30:00.000Z', '2026-11-22T02:00:00.000Z'],
      ['2026-11-22T12:30:00.000Z', '2026-11-22T14:00:00.000Z'],
      ['2026-11-23T00:30:00.000Z', '2026-11-23T02:00:00.000Z'],
    ]);
    // Only on the weekdays asked for: 21 Nov 2026 is a Saturday.
    const sat = scheduleWindows(schedule({ weekdays: ['sat'], times: ['08:00'] }), from, to);
    expect(sat.map(([a]) => new Date(a).toISOString())).toEqual(['2026-11-21T12:30:00.000Z']);
  });

  it('takes the thresholds of enabled vital rules on the type', () => {
    const rules: AlertRule[] = [
      {
        key: 'bp_crisis',
        name: 'Hypertensive crisis',
        kind: 'vital',
        measure: 'blood_pressure',
        severity: 'critical',
        enabled: true,
        conditions: [
          { component: 'systolic', op: '>', value: 180, clear: 170 },
          { component: 'diastolic', op: '>', value: 120, clear: 110 },
        ],
      },
      {
        key: 'g',
        name: 'Low',
        kind: 'vital',
        measure: 'blood_glucose',
        severity: 'warning',
        enabled: true,
        conditions: [{ op: '<', value: 70, clear: 75 }],
      },
      {
        key: 'off',
        name: 'Off',
        kind: 'vital',
        measure: 'blood_pressure',
        severity: 'info',
        enabled: false,
        conditions: [{ op: '>', value: 1, clear: 0 }],
      },
    ];
    expect(thresholdsFor(rules, 'blood_pressure')).toEqual([
      { component: 'systolic', value: 180, above: true, severity: 'critical', name: 'Hypertensive crisis' },
      { component: 'diastolic', value: 120, above: true, severity: 'critical', name: 'Hypertensive crisis' },
    ]);
    expect(thresholdsFor(rules, 'blood_glucose')[0]).toMatchObject({ value: 70, above: false });
  });
});
