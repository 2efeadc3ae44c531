// Appointments and slots as the API sends them, for tests. Times are built
// from today, so that they stay in the future (tests run in UTC).
import type { Appointment, LocalSpan, Professional, Slot, VisitKind } from '../api/appointments';

const DAY = 24 * 60 * 60 * 1000;

/** The date n days from today (UTC), as YYYY-MM-DD. */
export function dayFromToday(n: number): string {
  return new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
}

/** An instant n days from today at HH:MM UTC. */
export function at(n: number, hhmm: string): string {
  return `${dayFromToday(n)}T${hhmm}:00Z`;
}

function span(start: string, end: string, timeZone: string): LocalSpan {
  const clock = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      new Date(iso),
    );
  return {
    timeZone,
    start,
    end,
    date: start.slice(0, 10),
    startClock: clock(start),
    endClock: clock(end),
    abbrev: '',
  };
}

export const DORA: Professional = {
  id: 'doc-2',
  name: 'Dora Doctor',
  roles: ['doctor'],
  timeZone: 'Europe/Oslo',
  bookable: true,
};

export function slot(start: string, kind: VisitKind = 'in_person', minutes = 20, pro = DORA): Slot {
  const end = new Date(new Date(start).getTime() + minutes * 60_000).toISOString();
  return {
    professionalId: pro.id,
    start,
    end,
    kind,
    professionalTime: span(start, end, pro.timeZone ?? 'UTC'),
    viewerTime: span(start, end, 'UTC'),
  };
}

export function appointment(over: Partial<Appointment> & Pick<Appointment, 'id' | 'start'>): Appointment {
  const end = over.end ?? new Date(new Date(over.start).getTime() + 20 * 60_000).toISOString();
  return {
    professionalId: DORA.id,
    professionalName: DORA.name,
    patientId: 'pat-1',
    patientName: 'Pat Patient',
    kind: 'in_person',
    status: 'booked',
    reason: 'Blood pressure check',
    bookedBy: 'pat-1',
    bookedByName: 'Pat Patient',
    bookedAt: '2025-01-02T10:00:00Z',
    professionalTime: span(over.start, end, 'Europe/Oslo'),
    patientTime: span(over.start, end, 'Europe/Paris'),
    updatedAt: '2025-01-02T10:00:00Z',
    ...over,
    end,
  };
}
