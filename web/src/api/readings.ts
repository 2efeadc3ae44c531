import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import { base, bucketsQuery, enc, latestQuery, listQuery, type ChartRange, type ReadingFilter } from './queries';

export {
  bucketsQuery,
  CHART_BUCKETS,
  DEFAULT_SPAN,
  latestQuery,
  rangeBounds,
  type ChartRange,
  type ReadingFilter,
} from './queries';

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

// The first page is short, so the forms below stay in sight; "older" pages are longer.
const FIRST_PAGE = 15;
const PAGE = 50;

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

export function useLatestReadings(patientId: string, enabled = true) {
  return useQuery({ ...latestQuery(patientId), enabled });
}

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
