const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "12 Mar 2025, 14:05" in the browser's locale and time zone; the raw text if it does not parse. */
export function formatDateTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFmt.format(d);
}

export function formatDate(iso: string | undefined | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFmt.format(d);
}

/** A calendar date (YYYY-MM-DD) shown without any time zone shift. */
export function formatCalendarDate(ymd: string | undefined | null): string {
  if (!ymd) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** Whole years between a YYYY-MM-DD birth date and today. */
export function ageFrom(ymd: string | undefined | null, today = new Date()): number | null {
  if (!ymd) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d)) age--;
  return age >= 0 ? age : null;
}

/** The end of a chosen local day (YYYY-MM-DD) as an RFC 3339 instant. */
export function endOfLocalDay(ymd: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59).toISOString();
}

/** Today's date in the browser's zone, as YYYY-MM-DD (for min= on date inputs). */
export function todayYmd(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

export function isPast(iso: string | undefined, now = Date.now()): boolean {
  if (!iso) return false;
  const t = new Date(iso).getTime();
  return !Number.isNaN(t) && t < now;
}

export function timeZones(): string[] {
  try {
    const fn = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    const zones = fn ? fn('timeZone') : [];
    if (zones.length) return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    // fall through
  }
  return ['UTC'];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const zoneFmts = new Map<string, Intl.DateTimeFormat>();

/** A time as the clock on the wall of another time zone shows it: "14:05" or "12 Mar, 14:05". */
export function formatInZone(iso: string | undefined | null, timeZone: string, withDate = false): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${timeZone}|${withDate}`;
  let f = zoneFmts.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(
        undefined,
        withDate ? { dateStyle: 'medium', timeStyle: 'short', timeZone } : { timeStyle: 'short', timeZone },
      );
    } catch {
      return '';
    }
    zoneFmts.set(key, f);
  }
  return f.format(d);
}

/** Whether a zone's clocks show another time than the browser's right now. */
export function zoneDiffers(timeZone: string | undefined | null, now = new Date()): boolean {
  if (!timeZone) return false;
  try {
    return formatInZone(now.toISOString(), timeZone, true) !== formatInZone(now.toISOString(), browserTimeZone(), true);
  } catch {
    return false;
  }
}

/** "5 min ago", "3 h ago", "2 days ago"; a date when older than a week. */
export function formatAgo(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d <= 7) return d === 1 ? 'yesterday' : `${d} days ago`;
  return formatDate(iso);
}

/** A datetime-local input's value for an instant, in the browser's zone: "2025-03-12T14:05". */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The instant a datetime-local input's value means in the browser's zone, or null. */
export function fromLocalInput(v: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The patient's wall-clock time for an instant: the time alone when it falls on the viewer's date, else with its date. */
export function formatPatientTime(iso: string, timeZone: string): string {
  const day = (tz: string) => {
    try {
      return new Intl.DateTimeFormat('en-CA', {
        timeZone: tz,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(new Date(iso));
    } catch {
      return '';
    }
  };
  return formatInZone(iso, timeZone, day(timeZone) !== day(browserTimeZone()));
}
