// The queries a patient page starts with, as plain objects with no React
// in them, so that the boot script (src/boot.ts) can start them before the
// app's code is in, and the app's hooks can use the very same ones.
import { api, ApiError } from './client';
import { keys } from './keys';
import type { MeasurementType } from './measurementTypes';
import type { Reading, ReadingPage, Series } from './readings';
import type { Me, PatientDetail } from './types';

/** Fetches the signed-in user; resolves with null when nobody is signed in. */
export async function fetchMe(): Promise<Me | null> {
  try {
    return await api<Me>('/api/v1/me', { quietUnauthorized: true });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export const meQuery = { queryKey: keys.me, queryFn: fetchMe, staleTime: 60_000, retry: false };

export const patientQuery = (id: string) => ({
  queryKey: keys.patient(id),
  queryFn: ({ signal }: { signal?: AbortSignal }) =>
    api<PatientDetail>(`/api/v1/patients/${encodeURIComponent(id)}`, { signal }),
  retry: false,
});

/** The catalogue hardly ever changes: load it once per session. */
export const typesQuery = {
  queryKey: keys.measurementTypes,
  queryFn: ({ signal }: { signal?: AbortSignal }) =>
    api<{ types: MeasurementType[] }>('/api/v1/measurement-types', { signal }).then((r) => r.types ?? []),
  staleTime: Infinity,
};

/** The order charts are offered in: what a clinician looks at first. */
export const CHART_ORDER = [
  'blood_pressure',
  'heart_rate',
  'blood_glucose',
  'spo2',
  'body_temperature',
  'respiratory_rate',
  'body_weight',
  'body_height',
];

export function byChartOrder<T extends { key: string }>(a: T, b: T): number {
  const ia = CHART_ORDER.indexOf(a.key);
  const ib = CHART_ORDER.indexOf(b.key);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
}

/** The types a patient has readings of, in chart order. */
export function presentTypes<T extends { key: string }>(types: T[], latest: Record<string, unknown>): T[] {
  return types.filter((t) => latest[t.key]).sort(byChartOrder);
}

export const enc = encodeURIComponent;
export const base = (patientId: string) => `/api/v1/patients/${enc(patientId)}`;

export interface ReadingFilter {
  types?: string[];
  includeEnteredInError?: boolean;
}

export function listQuery(f: ReadingFilter, cursor: string, limit: number): string {
  const q = new URLSearchParams();
  for (const t of f.types ?? []) q.append('type', t);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  if (f.includeEnteredInError) q.set('includeEnteredInError', 'true');
  return q.toString();
}

/**
 * The newest reading of every type, by type, in one request: which vitals
 * the patient has, and where each stands now.
 */
export const latestQuery = (patientId: string) => ({
  queryKey: keys.latestReadings(patientId),
  queryFn: async ({ signal }: { signal?: AbortSignal }) => {
    const page = await api<ReadingPage>(`${base(patientId)}/readings/latest`, { signal });
    return latestByType(page.readings ?? []);
  },
});

/** The newest of each type, keyed by type, from readings newest first. */
export function latestByType(readings: Reading[]): Record<string, Reading> {
  const out: Record<string, Reading> = {};
  for (const r of readings) out[r.type] ??= r;
  return out;
}

/** What a patient's page shows first, in one answer (GET …/overview). */
export interface Overview {
  patient: PatientDetail;
  /** Only when the viewer may see vitals. */
  latest?: Reading[];
  /** The first chart: the first type in CHART_ORDER the patient has. */
  series?: Series;
}

export function fetchOverview(patientId: string, range: ChartRange, n: number): Promise<Overview> {
  const { from, to } = rangeBounds(range);
  const q = new URLSearchParams();
  for (const t of CHART_ORDER) q.append('chart', t);
  q.set('from', from.toISOString());
  q.set('to', to.toISOString());
  q.set('n', String(n));
  return api<Overview>(`${base(patientId)}/overview?${q}`);
}

/** A chart range: a span ending now (so a refetch moves with time), or fixed ends. */
export type ChartRange = { span: number } | { from: string; to: string };

export function rangeBounds(r: ChartRange, now = Date.now()): { from: Date; to: Date } {
  if ('span' in r) return { from: new Date(now - r.span), to: new Date(now) };
  return { from: new Date(r.from), to: new Date(r.to) };
}

/** What a chart first shows: the last week, in about as many buckets as a wide chart has pixels to spare. */
export const DEFAULT_SPAN = 7 * 24 * 3_600_000;
export const CHART_BUCKETS = 600;

export const bucketsQuery = (patientId: string, type: string, range: ChartRange, n: number) => ({
  queryKey: keys.buckets(patientId, type, { ...range, n }),
  queryFn: ({ signal }: { signal?: AbortSignal }) => {
    const { from, to } = rangeBounds(range);
    return api<Series>(`${base(patientId)}/readings/buckets`, {
      query: { type, from: from.toISOString(), to: to.toISOString(), n },
      signal,
    });
  },
});
