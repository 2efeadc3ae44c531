import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { AuditEvent } from './types';

/** Who touched this patient's data: readable by the patient themself. */
export function useAccessLog(patientId: string | undefined, limit = 100) {
  return useQuery<AuditEvent[]>({
    queryKey: keys.accessLog(patientId ?? '', limit),
    queryFn: ({ signal }) =>
      api<{ events: AuditEvent[] }>(`/api/v1/patients/${encodeURIComponent(patientId!)}/access-log`, {
        query: { limit },
        signal,
      }).then((r) => r.events ?? []),
    enabled: !!patientId,
    placeholderData: keepPreviousData,
  });
}

/** The whole audit trail, filtered: administrators only. */
export function useAudit(filter: { patientId?: string; actorId?: string; limit?: number }) {
  return useQuery<AuditEvent[]>({
    queryKey: keys.audit(filter),
    queryFn: ({ signal }) =>
      api<{ events: AuditEvent[] }>('/api/v1/audit', { query: filter, signal }).then((r) => r.events ?? []),
    placeholderData: keepPreviousData,
  });
}
