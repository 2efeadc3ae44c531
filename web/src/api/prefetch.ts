// Starts everything a patient page shows first, as soon as its address is
// known, instead of one request after each render: the measurement types,
// and in one answer the patient (with the viewer's scopes), the latest
// reading of each type and the first chart's buckets, each put in the
// cache under the key its own query has. (The chart's code is the callers'
// to start: src/boot.ts runs it after these answers.)
import type { QueryClient } from '@tanstack/react-query';
import { keys } from './keys';
import { bucketsQuery, CHART_BUCKETS, DEFAULT_SPAN, fetchOverview, latestByType, typesQuery } from './queries';

interface Query<T> {
  queryKey: readonly unknown[];
  queryFn: (ctx: { signal?: AbortSignal }) => Promise<T>;
}

/** Query answers: react-query's cache, or the boot script's until the app takes over. */
export interface Cache {
  /** Runs a query once, or answers from what is already there. */
  fetch: <T>(q: Query<T>) => Promise<T>;
  /** Puts an answer in under a query's key, as if that query had run. */
  put: (queryKey: readonly unknown[], value: unknown) => void;
}

export const cacheOf = (qc: QueryClient): Cache => ({
  fetch: (q) => qc.fetchQuery(q),
  put: (queryKey, value) => qc.setQueryData(queryKey, value),
});

export async function prefetchRecord(cache: Cache, patientId: string): Promise<void> {
  void cache.fetch(typesQuery).catch(() => null);
  // The server leaves out what the viewer may not see: nothing is refused, nothing audited as a denial.
  const range = { span: DEFAULT_SPAN };
  const o = await fetchOverview(patientId, range, CHART_BUCKETS);
  cache.put(keys.patient(patientId), o.patient);
  if (o.latest) cache.put(keys.latestReadings(patientId), latestByType(o.latest));
  if (o.series) cache.put(bucketsQuery(patientId, o.series.type, range, CHART_BUCKETS).queryKey, o.series);
}
