import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import { patientQuery } from './queries';
import type { PatientSummary } from './types';

export { patientQuery } from './queries';

/** The patients the signed-in user may see, with how (care team or shared). */
export function usePatients() {
  return useQuery({
    queryKey: keys.patients,
    queryFn: ({ signal }) =>
      api<{ patients: PatientSummary[] }>('/api/v1/patients', { signal }).then((r) => r.patients ?? []),
  });
}

export function usePatient(id: string) {
  return useQuery(patientQuery(id));
}
