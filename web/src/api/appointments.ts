// Appointments: a professional's bookable hours, open slots, booking,
// calendars and the private calendar feed. The shapes follow
// internal/appointments (types.go) as the API sends them: every time is a
// UTC instant, and appointments and slots also carry the same span on the
// professional's and the patient's wall clocks.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from './client';

export type VisitKind = 'in_person' | 'video';
export type AppointmentStatus = 'booked' | 'cancelled' | 'done';
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const KIND_LABELS: Record<VisitKind, string> = { in_person: 'In person', video: 'Video' };

/** An interval on the wall clock of one time zone. */
export interface LocalSpan {
  timeZone: string;
  start: string;
  end: string;
  date: string;
  startClock: string;
  endClock: string;
  abbrev: string;
}

export interface WeeklyHours {
  weekday: Weekday;
  start: string; // HH:MM
  end: string; // HH:MM, 24:00 for midnight
  kind: VisitKind;
  slotMinutes?: number;
}

export type ExceptionKind = 'off' | 'extra';

export interface AvailabilityException {
  id: string;
  kind: ExceptionKind;
  from: string;
  to: string;
  start?: string;
  end?: string;
  visitKind?: VisitKind | '';
  slotMinutes?: number;
  note?: string;
  createdAt: string;
}

export interface Availability {
  professionalId: string;
  /** Empty while the professional has published nothing. */
  timeZone: string;
  slotMinutes: number;
  weekly: WeeklyHours[];
  exceptions: AvailabilityException[];
  updatedAt: string;
}

export interface NewAvailability {
  timeZone: string;
  slotMinutes: number;
  weekly: WeeklyHours[];
}

export interface NewException {
  kind: ExceptionKind;
  from: string;
  to?: string;
  start?: string;
  end?: string;
  visitKind?: VisitKind;
  slotMinutes?: number;
  note?: string;
}

export interface Slot {
  professionalId: string;
  start: string;
  end: string;
  kind: VisitKind;
  professionalTime: LocalSpan;
  viewerTime: LocalSpan;
  patientTime?: LocalSpan;
}

export interface Professional {
  id: string;
  name: string;
  roles: string[];
  timeZone?: string;
  bookable: boolean;
}

export interface Appointment {
  id: string;
  professionalId: string;
  professionalName: string;
  patientId: string;
  patientName: string;
  kind: VisitKind;
  status: AppointmentStatus;
  start: string;
  end: string;
  reason: string;
  bookedBy: string;
  bookedByName: string;
  bookedAt: string;
  cancelledBy?: string;
  cancelledByName?: string;
  cancelledAt?: string;
  cancelReason?: string;
  doneAt?: string;
  rescheduledFrom?: string;
  rescheduledTo?: string;
  /** Where the video call of a video visit will open; calls are not in Tend yet. */
  joinPath?: string;
  professionalTime: LocalSpan;
  patientTime: LocalSpan;
  updatedAt: string;
}

export interface NewBooking {
  patientId: string;
  professionalId: string;
  start: string;
  kind?: VisitKind;
  reason: string;
}

export interface Calendar {
  from: string;
  to: string;
  timeZone: string;
  appointments: Appointment[];
}

const enc = encodeURIComponent;
const proBase = (id: string) => `/api/v1/professionals/${enc(id)}`;
const patientBase = (id: string) => `/api/v1/patients/${enc(id)}`;

// Every key here starts with 'appointments', so a booking, a cancellation
// or new hours refresh every list, calendar and slot grid at once.
export const apptKeys = {
  all: ['appointments'] as const,
  availability: (id: string) => ['appointments', 'availability', id] as const,
  professionals: (patientId: string) => ['appointments', 'professionals', patientId] as const,
  slots: (proId: string, f: object) => ['appointments', 'slots', proId, f] as const,
  forPatient: (patientId: string, f: object) => ['appointments', 'patient', patientId, f] as const,
  history: (patientId: string, id: string) => ['appointments', 'history', patientId, id] as const,
  one: (patientId: string, id: string) => ['appointments', 'one', patientId, id] as const,
  calendar: (f: object) => ['appointments', 'calendar', f] as const,
  feed: ['appointments', 'feed'] as const,
};

const refreshAll = (qc: QueryClient) => qc.invalidateQueries({ queryKey: apptKeys.all });

export function useAvailability(professionalId: string) {
  return useQuery({
    queryKey: apptKeys.availability(professionalId),
    queryFn: ({ signal }) => api<Availability>(`${proBase(professionalId)}/availability`, { signal }),
  });
}

export function useSetAvailability(professionalId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewAvailability) =>
      api<Availability>(`${proBase(professionalId)}/availability`, { method: 'PUT', body }),
    onSuccess: (a) => {
      qc.setQueryData(apptKeys.availability(professionalId), a);
      void refreshAll(qc);
    },
  });
}

export function useAddException(professionalId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewException) =>
      api<AvailabilityException>(`${proBase(professionalId)}/availability/exceptions`, { method: 'POST', body }),
    onSuccess: () => refreshAll(qc),
  });
}

export function useRemoveException(professionalId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<void>(`${proBase(professionalId)}/availability/exceptions/${enc(id)}`, { method: 'DELETE' }),
    onSuccess: () => refreshAll(qc),
  });
}

/** The nurses and doctors the patient can book. */
export function useProfessionals(patientId: string) {
  return useQuery({
    queryKey: apptKeys.professionals(patientId),
    queryFn: ({ signal }) =>
      api<{ professionals: Professional[] }>(`${patientBase(patientId)}/professionals`, { signal }).then(
        (r) => r.professionals ?? [],
      ),
  });
}

/** A professional's open slots in [from, to), for booking for patientId. */
export function useSlots(professionalId: string | null, from: string, to: string, patientId?: string) {
  return useQuery({
    queryKey: apptKeys.slots(professionalId ?? '', { from, to, patientId }),
    queryFn: ({ signal }) =>
      api<{ slots: Slot[] }>(`${proBase(professionalId!)}/slots`, {
        signal,
        query: { from, to, patientId },
      }).then((r) => r.slots ?? []),
    enabled: !!professionalId,
  });
}

/** The patient's appointments that overlap [from, to), every status. */
export function usePatientAppointments(patientId: string, from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: apptKeys.forPatient(patientId, { from, to }),
    queryFn: ({ signal }) =>
      api<{ appointments: Appointment[] }>(`${patientBase(patientId)}/appointments`, {
        signal,
        query: { from, to },
      }).then((r) => r.appointments ?? []),
    enabled,
  });
}

export function useAppointment(patientId: string, id: string | null) {
  return useQuery({
    queryKey: apptKeys.one(patientId, id ?? ''),
    queryFn: ({ signal }) => api<Appointment>(`${patientBase(patientId)}/appointments/${enc(id!)}`, { signal }),
    enabled: !!id && !!patientId,
    retry: false,
  });
}

/** The bookings an appointment was moved through, oldest first. */
export function useAppointmentHistory(patientId: string, id: string) {
  return useQuery({
    queryKey: apptKeys.history(patientId, id),
    queryFn: ({ signal }) =>
      api<{ appointments: Appointment[] }>(`${patientBase(patientId)}/appointments/${enc(id)}/history`, {
        signal,
      }).then((r) => r.appointments ?? []),
  });
}

/** A professional's own calendar: the day or week holding date, read in timeZone. */
export function useMyCalendar(date: string, view: 'day' | 'week', timeZone: string) {
  return useQuery({
    queryKey: apptKeys.calendar({ date, view, timeZone }),
    queryFn: ({ signal }) => api<Calendar>('/api/v1/me/appointments', { signal, query: { date, view, timeZone } }),
    // Nothing pushes appointment changes yet: look again now and then.
    refetchInterval: 60_000,
  });
}

export function useBook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewBooking) => api<Appointment>('/api/v1/appointments', { method: 'POST', body }),
    // A lost race changes the open slots too.
    onSettled: () => refreshAll(qc),
  });
}

export function useCancelAppointment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      api<Appointment>(`/api/v1/appointments/${enc(id)}/cancel`, { method: 'POST', body: { reason } }),
    onSettled: () => refreshAll(qc),
  });
}

export function useRescheduleAppointment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; start: string; kind?: VisitKind; reason: string }) =>
      api<Appointment>(`/api/v1/appointments/${enc(id)}/reschedule`, { method: 'POST', body }),
    onSettled: () => refreshAll(qc),
  });
}

export function useMarkDone() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Appointment>(`/api/v1/appointments/${enc(id)}/done`, { method: 'POST' }),
    onSettled: () => refreshAll(qc),
  });
}

export function useFeedStatus() {
  return useQuery({
    queryKey: apptKeys.feed,
    queryFn: ({ signal }) => api<{ enabled: boolean }>('/api/v1/me/calendar-feed', { signal }),
  });
}

export function useResetFeed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ url: string; path: string }>('/api/v1/me/calendar-feed', { method: 'POST' }),
    onSuccess: () => qc.setQueryData(apptKeys.feed, { enabled: true }),
  });
}

export function useDisableFeed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/api/v1/me/calendar-feed', { method: 'DELETE' }),
    onSuccess: () => qc.setQueryData(apptKeys.feed, { enabled: false }),
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * One of the signed-in professional's own appointments by id, for links
 * from notifications and reminders: looked for in the three months before
 * and after now (the API lists at most 92 days at a time).
 */
export function useFindMyAppointment(id: string | null) {
  return useQuery({
    queryKey: ['appointments', 'find', id ?? ''],
    queryFn: async ({ signal }) => {
      const now = Date.now();
      for (const [from, to] of [
        [now, now + 91 * DAY_MS],
        [now - 91 * DAY_MS, now],
      ]) {
        const cal = await api<Calendar>('/api/v1/me/appointments', {
          signal,
          query: { from: new Date(from!).toISOString(), to: new Date(to!).toISOString() },
        });
        const found = cal.appointments?.find((a) => a.id === id);
        if (found) return found;
      }
      throw new Error('That appointment is not in your calendar of the last or next three months.');
    },
    enabled: !!id,
    retry: false,
  });
}
