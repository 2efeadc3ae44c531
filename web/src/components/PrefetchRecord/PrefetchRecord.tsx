import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { keys } from '../../api/keys';
import { cacheOf, prefetchRecord } from '../../api/prefetch';
import { useSession } from '../../session/SessionContext';
import { loadChart } from '../VitalChart/load';

/**
 * Placed beside a patient page's lazy route (outside its Suspense), it
 * starts the page's data and the chart's code (uPlot) while the page's code
 * is still loading.
 */
export function PrefetchRecord({ self = false }: { self?: boolean }) {
  const { patientId = '' } = useParams();
  const { me } = useSession();
  const qc = useQueryClient();
  const id = self ? me.id : patientId;
  useEffect(() => {
    void loadChart();
    if (!id) return;
    // A page opened directly has its first data from boot (src/boot.ts) already:
    // asking again would fetch, audit and compare a year's chart once more
    // just as the chart is being drawn.
    const had = qc.getQueryState(keys.patient(id));
    const stale = qc.getDefaultOptions().queries?.staleTime;
    const freshFor = typeof stale === 'number' ? stale : 0;
    if (had?.data !== undefined && Date.now() - had.dataUpdatedAt < freshFor) return;
    // Only a head start: the page asks again itself and shows what failed.
    void prefetchRecord(cacheOf(qc), id).catch(() => {});
  }, [qc, id]);
  return null;
}
