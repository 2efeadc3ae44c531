// Wall-clock arithmetic for appointments, done with Intl so that days and
// times follow each zone's daylight-saving rules: a day is a calendar date
// (YYYY-MM-DD) in a named zone, never "24 hours from midnight".

const partsFmts = new Map<string, Intl.DateTimeFormat>();

function partsIn(d: Date, timeZone: string): Record<string, string> {
  let f = partsFmts.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    partsFmts.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(d)) out[p.type] = p.value;
  return out;
}

/** The calendar date an instant falls on in a zone, as YYYY-MM-DD. */
export function ymdIn(at: string | Date, timeZone: string): string {
  const p = partsIn(typeof at === 'string' ? new Date(at) : at, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Minutes since local midnight of an instant in a zone (for placing it in a day). */
export function minuteOfDay(at: string | Date, timeZone: string): number {
  const p = partsIn(typeof at === 'string' ? new Date(at) : at, timeZone);
  return Number(p.hour) * 60 + Number(p.minute);
}

function utcDate(ymd: string): Date {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
}

/** The date n days after ymd (before, when n is negative). */
export function addDays(ymd: string, n: number): string {
  const d = utcDate(ymd);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week (Monday to Sunday) that holds ymd. */
export function mondayOf(ymd: string): string {
  const wd = utcDate(ymd).getUTCDay(); // 0 = Sunday
  return addDays(ymd, -((wd + 6) % 7));
}

/**
 * The instant local midnight starts ymd in a zone. On the rare day a zone
 * skips midnight, the first instant of the day.
 */
export function startOfDay(ymd: string, timeZone: string): Date {
  const base = utcDate(ymd).getTime();
  // A zone's offset is within ±14 h: try the guess, then correct by what the zone says.
  let t = base;
  for (let i = 0; i < 3; i++) {
    const p = partsIn(new Date(t), timeZone);
    const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    t += base - shown;
  }
  return new Date(t);
}

const dayFmt = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = dayFmt.get(key);
  if (!f) {
    f = make();
    dayFmt.set(key, f);
  }
  return f;
}

/** "Monday 9 March" (with the year when it is not this year's). */
export function dayHeading(ymd: string, today?: string): string {
  const withYear = !!today && today.slice(0, 4) !== ymd.slice(0, 4);
  const f = fmt(
    `day|${withYear}`,
    () =>
      new Intl.DateTimeFormat(undefined, {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        ...(withYear ? { year: 'numeric' } : {}),
        timeZone: 'UTC',
      }),
  );
  return f.format(utcDate(ymd));
}

/** "Mon 9 Mar", for narrow columns. */
export function shortDay(ymd: string): string {
  return fmt(
    'short',
    () => new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }),
  ).format(utcDate(ymd));
}

/** "14:05" (or "2:05 PM") on a zone's wall clock. */
export function clockIn(at: string, timeZone: string): string {
  return fmt(
    `clock|${timeZone}`,
    () => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone }),
  ).format(new Date(at));
}

/** "14:05–14:25" on a zone's wall clock. */
export function spanIn(start: string, end: string, timeZone: string): string {
  return `${clockIn(start, timeZone)}–${clockIn(end, timeZone)}`;
}

/** "CET", "GMT+1": the zone's short name at that instant. */
export function zoneAbbrev(at: string, timeZone: string): string {
  const parts = fmt(
    `abbr|${timeZone}`,
    () => new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }),
  ).formatToParts(new Date(at));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** Whether two zones show the same date and time at that instant. */
export function sameWallClock(at: string, a: string, b: string): boolean {
  if (a === b) return true;
  const pa = partsIn(new Date(at), a);
  const pb = partsIn(new Date(at), b);
  return ['year', 'month', 'day', 'hour', 'minute'].every((k) => pa[k] === pb[k]);
}

/**
 * Another zone's wall clock for a span, as "09:00–09:20 CET", with its day
 * ("Tue 10 Mar") when it falls on another date than the viewer's.
 */
export function otherSide(start: string, end: string, timeZone: string, viewerZone: string): string {
  const day = ymdIn(start, timeZone) !== ymdIn(start, viewerZone) ? `${shortDay(ymdIn(start, timeZone))} ` : '';
  return `${day}${spanIn(start, end, timeZone)} ${zoneAbbrev(start, timeZone)}`;
}

/** Like otherSide, for the start alone: "09:00 CET", or "Tue 10 Mar 00:30 CET". */
export function otherStart(start: string, timeZone: string, viewerZone: string): string {
  const day = ymdIn(start, timeZone) !== ymdIn(start, viewerZone) ? `${shortDay(ymdIn(start, timeZone))} ` : '';
  return `${day}${clockIn(start, timeZone)} ${zoneAbbrev(start, timeZone)}`;
}
