// Clinical summaries of a period, and the exports (CSV, PDF report), from
// internal/summaries; and what the vital charts draw besides the readings:
// the patient's alert thresholds and schedule windows.
import { useQuery } from '@tanstack/react-query';
import { api, buildUrl } from './client';

export interface Period {
  from: string;
  to: string;
}

export interface BPMean {
  label: string;
  count: number;
  systolic: number | null;
  diastolic: number | null;
  reachesThreshold: boolean;
}

export interface BloodPressureSummary {
  period: Period;
  unit: string;
  readings: number;
  days: number;
  sufficient: boolean;
  note?: string;
  threshold: { systolic: number; diastolic: number; source: string };
  all: BPMean;
  morning: BPMean;
  evening: BPMean;
  trend: { date: string; count: number; systolic: number; diastolic: number }[];
}

export interface GlucoseCheck {
  name: string;
  value: number;
  goal: string;
  met: boolean;
}

export interface ProfileHour {
  hour: number;
  count: number;
  p5: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
}

export interface GlucoseSummary {
  period: Period;
  unit: string;
  readings: number;
  targets: { population: string; name: string; low: number; high: number; veryLow: number; veryHigh: number };
  mean: number | null;
  sd: number | null;
  cv: number | null;
  gmi: number | null;
  inRange: number | null;
  below: number | null;
  veryLow: number | null;
  above: number | null;
  veryHigh: number | null;
  checks: GlucoseCheck[];
  targetsMet: boolean;
  days: number;
  active: number;
  sufficient: boolean;
  note?: string;
  profile: ProfileHour[];
}

export interface WeightSummary {
  period: Period;
  unit: string;
  readings: number;
  first: { at: string; value: number } | null;
  latest: { at: string; value: number } | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  change: number | null;
  changePercent: number | null;
  perWeek: number | null;
  note?: string;
  daily: { date: string; count: number; mean: number }[];
}

export interface Summary {
  patient: { id: string; name: string; timeZone: string };
  period: Period;
  days: number;
  generatedAt: string;
  bloodPressure: BloodPressureSummary;
  glucose: GlucoseSummary;
  weight: WeightSummary;
}

const enc = encodeURIComponent;

/** The periods a person picks from, in days. */
export const SUMMARY_DAYS = [7, 14, 30, 90] as const;

// Under ['readings', patientId] so a live reading event reloads the summaries too.
export const summaryKey = (patientId: string, days: number) => ['readings', patientId, 'summaries', days] as const;

export function useSummaries(patientId: string, days: number, enabled = true) {
  return useQuery({
    queryKey: summaryKey(patientId, days),
    queryFn: ({ signal }) => api<Summary>(`/api/v1/patients/${enc(patientId)}/summaries`, { query: { days }, signal }),
    placeholderData: (prev) => prev,
    enabled,
  });
}

/** Where the browser downloads the readings as CSV, for instants from ≤ taken < to. */
export function csvUrl(patientId: string, from?: Date, to?: Date): string {
  return buildUrl(`/api/v1/patients/${enc(patientId)}/readings.csv`, {
    from: from?.toISOString(),
    to: to?.toISOString(),
  });
}

/** Where the browser downloads the PDF report of the last days, in the reader's units. */
export function reportUrl(patientId: string, days: number, glucoseUnit: string, weightUnit: string): string {
  return buildUrl(`/api/v1/patients/${enc(patientId)}/report.pdf`, { days, glucoseUnit, weightUnit });
}

// --- What the vital charts draw besides the readings -----------------------

export interface RuleCondition {
  component?: string;
  op: '>' | '>=' | '<' | '<=';
  value: number;
  clear: number;
}

export interface AlertRule {
  key: string;
  name: string;
  kind: string;
  measure?: string;
  conditions: RuleCondition[];
  severity: 'info' | 'warning' | 'critical';
  enabled: boolean;
}

export interface Schedule {
  id: string;
  type: string;
  typeName: string;
  times: string[];
  weekdays?: string[];
  earlyMinutes: number;
  graceMinutes: number;
  timeZone: string;
}

/** A threshold line on a chart, in the type's canonical unit. */
export interface Threshold {
  /** The panel component it applies to (systolic), or '' for a single value. */
  component: string;
  value: number;
  above: boolean;
  severity: AlertRule['severity'];
  name: string;
}

/** The thresholds of a patient's enabled vital rules on one measurement type. */
export function thresholdsFor(rules: AlertRule[], type: string): Threshold[] {
  return rules
    .filter((r) => r.enabled && r.kind === 'vital' && r.measure === type)
    .flatMap((r) =>
      r.conditions.map((c) => ({
        component: c.component ?? '',
        value: c.value,
        above: c.op === '>' || c.op === '>=',
        severity: r.severity,
        name: r.name,
      })),
    );
}

// Under the monitoring keys' prefixes, so their invalidations reach these too.
export function useAlertRulesForChart(patientId: string, enabled = true) {
  return useQuery({
    queryKey: ['alert-rules', patientId, 'chart'] as const,
    queryFn: ({ signal }) =>
      api<{ rules: AlertRule[] }>(`/api/v1/patients/${enc(patientId)}/alert-rules`, { signal }).then((r) => r.rules),
    // Someone without the alerts scope sees the chart without thresholds.
    retry: false,
    staleTime: 60_000,
    enabled,
  });
}

export function useSchedulesForChart(patientId: string, enabled = true) {
  return useQuery({
    queryKey: ['schedules', patientId, 'chart'] as const,
    queryFn: ({ signal }) =>
      api<{ schedules: Schedule[] }>(`/api/v1/patients/${enc(patientId)}/schedules`, { signal }).then(
        (r) => r.schedules,
      ),
    retry: false,
    staleTime: 60_000,
    enabled,
  });
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The offset of a time zone from UTC at an instant, in ms (Oslo in winter: +3,600,000). */
export function zoneOffset(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant a wall-clock time in a zone means (the later one across a clock change). */
export function zonedTime(timeZone: string, y: number, m: number, d: number, hh: number, mm: number): number {
  const wall = Date.UTC(y, m, d, hh, mm);
  const first = wall - zoneOffset(timeZone, wall);
  return wall - zoneOffset(timeZone, first);
}

/**
 * The windows in which a schedule's measurements are due, from its opening
 * (early minutes before each time) to its close (grace minutes after),
 * between from and to (ms), on the schedule's own clock.
 */
export function scheduleWindows(s: Schedule, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let tz = s.timeZone || 'UTC';
  try {
    zoneOffset(tz, from);
  } catch {
    tz = 'UTC';
  }
  // Walk the zone's calendar days that the range touches, with a day to spare each side.
  for (let t = from - 86_400_000; t < to + 86_400_000; t += 86_400_000) {
    const local = new Date(t + zoneOffset(tz, t));
    const y = local.getUTCFullYear();
    const m = local.getUTCMonth();
    const d = local.getUTCDate();
    if (s.weekdays?.length && !s.weekdays.includes(WEEKDAYS[local.getUTCDay()]!)) continue;
    for (const hm of s.times) {
      const [hh, mm] = hm.split(':').map(Number) as [number, number];
      const at = zonedTime(tz, y, m, d, hh, mm);
      const w: [number, number] = [at - s.earlyMinutes * 60_000, at + s.graceMinutes * 60_000];
      if (w[1] > from && w[0] < to && !out.some((o) => o[0] === w[0])) out.push(w);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}
