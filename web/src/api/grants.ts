import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Grant, Scope } from './types';

const base = (patientId: string) => `/api/v1/patients/${encodeURIComponent(patientId)}`;

export function useGrants(patientId: string | undefined) {
  return useQuery({
    queryKey: keys.grants(patientId ?? ''),
    queryFn: ({ signal }) =>
      api<{ grants: Grant[] }>(`${base(patientId!)}/grants`, { signal }).then((r) => r.grants ?? []),
    enabled: !!patientId,
  });
}

export interface NewGrant {
  granteeEmail: string;
  scopes: Scope[];
  expiresAt?: string;
}

export function useCreateGrant(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewGrant) => api<Grant>(`${base(patientId)}/grants`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.grants(patientId) }),
  });
}

export function useAddToCareTeam(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api<Grant>(`${base(patientId)}/care-team`, { method: 'POST', body: { userId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.grants(patientId) }),
  });
}

export function useRevokeGrant(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (grantId: string) =>
      api<void>(`${base(patientId)}/grants/${encodeURIComponent(grantId)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.grants(patientId) }),
  });
}
