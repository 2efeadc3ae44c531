import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useParams } from 'react-router';
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
    // Only a head start: the page asks again itself and shows what failed.
    if (id) void prefetchRecord(cacheOf(qc), id).catch(() => {});
  }, [qc, id]);
  return null;
}
