// A vital over time, drawn on a canvas by uPlot from the server's buckets:
// for each number (systolic and diastolic for blood pressure) a band from
// the bucket's lowest to its highest value and a line through its means.
// This module is loaded lazily: uPlot stays out of the first load.
import { Box, Text } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from '../../api/readings';
import { convert, formatNumber, unitLabel } from '../../util/units';
import { AXIS_STYLE, valueAxis } from './axes';
import classes from './VitalChart.module.css';

export interface ChartLine {
  /** Index of the number in the series' components. */
  index: number;
  label: string;
  color: string;
}

export interface VitalChartProps {
  series: Series;
  lines: ChartLine[];
  /** The unit to show values in (the series is in its canonical unit). */
  unit: string;
  /** The range drawn, in ms since the epoch; the x axis spans it whatever the data. */
  from: number;
  to: number;
  /** A drag across the chart asks for that range. */
  onZoom?: (from: number, to: number) => void;
  height?: number;
  label: string;
  /** Called after the first draw (or when the chart cannot be drawn). */
  onDrawn?: () => void;
  /** Alert thresholds, drawn as dashed lines, in the unit shown. */
  thresholds?: ChartThreshold[];
  /** Spans of time (ms) shaded behind the readings: when scheduled measurements are due. */
  windows?: [number, number][];
}

export interface ChartThreshold {
  value: number;
  color: string;
  /** Short words at the line's end, e.g. "alert > 180". */
  label: string;
  /** An upper limit: its label goes above the line, a lower one's below. */
  above?: boolean;
}

/**
 * The y range to show: the data's, widened to take in thresholds that lie
 * near it (within half the data's span), so a line just off the readings
 * still shows, and far ones do not squash the readings flat.
 */
export function yRange(min: number, max: number, thresholds: ChartThreshold[]): [number, number] {
  const span = Math.max(max - min, Math.abs(max) * 0.1, 1);
  for (const t of thresholds) {
    if (t.value < min && min - t.value <= span / 2) min = t.value;
    if (t.value > max && t.value - max <= span / 2) max = t.value;
  }
  const pad = Math.max((max - min) * 0.12, Math.abs(max) * 0.03, 1);
  return [Math.floor(min - pad), Math.ceil(max + pad)];
}

// null breaks a line; undefined (a bucket without this number) is joined over.
type Row = (number | null | undefined)[];

/**
 * uPlot's columns: x (seconds), then max, min, mean for each line. A null
 * row breaks the lines where the readings stop for much longer than usual
 * (a device left off for days), but not between readings that are merely
 * sparser than the buckets.
 */
export function toPlotData(series: Series, lines: ChartLine[], to: string): Row[] {
  const cols: Row[] = [[]];
  lines.forEach(() => cols.push([], [], []));
  const bs = series.buckets;
  const starts = bs.map((b) => Date.parse(b.start) / 1000);
  const ends = bs.map((b) => Date.parse(b.end) / 1000);
  const steps = starts
    .slice(1)
    .map((s, i) => s - starts[i]!)
    .sort((a, b) => a - b);
  const usual = steps.length ? steps[Math.floor(steps.length / 2)]! : 0;
  const widthS = series.width / 1e9;
  const breakAfter = Math.max(usual * 6, widthS * 3);
  bs.forEach((b, k) => {
    const start = starts[k]!;
    const end = ends[k]!;
    if (k > 0 && start - starts[k - 1]! > breakAfter) {
      cols[0]!.push(ends[k - 1]!);
      for (let i = 1; i < cols.length; i++) cols[i]!.push(null);
    }
    cols[0]!.push((start + end) / 2);
    lines.forEach((l, j) => {
      const s = b.stats[l.index];
      const has = s && s.count > 0;
      cols[1 + j * 3]!.push(has ? convert(s.max, series.unit, to) : undefined);
      cols[2 + j * 3]!.push(has ? convert(s.min, series.unit, to) : undefined);
      cols[3 + j * 3]!.push(has ? convert(s.mean, series.unit, to) : undefined);
    });
  });
  return cols;
}

/** A mouse or trackpad: dragging across the chart zooms (touch screens scroll instead). */
function finePointer(): boolean {
  try {
    return window.matchMedia('(pointer: fine)').matches;
  } catch {
    return false;
  }
}

function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const tickTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const tickDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const tickMonth = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric' });
const DAY_S = 86_400;

/** Time ticks in the viewer's locale: hours (with the date where a day starts), days, or months. */
export function timeTicks(splits: number[], incr: number): string[] {
  return splits.map((s, i) => {
    const d = new Date(s * 1000);
    if (incr < DAY_S) {
      const prev = i > 0 ? new Date(splits[i - 1]! * 1000) : null;
      const newDay = !prev || prev.getDate() !== d.getDate();
      return newDay ? `${tickTime.format(d)}\n${tickDay.format(d)}` : tickTime.format(d);
    }
    if (incr < 28 * DAY_S) return tickDay.format(d);
    return tickMonth.format(d);
  });
}

const NONE: ChartThreshold[] = [];
const NO_WINDOWS: [number, number][] = [];

export default function VitalChart({
  series,
  lines,
  unit,
  from,
  to,
  onZoom,
  height = 260,
  label,
  onDrawn,
  thresholds = NONE,
  windows = NO_WINDOWS,
}: VitalChartProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const range = useRef({ from, to });
  range.current = { from, to };
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const drawnRef = useRef(onDrawn);
  drawnRef.current = onDrawn;
  const [hover, setHover] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);

  const data = useMemo(() => toPlotData(series, lines, unit), [series, lines, unit]);
  const points = data[0]!.length;
  const readings = useMemo(() => series.buckets.reduce((n, b) => n + b.count, 0), [series]);
  // Few points: draw them as dots, or a lone reading would not show at all.
  const sparse = points < 40;
  const shape = `${lines.map((l) => l.label).join('|')}|${unit}|${sparse}|${height}`;
  const dataRef = useRef(data);
  dataRef.current = data;
  const marks = useRef({ thresholds, windows });
  marks.current = { thresholds, windows };

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      padding: [12, 20, 0, 0],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { size: 7 },
      },
      scales: {
        // A little room after the end, so the newest point is not cut in half at the edge.
        x: {
          time: true,
          range: () => {
            const { from: a, to: b } = range.current;
            return [a / 1000, (b + (b - a) * 0.015) / 1000];
          },
        },
        y: {
          range: (_u, min, max) => {
            if (min == null || max == null) return [0, 1];
            return yRange(min, max, marks.current.thresholds);
          },
        },
      },
      axes: [
        {
          ...AXIS_STYLE,
          values: (_u, splits, _axis, _space, incr) => timeTicks(splits, incr),
          // Room for "Sept 2026" or "18:00" between ticks, so labels never run together on a phone.
          space: 72,
          size: 50,
        },
        valueAxis(unit, 52),
      ],
      series: [
        {},
        ...lines.flatMap((l) => [
          // Few points: the band has no width to show, so its ends are drawn as faint dots.
          {
            label: `${l.label} highest`,
            stroke: alpha(l.color, 0.35),
            width: 1,
            points: sparse
              ? { show: true, size: 5, fill: alpha(l.color, 0.45), stroke: alpha(l.color, 0.45) }
              : { show: false },
          },
          {
            label: `${l.label} lowest`,
            stroke: alpha(l.color, 0.35),
            width: 1,
            points: sparse
              ? { show: true, size: 5, fill: alpha(l.color, 0.45), stroke: alpha(l.color, 0.45) }
              : { show: false },
          },
          {
            label: l.label,
            stroke: l.color,
            width: 2,
            points: sparse ? { show: true, size: 7, fill: l.color, stroke: l.color } : { show: false },
          },
        ]),
      ],
      bands: lines.map((l, j) => ({ series: [1 + j * 3, 2 + j * 3] as [number, number], fill: alpha(l.color, 0.14) })),
      hooks: {
        setSelect: [
          (u) => {
            const w = u.select.width;
            if (w > 4 && zoom.current) {
              const a = u.posToVal(u.select.left, 'x') * 1000;
              const b = u.posToVal(u.select.left + w, 'x') * 1000;
              zoom.current(Math.round(a), Math.round(b));
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
        // Schedule windows behind the readings.
        drawAxes: [
          (u) => {
            const { ctx, bbox } = u;
            ctx.save();
            ctx.fillStyle = 'rgba(12, 133, 153, 0.09)';
            for (const [a, b] of marks.current.windows) {
              const x0 = Math.max(bbox.left, u.valToPos(a / 1000, 'x', true));
              const x1 = Math.min(bbox.left + bbox.width, u.valToPos(b / 1000, 'x', true));
              if (x1 > x0) ctx.fillRect(x0, bbox.top, Math.max(x1 - x0, devicePixelRatio), bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            // Thresholds over the readings, each labelled at its right end.
            const { ctx, bbox } = u;
            const lo = u.scales.y?.min ?? -Infinity;
            const hi = u.scales.y?.max ?? Infinity;
            ctx.save();
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
            ctx.textAlign = 'right';
            for (const t of marks.current.thresholds) {
              if (t.value < lo || t.value > hi) continue;
              const y = u.valToPos(t.value, 'y', true);
              ctx.strokeStyle = t.color;
              ctx.beginPath();
              ctx.moveTo(bbox.left, y);
              ctx.lineTo(bbox.left + bbox.width, y);
              ctx.stroke();
              // The label on a light ground, beside the line on the side it guards.
              const x = bbox.left + bbox.width - 4 * devicePixelRatio;
              const w = ctx.measureText(t.label).width;
              const h = 13 * devicePixelRatio;
              const top = t.above === false ? y + 2 * devicePixelRatio : y - 2 * devicePixelRatio - h;
              ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
              ctx.fillRect(x - w - 2 * devicePixelRatio, top, w + 4 * devicePixelRatio, h);
              ctx.fillStyle = t.color;
              ctx.textBaseline = 'middle';
              ctx.fillText(t.label, x, top + h / 2);
            }
            ctx.restore();
          },
          () => {
            if (!el.dataset.drawn) {
              el.dataset.drawn = 'true';
              try {
                performance.mark('tend:chart-drawn');
              } catch {
                // marks are a nicety
              }
              drawnRef.current?.();
            }
            el.dataset.points = String(dataRef.current[0]!.length);
          },
        ],
      },
    };
    // A browser (or test DOM) without a 2D canvas gets the table alone.
    if (!document.createElement('canvas').getContext?.('2d')) {
      setFailed(true);
      drawnRef.current?.();
      return;
    }
    let u: uPlot;
    try {
      u = new uPlot(opts, dataRef.current as uPlot.AlignedData, el);
    } catch {
      setFailed(true);
      drawnRef.current?.();
      return;
    }
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
      delete el.dataset.drawn;
    };
    // The chart is rebuilt only when its shape changes; new data goes through setData.
  }, [shape]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(data as uPlot.AlignedData, true);
  }, [data, from, to, thresholds, windows]);

  const readout = useMemo(() => {
    if (hover == null) return null;
    const x = data[0]![hover];
    if (x == null) return null;
    const parts = lines
      .map((l, j) => {
        const mean = data[3 + j * 3]![hover];
        const min = data[2 + j * 3]![hover];
        const max = data[1 + j * 3]![hover];
        if (mean == null || min == null || max == null) return null;
        const spread = min === max ? '' : ` (${formatNumber(min, unit)}–${formatNumber(max, unit)})`;
        return `${l.label} ${formatNumber(mean, unit)}${spread}`;
      })
      .filter(Boolean);
    if (!parts.length) return null;
    return `${timeFmt.format(new Date(x * 1000))}: ${parts.join(', ')} ${unitLabel(unit)}`;
  }, [hover, data, lines, unit]);

  return (
    <Box>
      <div
        ref={wrap}
        className={classes.chart}
        role="img"
        aria-label={label}
        data-testid="vital-chart"
        data-readings={readings}
      />
      {failed && (
        <Text size="sm" c="dimmed">
          This browser cannot draw the chart; the readings are listed below.
        </Text>
      )}
      <Text size="xs" c="dimmed" mih={18} aria-live="off" data-testid="chart-readout">
        {readout ?? (onZoom && finePointer() ? 'Drag across the chart to zoom in.' : '\u00a0')}
      </Text>
    </Box>
  );
}
