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

// Measurement schedules and what is due today.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_LABELS: Record<Weekday, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

export interface ScheduleInput {
  type: string;
  times?: string[];
  everyHours?: number;
  start?: string;
  weekdays?: string[];
  earlyMinutes?: number;
  graceMinutes?: number;
  reminderLeadMinutes?: number;
  note?: string;
}

export interface Schedule {
  id: string;
  patientId: string;
  type: string;
  typeName: string;
  times: string[];
  everyHours?: number;
  weekdays?: string[];
  earlyMinutes: number;
  graceMinutes: number;
  reminderLeadMinutes: number;
  note?: string;
  timeZone: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  stoppedAt?: string;
}

export type OccurrenceStatus = 'upcoming' | 'due' | 'done' | 'missed';

export interface Occurrence {
  scheduleId: string;
  type: string;
  typeName: string;
  dueAt: string;
  local: string;
  windowStart: string;
  windowEnd: string;
  status: OccurrenceStatus;
  readingId?: string;
  takenAt?: string;
}

/** "Every day", "Mon, Wed, Fri". */
export function weekdaysText(days: string[] | undefined): string {
  if (!days?.length || days.length === 7) return 'every day';
  return WEEKDAYS.filter((d) => days.includes(d))
    .map((d) => WEEKDAY_LABELS[d])
    .join(', ');
}

/** "08:00 and 20:00, every day" or "every 6 hours from 02:00, Mon, Thu". */
export function scheduleText(s: Pick<Schedule, 'times' | 'everyHours' | 'weekdays'>): string {
  const when = s.everyHours
    ? `every ${s.everyHours} hours from ${s.times[0] ?? '00:00'}`
    : s.times.length > 1
      ? `${s.times.slice(0, -1).join(', ')} and ${s.times[s.times.length - 1]}`
      : (s.times[0] ?? '');
  return `${when}, ${weekdaysText(s.weekdays)}`;
}

export function useSchedules(patientId: string, enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.schedules(patientId),
    queryFn: ({ signal }) =>
      api<{ schedules: Schedule[] }>(`/api/v1/patients/${enc(patientId)}/schedules`, { signal }).then(
        (r) => r.schedules,
      ),
    enabled,
  });
}

export function useDueToday(patientId: string, enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.due(patientId),
    queryFn: ({ signal }) =>
      api<{ due: Occurrence[] }>(`/api/v1/patients/${enc(patientId)}/due-today`, { signal }).then((r) => r.due),
    enabled,
    // Windows open and close with the clock, not only with events.
    refetchInterval: 60_000,
  });
}

export function useSaveSchedule(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: ScheduleInput }) =>
      id
        ? api<Schedule>(`/api/v1/schedules/${enc(id)}`, { method: 'PUT', body: { patientId, ...input } })
        : api<Schedule>('/api/v1/schedules', { method: 'POST', body: { patientId, ...input } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: monitoringKeys.schedules(patientId) }),
  });
}

export function useStopSchedule(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/v1/schedules/${enc(id)}/stop`, { method: 'POST', body: { patientId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: monitoringKeys.schedules(patientId) }),
  });
}

// Alert rules.

export interface Condition {
  component?: string;
  op: '>' | '>=' | '<' | '<=';
  value: number;
  clear: number;
}

export interface Rule {
  key: string;
  name: string;
  kind: AlertKind;
  measure?: string;
  conditions: Condition[];
  consecutive: number;
  severity: Severity;
  enabled: boolean;
  group?: string;
  overridden: boolean;
  updatedAt?: string;
  updatedBy?: string;
}

export interface RulePatch {
  enabled?: boolean;
  conditions?: Condition[];
  consecutive?: number;
  severity?: Severity;
}

export function useRules(patientId: string, enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.rules(patientId),
    queryFn: ({ signal }) =>
      api<{ rules: Rule[] }>(`/api/v1/patients/${enc(patientId)}/alert-rules`, { signal }).then((r) => r.rules),
    enabled,
  });
}

export function useSetRule(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ key, patch }: { key: string; patch: RulePatch }) =>
      api<Rule>(`/api/v1/alert-rules/${enc(key)}`, { method: 'PATCH', body: { patientId, ...patch } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: monitoringKeys.rules(patientId) }),
  });
}

export function useResetRule(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (key: string) =>
      api<void>(`/api/v1/alert-rules/${enc(key)}/reset`, { method: 'POST', body: { patientId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: monitoringKeys.rules(patientId) }),
  });
}

// NEWS2.

export const CONSCIOUSNESS = ['alert', 'confusion', 'voice', 'pain', 'unresponsive'] as const;
export type Consciousness = (typeof CONSCIOUSNESS)[number];
export const CONSCIOUSNESS_LABELS: Record<Consciousness, string> = {
  alert: 'Alert',
  confusion: 'New confusion',
  voice: 'Responds to voice',
  pain: 'Responds to pain',
  unresponsive: 'Unresponsive',
};

export interface News2Parameter {
  parameter: string;
  points: number;
  value: number;
  takenAt?: string;
}

export interface News2 {
  available: boolean;
  total: number;
  partial: boolean;
  singleThree: boolean;
  risk: 'low' | 'low-medium' | 'medium' | 'high' | '';
  response: string;
  scale: number;
  parameters: News2Parameter[];
  missing: string[];
  at?: string;
  since: string;
}

export interface News2Settings {
  scale: 1 | 2;
  onOxygen?: boolean;
}

export const NEWS2_PARAMETER_LABELS: Record<string, string> = {
  respiratory_rate: 'Respiration rate',
  spo2: 'SpO2',
  on_oxygen: 'Air or oxygen',
  systolic: 'Systolic blood pressure',
  pulse: 'Pulse',
  consciousness: 'Consciousness',
  temperature: 'Temperature',
};

/** The colour of a NEWS2 response level (RCP: low, low-medium for a single 3, medium, high). */
export const NEWS2_RISK_COLORS: Record<string, string> = {
  low: 'green',
  'low-medium': 'yellow',
  medium: 'orange',
  high: 'red',
};

export function useNews2(patientId: string, enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.news2(patientId),
    queryFn: ({ signal }) => api<News2>(`/api/v1/patients/${enc(patientId)}/news2`, { signal }),
    enabled,
  });
}

export function useNews2Settings(patientId: string, enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.news2Settings(patientId),
    queryFn: ({ signal }) => api<News2Settings>(`/api/v1/patients/${enc(patientId)}/news2/settings`, { signal }),
    enabled,
  });
}

export function useSetNews2Settings(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (s: News2Settings) =>
      api<News2Settings>('/api/v1/news2/settings', { method: 'PUT', body: { patientId, ...s } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['news2', patientId] }),
  });
}

export function useRecordObservation(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (o: { consciousness?: Consciousness; onOxygen?: boolean }) =>
      api<News2>('/api/v1/news2/observations', { method: 'POST', body: { patientId, ...o } }),
    onSuccess: (n) => {
      qc.setQueryData(monitoringKeys.news2(patientId), n);
      return qc.invalidateQueries({ queryKey: ['news2', patientId] });
    },
  });
}

// Escalation chains.

export interface ChainMember {
  userId: string;
  name: string;
  roles: Role[];
}

export interface ChainStep {
  members: ChainMember[];
  waitMinutes: number;
}

export interface Chain {
  patientId: string;
  custom: boolean;
  steps: ChainStep[];
}

export function useChain(patientId: string, enabled = true) {
  return useQuery({
    queryKey: monitoringKeys.chain(patientId),
    queryFn: ({ signal }) => api<Chain>(`/api/v1/patients/${enc(patientId)}/escalation-chain`, { signal }),
    enabled,
  });
}

export function useSetChain(patientId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (steps: { userIds: string[]; waitMinutes: number }[]) =>
      api<Chain>('/api/v1/escalation-chain', { method: 'PUT', body: { patientId, steps } }),
    onSuccess: (c) => qc.setQueryData(monitoringKeys.chain(patientId), c),
  });
}
