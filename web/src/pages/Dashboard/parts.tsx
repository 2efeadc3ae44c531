// Small pieces the clinician dashboard and the family view share: values in
// the viewer's units with out-of-range marks, NEWS2 and alert badges, and
// times in words.
import { Badge, Text, Tooltip } from '@mantine/core';
import type { AlertCounts, DashboardVital, News2Brief, Severity } from '../../api/dashboard';
import { SHORT_NAMES } from '../../api/measurementTypes';
import { formatAgo, formatInZone, zoneDiffers } from '../../util/format';
import { readingParts } from '../../util/readings';
import type { UnitPrefs } from '../../util/units';
import classes from './Dashboard.module.css';

/** The vital signs a row shows, in order, with a column heading and a name for sentences. */
export const VITALS: { type: string; short: string; name: string }[] = [
  { type: 'blood_pressure', short: 'BP', name: 'blood pressure' },
  { type: 'heart_rate', short: 'HR', name: 'heart rate' },
  { type: 'spo2', short: 'SpO₂', name: 'oxygen saturation' },
  { type: 'body_temperature', short: 'Temp', name: 'temperature' },
  { type: 'respiratory_rate', short: 'RR', name: 'breathing rate' },
  { type: 'blood_glucose', short: 'Glucose', name: 'blood glucose' },
  { type: 'body_weight', short: 'Weight', name: 'weight' },
];

export function vitalName(type: string): string {
  return VITALS.find((v) => v.type === type)?.name ?? SHORT_NAMES[type] ?? type;
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: 'red', warning: 'orange', info: 'yellow' };
export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** A vital's value in the viewer's units; an out-of-range value is tinted and says so in words. */
export function VitalValue({
  vital,
  prefs,
  now,
  withTime = false,
  withUnit = true,
}: {
  vital: DashboardVital;
  prefs: UnitPrefs;
  now: number;
  withTime?: boolean;
  /** False where the column heading names the unit. */
  withUnit?: boolean;
}) {
  const p = readingParts(vital, prefs);
  const sev = vital.outOfRange || undefined;
  const label = `${p.number} ${p.unit}${sev ? `, out of range (${SEVERITY_LABEL[sev].toLowerCase()})` : ''}, ${formatAgo(vital.takenAt, now)}`;
  return (
    <Tooltip label={`${formatAgo(vital.takenAt, now)}${sev ? ' · out of range' : ''}`} openDelay={400} withinPortal>
      <span
        className={classes.value}
        data-out-of-range={sev}
        aria-label={label}
        style={
          sev
            ? {
                background: `var(--mantine-color-${SEVERITY_COLOR[sev]}-1)`,
                color: `var(--mantine-color-${SEVERITY_COLOR[sev]}-9)`,
              }
            : undefined
        }
      >
        <Text span fw={600} fz="sm" style={{ color: 'inherit' }}>
          {p.number}
        </Text>
        {withUnit && (
          <>
            {' '}
            <Text span fz="xs" c={sev ? undefined : 'dimmed'} style={sev ? { color: 'inherit' } : undefined}>
              {p.unit}
            </Text>
          </>
        )}
        {sev && (
          <Text span fz="xs" fw={700} ml={4} style={{ color: 'inherit' }} aria-hidden>
            {sev === 'critical' ? '!!' : '!'}
          </Text>
        )}
        {withTime && (
          <Text span fz="xs" c="dimmed" display="block">
            {formatAgo(vital.takenAt, now)}
          </Text>
        )}
      </span>
    </Tooltip>
  );
}

const RISK: Record<string, { color: string; label: string }> = {
  low: { color: 'gray', label: 'low risk' },
  'low-medium': { color: 'yellow', label: 'low–medium risk' },
  medium: { color: 'orange', label: 'medium risk' },
  high: { color: 'red', label: 'high risk' },
};

/** NEWS2 as a badge coloured by its clinical risk; a partial score is marked, since it can only be higher. */
export function News2Badge({ news2 }: { news2?: News2Brief }) {
  if (!news2?.available)
    return (
      <Text size="xs" c="dimmed" aria-label="No NEWS2: no recent vital signs">
        –
      </Text>
    );
  const r = RISK[news2.risk ?? 'low'] ?? RISK.low!;
  const label = `NEWS2 ${news2.total}${news2.partial ? ', partial' : ''}: ${r.label}`;
  return (
    <Tooltip label={news2.response || r.label} openDelay={300} multiline w={260} withinPortal>
      <Badge
        color={r.color}
        variant={news2.risk === 'low' ? 'light' : 'filled'}
        radius="sm"
        aria-label={label}
        title={label}
        tt="none"
      >
        {news2.total}
        {news2.partial ? '*' : ''}
      </Badge>
    </Tooltip>
  );
}

/** Open alerts as a badge of the most severe one's colour, with the count. */
export function AlertsBadge({ alerts, quiet = false }: { alerts?: AlertCounts; quiet?: boolean }) {
  if (!alerts) return null;
  const active = alerts.open + alerts.acknowledged;
  if (active === 0 && quiet) return null;
  if (active === 0)
    return (
      <Text size="xs" c="dimmed">
        None
      </Text>
    );
  const sev = (alerts.highest || 'info') as Severity;
  const text = alerts.open > 0 ? `${alerts.open} open` : `${alerts.acknowledged} acknowledged`;
  return (
    <Badge
      color={SEVERITY_COLOR[sev]}
      variant={alerts.open > 0 ? 'filled' : 'light'}
      radius="sm"
      tt="none"
      style={{ flexShrink: 0, overflow: 'visible' }}
      aria-label={`${text} ${alerts.open + alerts.acknowledged === 1 ? 'alert' : 'alerts'}, ${SEVERITY_LABEL[sev].toLowerCase()}${alerts.top ? `: ${alerts.top.title}` : ''}`}
    >
      {text}
    </Badge>
  );
}

/**
 * When something happened, for a sentence: "at 08:12 today", "yesterday at
 * 20:15", "on 12 Mar at 09:00", in the viewer's time zone.
 */
export function whenPhrase(iso: string, now: number): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((day(new Date(now)) - day(d)) / 86_400_000);
  if (days === 0) return `at ${time} today`;
  if (days === 1) return `yesterday at ${time}`;
  return `on ${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} at ${time}`;
}

/** The patient's own clock for a time, when their zone shows another time than the viewer's. */
export function theirClock(iso: string, timeZone?: string): string {
  if (!timeZone || !zoneDiffers(timeZone)) return '';
  return `${formatInZone(iso, timeZone)} their time`;
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}
