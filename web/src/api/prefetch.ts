// Starts everything a patient page shows first, in parallel and as soon as
// its address is known, instead of one request after each render: the
// patient (for the viewer's scopes), the measurement types, the latest of
// each type, the first chart's buckets, and the chart's code.
import type { QueryClient } from '@tanstack/react-query';
import { loadChart } from '../components/VitalChart/load';
import { presentTypes, typesQuery } from './measurementTypes';
import { patientQuery } from './patients';
import { bucketsQuery, CHART_BUCKETS, DEFAULT_SPAN, latestQuery } from './readings';

export async function prefetchRecord(qc: QueryClient, patientId: string): Promise<void> {
  const [patient, types] = await Promise.all([
    qc.fetchQuery(patientQuery(patientId)).catch(() => null),
    qc.fetchQuery(typesQuery).catch(() => null),
  ]);
  // Ask for readings only when the viewer may see them: a refusal would be audited as a denial.
  if (!patient || !types || !(patient.access === 'self' || patient.scopes.includes('vitals'))) return;
  void loadChart();
  const latest = await qc.fetchQuery(latestQuery(patientId, types)).catch(() => null);
  const first = latest && presentTypes(types, latest)[0];
  if (first) await qc.prefetchQuery(bucketsQuery(patientId, first.key, { span: DEFAULT_SPAN }, CHART_BUCKETS));
}
