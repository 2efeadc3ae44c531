// Monitoring: alerts and their inbox, measurement schedules and what is due
// today, alert rules, NEWS2 and escalation chains (internal/monitoring,
// served by internal/api/handlers_monitoring.go).
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryKey,
} from '@tanstack/react-query';
import { api } from './client';
import type { LiveEvent } from './live';
import type { Role } from './types';

export type Severity = 'info' | 'warning' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export type AlertKind = 'vital' | 'news2' | 'missed' | 'device';

export const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];
export const ALERT_STATUSES: AlertStatus[] = ['open', 'acknowledged', 'resolved'];
export const ALERT_KINDS: AlertKind[] = ['vital', 'news2', 'missed', 'device'];

export const SEVERITY_LABELS: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };
export const SEVERITY_COLORS: Record<Severity, string> = { critical: 'red', warning: 'orange', info: 'blue' };
export const STATUS_LABELS: Record<AlertStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};
export const STATUS_COLORS: Record<AlertStatus, string> = { open: 'red', acknowledged: 'yellow', resolved: 'gray' };
export const KIND_LABELS: Record<AlertKind, string> = {
  vital: 'Reading out of range',
  news2: 'NEWS2',
  missed: 'Missed measurement',
  device: 'Device',
};

export interface AlertLogEntry {
  at: string;
  actorId?: string;
  actorName?: string;
  action: 'notified' | 'escalated' | 'acknowledged' | 'commented' | 'resolved' | 'cleared' | 'severity';
  step?: number;
  detail?: string;
}

export interface Alert {
  id: string;
  patientId: string;
  patientName?: string;
  ruleKey: string;
  kind: AlertKind;
  severity: Severity;
  title: string;
  detail?: string;
  readingId?: string;
  deviceId?: string;
  status: AlertStatus;
  count: number;
  firstAt: string;
  lastAt: string;
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  acknowledgedByName?: string;
  ackComment?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolvedByName?: string;
  resolveComment?: string;
  clearedAt?: string;
  escalationStep: number;
  escalateAt?: string;
  history?: AlertLogEntry[];
}

const enc = encodeURIComponent;

// Every alert query starts with ['alerts']: the live door's alert events
// reload ['alerts', patientId], and useAlertEvents reloads them all.
export const monitoringKeys = {
  alertsAll: ['alerts'] as const,
  inbox: (f: object) => ['alerts', 'inbox', f] as const,
  openCount: ['alerts', 'open-count'] as const,
  patientAlerts: (patientId: string, f: object) => ['alerts', patientId, 'list', f] as const,
  alert: (patientId: string, id: string) => ['alerts', patientId, 'one', id] as const,
  schedules: (patientId: string) => ['schedules', patientId] as const,
  due: (patientId: string) => ['schedules', patientId, 'due'] as const,
  rules: (patientId: string) => ['alert-rules', patientId] as const,
  news2: (patientId: string) => ['news2', patientId] as const,
  news2Settings: (patientId: string) => ['news2', patientId, 'settings'] as const,
  chain: (patientId: string) => ['escalation', patientId] as const,
  medications: (patientId: string) => ['medications', patientId] as const,
  notifications: ['notifications'] as const,
};

/** The professional roles that work with alerts. */
export function handlesAlerts(role: Role | null): boolean {
  return role === 'nurse' || role === 'doctor';
}

/** What to reload when a live event arrives, for the monitoring parts of the app. */
export function monitoringKeysForEvent(e: LiveEvent): QueryKey[] {
  const p = e.patientId;
  // An alert may also have told the viewer: their notifications change with it.
  if (e.kind.startsWith('alert.')) return [monitoringKeys.alertsAll, monitoringKeys.notifications];
  if (e.kind.startsWith('reading.')) return [monitoringKeys.due(p), monitoringKeys.news2(p)];
  if (e.kind === 'schedule.changed') return [monitoringKeys.schedules(p)];
  if (e.kind.startsWith('medication.')) return [monitoringKeys.medications(p)];
  return [];
}

/** A patient's monitoring data, reloaded after the live connection missed events. */
export function monitoringKeysAbout(p: string): QueryKey[] {
  return [monitoringKeys.schedules(p), monitoringKeys.news2(p), monitoringKeys.medications(p)];
}

/** Reloaded after the live connection missed events, whoever is watched. */
export const monitoringKeysAfterGap: QueryKey[] = [monitoringKeys.alertsAll, monitoringKeys.notifications];

/** The alert an alert.* event carries, when it does. */
export function alertOf(e: LiveEvent): Alert | null {
  if (!e.kind.startsWith('alert.') || !e.data || typeof e.data !== 'object') return null;
  const a = e.data as Partial<Alert>;
  return a.id && a.title ? (a as Alert) : null;
}

// Alerts.

export interface InboxFilter {
  status: AlertStatus[];
  patientId?: string;
}

const PAGE = 100;

export function useAlertInbox(f: InboxFilter, enabled = true) {
  return useInfiniteQuery({
    queryKey: monitoringKeys.inbox(f),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) =>
      api<{ alerts: Alert[] }>('/api/v1/alerts', {
        query: {
          status: f.status.join(','),
          patientId: f.patientId || undefined,
          before: pageParam || undefined,
          limit: PAGE,
        },
        signal,
      }),
    getNextPageParam: (last) =>
      last.alerts.length < PAGE ? undefined : last.alerts[last.alerts.length - 1]?.openedAt || undefined,
    // Changing a filter keeps the list on screen until the new one is in.
    placeholderData: keepPreviousData,
    enabled,
  });
}

const COUNT_LIMIT = 500;

/** How many alerts are open (not yet acknowledged) across the caller's patients; "500+" past the page. */
export function useOpenAlertCount(enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.openCount,
    queryFn: ({ signal }) =>
      api<{ alerts: Alert[] }>('/api/v1/alerts', { query: { status: 'open', limit: COUNT_LIMIT }, signal }).then(
        (r) => ({ count: r.alerts.length, more: r.alerts.length >= COUNT_LIMIT }),
      ),
    enabled,
    refetchInterval: 30_000,
  });
}

export function usePatientAlerts(patientId: string, status: AlertStatus[], enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.patientAlerts(patientId, { status }),
    queryFn: ({ signal }) =>
      api<{ alerts: Alert[] }>(`/api/v1/patients/${enc(patientId)}/alerts`, {
        query: { status: status.join(','), limit: 50 },
        signal,
      }).then((r) => r.alerts),
    enabled,
  });
}

export function useAlert(patientId: string, alertId: string) {
  return useQuery({
    queryKey: monitoringKeys.alert(patientId, alertId),
    queryFn: ({ signal }) => api<Alert>(`/api/v1/patients/${enc(patientId)}/alerts/${enc(alertId)}`, { signal }),
  });
}

export type AlertAction = 'acknowledge' | 'resolve' | 'comments';

/** Acknowledge, resolve or comment on an alert; every alert list reloads after. */
export function useAlertAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action, comment }: { id: string; action: AlertAction; comment?: string }) =>
      api<Alert>(`/api/v1/alerts/${enc(id)}/${action}`, {
        method: 'POST',
        body: comment ? { comment } : {},
      }),
    onSuccess: (a) => {
      qc.setQueryData(monitoringKeys.alert(a.patientId, a.id), (old: Alert | undefined) =>
        old ? { ...a, history: a.history ?? old.history } : old,
      );
      return qc.invalidateQueries({ queryKey: monitoringKeys.alertsAll });
    },
  });
}

export const HISTORY_LABELS: Record<AlertLogEntry['action'], string> = {
  notified: 'Care team told',
  escalated: 'Escalated',
  acknowledged: 'Acknowledged',
  commented: 'Comment',
  resolved: 'Resolved',
  cleared: 'Condition cleared',
  severity: 'Severity changed',
};
