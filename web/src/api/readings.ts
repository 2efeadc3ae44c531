import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { MeasurementType } from './measurementTypes';

export interface ReadingComponent {
  key: string;
  loinc?: string;
  value: number;
}

export type ReadingSource = 'device' | 'manual' | 'import';

/** A stored reading, values in the type's canonical unit. */
export interface Reading {
  id: string;
  patientId?: string;
  type: string;
  loinc: string;
  value?: number;
  components?: ReadingComponent[];
  unit: string;
  original?: { value?: number; components?: ReadingComponent[]; unit: string };
  takenAt: string;
  receivedAt: string;
  source: ReadingSource;
  door: string;
  deviceId?: string;
  /** The user who entered or relayed it. */
  enteredBy?: string;
  /** enteredBy's name as the viewer may know it ("another Tend user" when not). */
  enteredByName?: string;
  flags?: string[];
  externalId?: string;
  status: 'final' | 'entered-in-error';
  correction?: Correction;
}

/** Who marked a reading or journal entry entered in error, when and why. */
export interface Correction {
  at: string;
  by: string;
  /** by's name as the viewer may know it. */
  byName?: string;
  reason: string;
}

export interface ReadingPage {
  readings: Reading[];
  next?: string;
}

export interface Stats {
  count: number;
  min: number;
  max: number;
  mean: number;
}

export interface Bucket {
  start: string;
  end: string;
  count: number;
  stats: Stats[];
}

/** A chart's worth of buckets for one type. */
export interface Series {
  type: string;
  unit: string;
  components: string[];
  from: string;
  to: string;
  /** Nanoseconds. */
  width: number;
  buckets: Bucket[];
}

export interface NewReading {
  type: string;
  value?: number;
  components?: { key: string; value: number }[];
  unit: string;
  takenAt: string;
  externalId?: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ItemResult {
  outcome: 'stored' | 'duplicate' | 'refused';
  id?: string;
  reason?: string;
  message?: string;
  fields?: { field: string; message: string }[];
}

export interface IngestAnswer {
  results: ItemResult[];
  stored: number;
  duplicate: number;
  refused: number;
}

/** The wrong fields of a refused item, keyed by field ("value", "components.diastolic", "unit", "takenAt"). */
export function itemFieldErrors(r: ItemResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of r.fields ?? []) {
    const field = f.field;
    const msg = f.message || r.message || '';
    if (field && !out[field]) out[field] = msg;
  }
  return out;
}

const enc = encodeURIComponent;
const base = (patientId: string) => `/api/v1/patients/${enc(patientId)}`;

export interface ReadingFilter {
  types?: string[];
  includeEnteredInError?: boolean;
}

// The first page is short, so the forms below stay in sight; "older" pages are longer.
const FIRST_PAGE = 15;
const PAGE = 50;

function listQuery(f: ReadingFilter, cursor: string, limit: number): string {
  const q = new URLSearchParams();
  for (const t of f.types ?? []) q.append('type', t);
  q.set('limit', String(limit));
  if (cursor) q.set('cursor', cursor);
  if (f.includeEnteredInError) q.set('includeEnteredInError', 'true');
  return q.toString();
}

/** The patient's readings, newest first, a page at a time. */
export function useReadings(patientId: string, f: ReadingFilter, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.readingList(patientId, f),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) =>
      api<ReadingPage>(`${base(patientId)}/readings?${listQuery(f, pageParam, pageParam ? PAGE : FIRST_PAGE)}`, {
        signal,
      }),
    getNextPageParam: (last) => last.next || undefined,
    placeholderData: keepPreviousData,
    enabled,
  });
}

/**
 * The newest reading of every type, one small request per type: which
 * vitals the patient has, and where each stands now.
 */
export const latestQuery = (patientId: string, types: MeasurementType[] | undefined) => ({
  queryKey: keys.latestReadings(patientId),
  queryFn: async ({ signal }: { signal?: AbortSignal }) => {
    const pages = await Promise.all(
      (types ?? []).map((t) =>
        api<ReadingPage>(`${base(patientId)}/readings?${listQuery({ types: [t.key] }, '', 1)}`, { signal }),
      ),
    );
    const out: Record<string, Reading> = {};
    pages.forEach((p, i) => {
      const r = p.readings?.[0];
      if (r) out[types![i]!.key] = r;
    });
    return out;
  },
});

export function useLatestReadings(patientId: string, types: MeasurementType[] | undefined, enabled = true) {
  return useQuery({ ...latestQuery(patientId, types), enabled: enabled && !!types });
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

export function useBuckets(patientId: string, type: string, range: ChartRange, n: number, enabled = true) {
  return useQuery({
    ...bucketsQuery(patientId, type, range, n),
    placeholderData: (prev: Series | undefined) => (prev && prev.type === type ? prev : undefined),
    enabled: enabled && !!type,
  });
}

export function useEnterReadings(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (items: NewReading[]) =>
      api<IngestAnswer>(`${base(patientId)}/readings`, { method: 'POST', body: { readings: items } }),
    onSuccess: (ans) => {
      if (ans.stored > 0) void qc.invalidateQueries({ queryKey: keys.readings(patientId) });
    },
  });
}

export function useMarkReadingInError(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      api<Reading>(`${base(patientId)}/readings/${enc(id)}/entered-in-error`, { method: 'POST', body: { reason } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.readings(patientId) }),
  });
}
