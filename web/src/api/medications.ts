// Medicines and their doses (internal/medications, served by
// internal/api/handlers_monitoring.go).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { monitoringKeys } from './monitoring';

export interface MedicationInput {
  name: string;
  dose: string;
  instructions?: string;
  times: string[];
  weekdays?: string[];
  windowMinutes?: number;
  reminderLeadMinutes?: number;
  remind?: boolean;
}

export interface Medication {
  id: string;
  patientId: string;
  name: string;
  dose: string;
  instructions?: string;
  times: string[];
  weekdays?: string[];
  windowMinutes: number;
  remind: boolean;
  reminderLeadMinutes: number;
  timeZone: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  stoppedAt?: string;
}

export type DoseStatus = 'upcoming' | 'due' | 'taken' | 'skipped' | 'missed';

export interface Dose {
  medicationId: string;
  name: string;
  dose: string;
  dueAt: string;
  local: string;
  windowEnd: string;
  status: DoseStatus;
  takenAt?: string;
  note?: string;
  recordedAt?: string;
  recordedBy?: string;
}

export const DOSE_LABELS: Record<DoseStatus, string> = {
  upcoming: 'Later',
  due: 'Due now',
  taken: 'Taken',
  skipped: 'Skipped',
  missed: 'Missed',
};
export const DOSE_COLORS: Record<DoseStatus, string> = {
  upcoming: 'gray',
  due: 'blue',
  taken: 'green',
  skipped: 'yellow',
  missed: 'red',
};

const enc = encodeURIComponent;
const base = (patientId: string) => `/api/v1/patients/${enc(patientId)}/medications`;

// Every medicine query of a patient starts with ['medications', patientId],
// which the live door reloads on medication events.
const medKeys = {
  list: (p: string, stopped: boolean) => [...monitoringKeys.medications(p), 'list', { stopped }] as const,
  today: (p: string) => [...monitoringKeys.medications(p), 'today'] as const,
  doses: (p: string, from: string, to: string) => [...monitoringKeys.medications(p), 'doses', from, to] as const,
};

export function useMedications(patientId: string, stopped = false, enabled = true) {
  return useQuery({
    queryKey: medKeys.list(patientId, stopped),
    queryFn: ({ signal }) =>
      api<{ medications: Medication[] }>(base(patientId), {
        query: { stopped: stopped ? 'true' : undefined },
        signal,
      }).then((r) => r.medications),
    enabled,
  });
}

export function useTodayDoses(patientId: string, enabled = true) {
  return useQuery({
    queryKey: medKeys.today(patientId),
    queryFn: ({ signal }) => api<{ doses: Dose[] }>(`${base(patientId)}/today`, { signal }).then((r) => r.doses),
    enabled,
    // A dose becomes due, then missed, with the clock.
    refetchInterval: 60_000,
  });
}

export function useDoses(patientId: string, from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: medKeys.doses(patientId, from, to),
    queryFn: ({ signal }) =>
      api<{ doses: Dose[] }>(`${base(patientId)}/doses`, { query: { from, to }, signal }).then((r) => r.doses),
    enabled,
  });
}

export function useSaveMedication(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: MedicationInput }) =>
      id
        ? api<Medication>(`/api/v1/medications/${enc(id)}`, { method: 'PUT', body: { patientId, ...input } })
        : api<Medication>('/api/v1/medications', { method: 'POST', body: { patientId, ...input } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: monitoringKeys.medications(patientId) }),
  });
}

export function useStopMedication(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<void>(`/api/v1/medications/${enc(id)}/stop`, { method: 'POST', body: { patientId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: monitoringKeys.medications(patientId) }),
  });
}

export function useRecordDose(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (d: { medicationId: string; dueAt: string; status: 'taken' | 'skipped'; note?: string }) =>
      api<Dose>(`/api/v1/medications/${enc(d.medicationId)}/doses`, {
        method: 'POST',
        body: { patientId, dueAt: d.dueAt, status: d.status, note: d.note },
      }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: monitoringKeys.medications(patientId) }),
        qc.invalidateQueries({ queryKey: ['journal', patientId] }),
      ]),
  });
}
