// Starts everything a patient page shows first, as soon as its address is
// known, instead of one request after each render: the patient (for the
// viewer's scopes) and the measurement types, the latest reading of each
// type, then the first chart's buckets. (The chart's code is its callers'
// to start: src/boot.ts runs it after these answers.)
import type { QueryClient } from '@tanstack/react-query';
import {
  bucketsQuery,
  CHART_BUCKETS,
  DEFAULT_SPAN,
  latestQuery,
  patientQuery,
  presentTypes,
  typesQuery,
} from './queries';

interface Query<T> {
  queryKey: readonly unknown[];
  queryFn: (ctx: { signal?: AbortSignal }) => Promise<T>;
}

/** Runs a query once, or answers from what is already there: react-query's fetchQuery, or the boot script's. */
export type Fetch = <T>(q: Query<T>) => Promise<T>;

export const fetchWith =
  (qc: QueryClient): Fetch =>
  (q) =>
    qc.fetchQuery(q);

export async function prefetchRecord(fetch: Fetch, patientId: string): Promise<void> {
  const typesAnswer = fetch(typesQuery).catch(() => null);
  const patient = await fetch(patientQuery(patientId)).catch(() => null);
  // Ask for readings only when the viewer may see them: a refusal would be audited as a denial.
  if (!patient || !(patient.access === 'self' || patient.scopes.includes('vitals'))) return;
  const [types, latest] = await Promise.all([typesAnswer, fetch(latestQuery(patientId)).catch(() => null)]);
  const first = types && latest && presentTypes(types, latest)[0];
  if (first) await fetch(bucketsQuery(patientId, first.key, { span: DEFAULT_SPAN }, CHART_BUCKETS)).catch(() => null);
}
