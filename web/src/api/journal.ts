import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Correction } from './readings';

export const ENTRY_KINDS = ['food', 'medication', 'symptom', 'note'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const ENTRY_KIND_LABELS: Record<EntryKind, string> = {
  food: 'Food',
  medication: 'Medication taken',
  symptom: 'Symptom',
  note: 'Note',
};

export interface JournalEntry {
  id: string;
  patientId: string;
  kind: EntryKind;
  occurredAt: string;
  name?: string;
  amount?: string;
  carbsGrams?: number;
  severity?: number;
  note?: string;
  enteredBy: string;
  /** enteredBy's name as the viewer may know it ("another Tend user" when not). */
  enteredByName?: string;
  createdAt: string;
  status: 'final' | 'entered-in-error';
  correction?: Correction;
}

export interface NewEntry {
  kind: EntryKind;
  occurredAt: string;
  name?: string;
  amount?: string;
  carbsGrams?: number;
  severity?: number;
  note?: string;
}

const enc = encodeURIComponent;
const base = (patientId: string) => `/api/v1/patients/${enc(patientId)}/journal`;
const PAGE = 20;

export function useJournal(patientId: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.journalList(patientId, {}),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) =>
      api<{ entries: JournalEntry[]; next?: string }>(base(patientId), {
        query: { limit: PAGE, cursor: pageParam || undefined },
        signal,
      }),
    getNextPageParam: (last) => last.next || undefined,
    enabled,
  });
}

export function useAddJournalEntry(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewEntry) => api<JournalEntry>(base(patientId), { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.journal(patientId) }),
  });
}

export function useMarkEntryInError(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      api<JournalEntry>(`${base(patientId)}/${enc(id)}/entered-in-error`, { method: 'POST', body: { reason } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.journal(patientId) }),
  });
}
