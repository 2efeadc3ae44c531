import { describe, expect, it } from 'vitest';
import type { Series } from '../../api/readings';
import { timeTicks, toPlotData, yRange } from './VitalChart';

const MIN = 60_000;
function series(starts: number[], values: (number | null)[][]): Series {
  return {
    type: 'blood_pressure',
    unit: 'mm[Hg]',
    components: ['systolic', 'diastolic', 'mean'],
    from: new Date(0).toISOString(),
    to: new Date(1e9).toISOString(),
    width: MIN * 1e6,
    buckets: starts.map((s, i) => ({
      start: new Date(s).toISOString(),
      end: new Date(s + MIN).toISOString(),
      count: 1,
      stats: values[i]!.map((v) =>
        v === null ? { count: 0, min: 0, max: 0, mean: 0 } : { count: 1, min: v - 1, max: v + 1, mean: v },
      ),
    })),
  };
}

describe('toPlotData', () => {
  const lines = [
    { index: 0, label: 'Systolic', color: '#c92a2a' },
    { index: 1, label: 'Diastolic', color: '#1864ab' },
  ];

  it('gives uPlot a column of times and highest, lowest and average for each line', () => {
    const d = toPlotData(
      series(
        [0, 5 * MIN],
        [
          [120, 80, null],
          [130, 85, null],
        ],
      ),
      lines,
      'mm[Hg]',
    );
    expect(d).toHaveLength(7);
    expect(d[0]).toEqual([30, 330]);
    expect(d[1]).toEqual([121, 131]);
    expect(d[2]).toEqual([119, 129]);
    expect(d[3]).toEqual([120, 130]);
    expect(d[6]).toEqual([80, 85]);
  });

  it('breaks the lines only where readings stop for much longer than usual', () => {
    const starts = [0, 5, 10, 15, 20, 200, 205].map((m) => m * MIN);
    const d = toPlotData(
      series(
        starts,
        starts.map(() => [120, 80, null]),
      ),
      lines,
      'mm[Hg]',
    );
    // One null row, between 20 and 200 minutes.
    expect(d[3]!.filter((v) => v === null)).toHaveLength(1);
    expect(d[0]).toHaveLength(8);
  });

  it('converts to the unit shown', () => {
    const s: Series = { ...series([0], [[180.16, null, null]]), type: 'blood_glucose', unit: 'mg/dL' };
    const d = toPlotData(s, [{ index: 0, label: 'Glucose', color: '#000' }], 'mmol/L');
    expect(d[3]![0]).toBeCloseTo(10, 5);
  });
});

describe('timeTicks', () => {
  it('labels hours with the date where a day starts, and longer spans by day or month', () => {
    const t0 = Date.UTC(2025, 2, 1, 22, 0) / 1000;
    const hours = timeTicks([t0, t0 + 3600, t0 + 7200], 3600);
    expect(hours[0]).toMatch(/\n/);
    expect(hours[1]).not.toMatch(/\n/);
    expect(hours[2]).toMatch(/\n/); // midnight: a new day
    expect(timeTicks([t0], 86_400)[0]).toMatch(/Mar/);
    expect(timeTicks([t0], 30 * 86_400)[0]).toMatch(/2025/);
  });
});

describe('yRange', () => {
  const t = (value: number) => ({ value, color: '#000', label: '' });
  it('takes in thresholds near the readings, not far ones', () => {
    // Glucose 90–160: 180 is near (within half the span), 250 is not.
    const [lo, hi] = yRange(90, 160, [t(70), t(180), t(250)]);
    expect(lo).toBeLessThanOrEqual(70);
    expect(hi).toBeGreaterThanOrEqual(180);
    expect(hi).toBeLessThan(250);
    expect(yRange(90, 160, [])).toEqual([81, 169]);
  });
});
