import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { PatientDetail, PatientSummary } from './types';

/** The patients the signed-in user may see, with how (care team or shared). */
export function usePatients() {
  return useQuery({
    queryKey: keys.patients,
    queryFn: ({ signal }) =>
      api<{ patients: PatientSummary[] }>('/api/v1/patients', { signal }).then((r) => r.patients ?? []),
  });
}

export const patientQuery = (id: string) => ({
  queryKey: keys.patient(id),
  queryFn: ({ signal }: { signal?: AbortSignal }) =>
    api<PatientDetail>(`/api/v1/patients/${encodeURIComponent(id)}`, { signal }),
  retry: false,
});

export function usePatient(id: string) {
  return useQuery(patientQuery(id));
}
