// Starts everything a patient page shows first, in parallel and as soon as
// its address is known, instead of one request after each render: the
// patient (for the viewer's scopes), the measurement types, the latest of
// each type, the first chart's buckets, and the chart's code.
import type { QueryClient } from '@tanstack/react-query';
import { loadChart } from '../components/VitalChart/load';
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
  const [patient, types] = await Promise.all([
    fetch(patientQuery(patientId)).catch(() => null),
    fetch(typesQuery).catch(() => null),
  ]);
  // Ask for readings only when the viewer may see them: a refusal would be audited as a denial.
  if (!patient || !types || !(patient.access === 'self' || patient.scopes.includes('vitals'))) return;
  void loadChart();
  const latest = await fetch(latestQuery(patientId, types)).catch(() => null);
  const first = latest && presentTypes(types, latest)[0];
  if (first) await fetch(bucketsQuery(patientId, first.key, { span: DEFAULT_SPAN }, CHART_BUCKETS)).catch(() => null);
}
