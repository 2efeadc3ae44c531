import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { NewUser, Role, User, UserPatch } from './types';

export function useUsers(q: string, role: Role | '') {
  return useQuery<User[]>({
    queryKey: keys.users(q, role),
    queryFn: ({ signal }) =>
      api<{ users: User[] }>('/api/v1/users', { query: { q, role }, signal }).then((r) => r.users ?? []),
    placeholderData: keepPreviousData,
  });
}

export function useUser(id: string) {
  return useQuery({
    queryKey: keys.user(id),
    queryFn: ({ signal }) => api<User>(`/api/v1/users/${encodeURIComponent(id)}`, { signal }),
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewUser) => api<User>('/api/v1/users', { method: 'POST', body }),
    onSuccess: (user) => {
      qc.setQueryData(keys.user(user.id), user);
      return qc.invalidateQueries({ queryKey: keys.usersAll });
    },
  });
}

export function useUpdateUser(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: UserPatch) =>
      api<User>(`/api/v1/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: (user) => {
      qc.setQueryData(keys.user(user.id), user);
      return qc.invalidateQueries({ queryKey: keys.usersAll });
    },
  });
}
