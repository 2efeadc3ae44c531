// The ambulatory glucose profile: for each hour of the patient's day, the
// median glucose as a line, the 25th–75th and 5th–95th percentiles as
// bands, over the consensus target range. Drawn by uPlot; loaded lazily.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ProfileHour } from '../../api/summaries';
import { convert, formatNumber, unitLabel } from '../../util/units';
import { AXIS_STYLE, valueAxis } from '../VitalChart/axes';
import { AGP_COLORS } from './agpColors';

export interface AgpChartProps {
  profile: ProfileHour[];
  /** The target range, mg/dL. */
  low: number;
  high: number;
  /** The unit to show glucose in. */
  unit: string;
  height?: number;
}

const TARGET = '#2b8a3e';

type Col = (number | null)[];

/** uPlot's columns: hour (0.5 … 23.5, and 24 to close the day), then p95, p5, p75, p25, p50. */
export function agpData(profile: ProfileHour[], unit: string): Col[] {
  const x: Col = [];
  const cols: Col[] = [[], [], [], [], []];
  const pick = (h: ProfileHour) => [h.p95, h.p5, h.p75, h.p25, h.p50];
  for (const h of profile) {
    x.push(h.hour + 0.5);
    pick(h).forEach((v, i) => cols[i]!.push(v == null ? null : convert(v, 'mg/dL', unit)));
  }
  return [x, ...cols];
}

export default function AgpChart({ profile, low, high, unit, height = 240 }: AgpChartProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    if (!document.createElement('canvas').getContext?.('2d')) {
      setFailed(true);
      return;
    }
    const data = agpData(profile, unit);
    const maxV = Math.max(convert(300, 'mg/dL', unit), ...(data[1]!.filter((v) => v != null) as number[]));
    const lo = convert(low, 'mg/dL', unit);
    const hi = convert(high, 'mg/dL', unit);
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      padding: [12, 16, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: false, range: [0, 24] },
        y: { range: [0, Math.ceil(maxV / (unit === 'mmol/L' ? 2 : 50)) * (unit === 'mmol/L' ? 2 : 50)] },
      },
      axes: [
        {
          ...AXIS_STYLE,
          // Every three hours, or six on a narrow chart, so labels never run together.
          splits: (u) =>
            u.bbox.width / devicePixelRatio < 420 ? [0, 6, 12, 18, 24] : [0, 3, 6, 9, 12, 15, 18, 21, 24],
          values: (_u, splits) => splits.map((h) => `${String(h % 24).padStart(2, '0')}:00`),
          size: 36,
        },
        valueAxis(unit, 48),
      ],
      series: [
        {},
        { label: '95th percentile', stroke: AGP_COLORS.outer, width: 1, points: { show: false } },
        { label: '5th percentile', stroke: AGP_COLORS.outer, width: 1, points: { show: false } },
        { label: '75th percentile', stroke: AGP_COLORS.inner, width: 1, points: { show: false } },
        { label: '25th percentile', stroke: AGP_COLORS.inner, width: 1, points: { show: false } },
        { label: 'Median', stroke: AGP_COLORS.median, width: 2.5, points: { show: true, size: 5 } },
      ],
      bands: [
        { series: [1, 2], fill: AGP_COLORS.outer },
        { series: [3, 4], fill: AGP_COLORS.inner },
      ],
      hooks: {
        // The target range, under the data.
        drawAxes: [
          (u) => {
            const ctx = u.ctx;
            const y1 = u.valToPos(hi, 'y', true);
            const y0 = u.valToPos(lo, 'y', true);
            ctx.save();
            ctx.fillStyle = 'rgba(64, 192, 87, 0.08)';
            ctx.fillRect(u.bbox.left, y1, u.bbox.width, y0 - y1);
            ctx.strokeStyle = TARGET;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            for (const y of [y0, y1]) {
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
            }
            ctx.restore();
          },
        ],
      },
    };
    let u: uPlot;
    try {
      u = new uPlot(opts, data as uPlot.AlignedData, el);
    } catch {
      setFailed(true);
      return;
    }
    el.dataset.drawn = 'true';
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      delete el.dataset.drawn;
    };
  }, [profile, low, high, unit, height]);

  return (
    <>
      <div
        ref={wrap}
        role="img"
        data-testid="agp-chart"
        aria-label={`Ambulatory glucose profile: median and percentile bands for each hour of the day, target ${formatNumber(convert(low, 'mg/dL', unit), unit)}–${formatNumber(convert(high, 'mg/dL', unit), unit)} ${unitLabel(unit)}`}
        style={{ width: '100%', minHeight: 120 }}
      />
      {failed && <span>This browser cannot draw the profile; the figures beside it still hold.</span>}
    </>
  );
}
