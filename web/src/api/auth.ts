import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, rememberCsrfToken } from './client';
import { keys } from './keys';
import { meQuery } from './queries';
import type { LoginResponse } from './types';

export { fetchMe, meQuery } from './queries';

/**
 * Drops every cached answer except the "me" query itself. The me query stays so
 * that components watching it see the change (removing it would leave them
 * attached to a forgotten query).
 */
export function forgetAllButMe(qc: QueryClient): void {
  qc.removeQueries({ predicate: (q) => !(q.queryKey.length === 1 && q.queryKey[0] === keys.me[0]) });
  qc.getMutationCache().clear();
}

export function useMe() {
  return useQuery(meQuery);
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) =>
      api<LoginResponse>('/api/v1/auth/login', { method: 'POST', body, quietUnauthorized: true }),
    onSuccess: (res) => {
      rememberCsrfToken(res.csrfToken);
      // A new person may be signing in on the same tab: forget what the last one saw.
      forgetAllButMe(qc);
      qc.setQueryData(keys.me, res.user);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/api/v1/auth/logout', { method: 'POST', quietUnauthorized: true }),
    onSettled: () => {
      rememberCsrfToken('');
      forgetAllButMe(qc);
      qc.setQueryData(keys.me, null);
    },
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      api<void>('/api/v1/me/password', { method: 'POST', body }),
  });
}
