// The dashboard: every patient the signed-in user may see at a glance, as
// GET /api/v1/dashboard answers it (internal/dashboard describes the rows).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './client';
import { useLive, useLiveStatus, type LiveEvent, type LiveStatus } from './live';
import type { Scope } from './types';

export type Severity = 'info' | 'warning' | 'critical';

export interface DashboardVital {
  type: string;
  value?: number;
  components?: { key: string; loinc?: string; value: number }[];
  unit: string;
  takenAt: string;
  source: 'device' | 'manual' | 'import';
  readingId: string;
  /** The most severe of the patient's alert rules the value breaches. */
  outOfRange?: Severity;
}

export interface AlertBrief {
  id: string;
  title: string;
  kind: 'vital' | 'news2' | 'missed' | 'device';
  severity: Severity;
  status: 'open' | 'acknowledged';
  openedAt: string;
}

export interface AlertCounts {
  open: number;
  acknowledged: number;
  openCritical: number;
  highest?: Severity | '';
  top?: AlertBrief;
}

export interface DayCounts {
  total: number;
  done: number;
  due: number;
  upcoming: number;
  missed: number;
}

export interface News2Brief {
  available: boolean;
  total: number;
  partial: boolean;
  singleThree: boolean;
  risk?: 'low' | 'low-medium' | 'medium' | 'high' | '';
  response?: string;
  at?: string;
}

export interface JournalBrief {
  id: string;
  kind: 'food' | 'medication' | 'symptom' | 'note';
  name?: string;
  occurredAt: string;
}

/** One patient at a glance; what the viewer's grant does not open is absent and named in notShared. */
export interface DashboardRow {
  id: string;
  name: string;
  birthDate?: string;
  timeZone?: string;
  access: 'care' | 'share';
  scopes: Scope[];
  notShared: Scope[];
  lastReadingAt?: string;
  /** Null without the vitals scope. */
  vitals: DashboardVital[] | null;
  today?: DayCounts;
  news2?: News2Brief;
  alerts?: AlertCounts;
  journal?: JournalBrief;
}

export interface Dashboard {
  at: string;
  /** Worst first. */
  patients: DashboardRow[];
}

export const dashboardKey = ['dashboard'] as const;

/** Events that change what a dashboard row shows. */
function matters(e: LiveEvent): boolean {
  return (
    e.kind.startsWith('reading.') ||
    e.kind.startsWith('alert.') ||
    e.kind.startsWith('journal.') ||
    e.kind.startsWith('schedule.') ||
    e.kind === 'grant.changed'
  );
}

const RELOAD_AT_MOST_EVERY_MS = 1000;

/**
 * The dashboard, kept live: events about any patient the user may see
 * reload it (at most once a second, however many arrive), and it reloads
 * every minute anyway, as measurement windows close with no event.
 */
export function useDashboard(): { query: ReturnType<typeof useDashboardQuery>; live: LiveStatus } {
  const qc = useQueryClient();
  const query = useDashboardQuery();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const onEvent = useCallback(
    (e: LiveEvent) => {
      if (!matters(e) || timer.current) return;
      const wait = Math.max(0, last.current + RELOAD_AT_MOST_EVERY_MS - Date.now());
      timer.current = setTimeout(() => {
        timer.current = null;
        last.current = Date.now();
        void qc.invalidateQueries({ queryKey: dashboardKey });
      }, wait);
    },
    [qc],
  );
  useLive({ all: true, onEvent });
  const live = useLiveStatus();
  return { query, live };
}

function useDashboardQuery() {
  return useQuery({
    queryKey: dashboardKey,
    queryFn: ({ signal }) => api<Dashboard>('/api/v1/dashboard', { signal }),
    refetchInterval: 60_000,
  });
}

/** The time now, moving on every interval, so "5 min ago" stays true on a page left open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
