// The signed-in user's notifications and how they reach them
// (internal/notify, served by internal/api/handlers_notify.go).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { monitoringKeys } from './monitoring';

export interface Notification {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  body: string;
  link?: string;
  patientId?: string;
  createdAt: string;
  readAt?: string;
}

export type EmailLevel = 'off' | 'all' | 'warning' | 'critical';

export interface PreferenceRule {
  kind: string;
  email: EmailLevel;
}

export interface Preferences {
  timeZone?: string;
  rules: PreferenceRule[];
  quietHours?: { start: string; end: string };
}

export const EMAIL_LEVEL_LABELS: Record<EmailLevel, string> = {
  off: 'Only in Tend',
  all: 'Also by email',
  warning: 'By email when warning or critical',
  critical: 'By email when critical',
};

const inboxKey = [...monitoringKeys.notifications, 'inbox'] as const;
const prefsKey = [...monitoringKeys.notifications, 'preferences'] as const;

export function useNotifications() {
  return useQuery({
    queryKey: inboxKey,
    queryFn: ({ signal }) =>
      api<{ notifications: Notification[]; unread: number }>('/api/v1/me/notifications', {
        query: { limit: 20 },
        signal,
      }),
    // The live door's notices reload it at once; the interval covers a dropped socket.
    refetchInterval: 60_000,
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<void>(`/api/v1/me/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inboxKey }),
  });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/api/v1/me/notifications/read-all', { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inboxKey }),
  });
}

export function usePreferences() {
  return useQuery({
    queryKey: prefsKey,
    queryFn: ({ signal }) => api<Preferences>('/api/v1/me/notification-preferences', { signal }),
  });
}

export function useSetPreferences() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: Preferences) => api<Preferences>('/api/v1/me/notification-preferences', { method: 'PUT', body: p }),
    onSuccess: (p) => qc.setQueryData(prefsKey, p),
  });
}
