import { useMemo, useState } from 'react';
import { usePatientAppointments } from '../../api/appointments';

const DAY = 24 * 60 * 60 * 1000;
// The API answers at most 92 days at a time.
const SPAN = 91 * DAY;

/**
 * A patient's appointments from now on and from the last three months. A
 * booking that was moved is left out: its replacement stands for it, and
 * the details of either show the whole history.
 */
export function usePatientLists(patientId: string, withPast = true) {
  const [now] = useState(() => Date.now());
  const iso = (t: number) => new Date(t).toISOString();
  const ahead = usePatientAppointments(patientId, iso(now), iso(now + SPAN));
  const behind = usePatientAppointments(patientId, iso(now - SPAN), iso(now), withPast);
  const upcoming = useMemo(
    () => (ahead.data ?? []).filter((a) => !a.rescheduledTo && new Date(a.end).getTime() > now),
    [ahead.data, now],
  );
  const past = useMemo(
    () =>
      (behind.data ?? [])
        .filter((a) => !a.rescheduledTo && new Date(a.end).getTime() <= now)
        .sort((x, y) => y.start.localeCompare(x.start)),
    [behind.data, now],
  );
  return { ahead, behind, upcoming, past };
}
