import {
  Badge,
  Box,
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import {
  csvUrl,
  reportUrl,
  SUMMARY_DAYS,
  useSummaries,
  type BloodPressureSummary,
  type GlucoseSummary,
  type Period,
  type WeightSummary,
} from '../../api/summaries';
import { convert, formatNumber, unitLabel, useUnitPrefs } from '../../util/units';
import { useNarrow } from '../../util/useNarrow';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { AGP_COLORS } from './agpColors';
import classes from './Summaries.module.css';

const AgpChart = lazy(() => import('./AgpChart'));

const dayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dayYearFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** "17 Nov – 23 Nov 2026", in the zone the summary counts days in. */
export function periodText(p: Period, timeZone?: string): string {
  const opts = timeZone ? { timeZone } : {};
  const from = new Date(p.from);
  const to = new Date(Date.parse(p.to) - 1);
  try {
    return `${new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', ...opts }).format(from)} – ${new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', ...opts }).format(to)}`;
  } catch {
    return `${dayFmt.format(from)} – ${dayYearFmt.format(to)}`;
  }
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;
}

function pct(v: number | null | undefined): string {
  return v == null ? '—' : `${v.toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
}

function Note({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <Text size="sm" c="orange.9" className={classes.note}>
      {text}
    </Text>
  );
}

/** "Morning (04:00–12:00)" as the window's name over its hours. */
function WindowLabel({ label }: { label: string }) {
  const m = /^(.*?) \((.*)\)$/.exec(label);
  if (!m) return <>{label}</>;
  return (
    <>
      {m[1]}
      <Text span size="xs" c="dimmed" display="block">
        {m[2]}
      </Text>
    </>
  );
}

function BloodPressure({ bp, zone }: { bp: BloodPressureSummary; zone: string }) {
  const t = bp.threshold;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="sum-bp">
      <Title order={3} fz="md" id="sum-bp">
        Blood pressure at home
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Last 7 days, {periodText(bp.period, zone)} · {plural(bp.readings, 'reading')} on {plural(bp.days, 'day')}
      </Text>
      {bp.readings > 0 && (
        <Table verticalSpacing={6} aria-label="Home blood pressure means">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th ta="right">Mean, mmHg</Table.Th>
              <Table.Th ta="right">
                vs {t.systolic}/{t.diastolic}
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[bp.all, bp.morning, bp.evening].map((m) => (
              <Table.Tr key={m.label}>
                <Table.Td>
                  <WindowLabel label={m.label} />
                </Table.Td>
                <Table.Td ta="right">
                  <Text span fw={600} style={{ whiteSpace: 'nowrap' }}>
                    {m.systolic == null || m.diastolic == null
                      ? '—'
                      : `${Math.round(m.systolic)}/${Math.round(m.diastolic)}`}
                  </Text>
                  <Text span size="xs" c="dimmed" display="block">
                    {plural(m.count, 'reading')}
                  </Text>
                </Table.Td>
                <Table.Td ta="right" className={classes.verdict}>
                  {m.count === 0 ? (
                    '—'
                  ) : m.reachesThreshold ? (
                    <Badge color="red" variant="light" tt="none">
                      At or above
                    </Badge>
                  ) : (
                    <Badge color="teal" variant="light" tt="none">
                      Below
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" c="dimmed" mt={4}>
        Held against the {t.source}.
      </Text>
      <Note text={bp.note} />
    </Paper>
  );
}

const RANGE_COLORS = {
  veryHigh: '#e67700',
  high: '#ffc078',
  inRange: '#40c057',
  low: '#fa5252',
  veryLow: '#a51d2a',
};

function RangesBar({ g, unit }: { g: GlucoseSummary; unit: string }) {
  const f = (v: number) => formatNumber(convert(v, 'mg/dL', unit), unit);
  // Whole mg/dL ranges meet without overlapping: 54–69, 70–180, 181–250.
  const below = (v: number) => (unit === 'mg/dL' ? f(v - 1) : f(v));
  const above = (v: number) => (unit === 'mg/dL' ? f(v + 1) : f(v));
  const t = g.targets;
  const parts = [
    { key: 'veryLow', label: `Very low < ${f(t.veryLow)}`, share: g.veryLow ?? 0 },
    { key: 'low', label: `Low ${f(t.veryLow)}–${below(t.low)}`, share: (g.below ?? 0) - (g.veryLow ?? 0) },
    { key: 'inRange', label: `In range ${f(t.low)}–${f(t.high)}`, share: g.inRange ?? 0 },
    { key: 'high', label: `High ${above(t.high)}–${f(t.veryHigh)}`, share: (g.above ?? 0) - (g.veryHigh ?? 0) },
    { key: 'veryHigh', label: `Very high > ${f(t.veryHigh)}`, share: g.veryHigh ?? 0 },
  ] as const;
  return (
    <Box>
      <div className={classes.bar} role="img" aria-label={`Time in ranges (${unitLabel(unit)})`}>
        {parts.map((p) =>
          p.share > 0 ? (
            <span
              key={p.key}
              style={{ width: `${p.share}%`, background: RANGE_COLORS[p.key] }}
              title={`${p.label}: ${pct(p.share)}`}
            />
          ) : null,
        )}
      </div>
      <Group gap="md" mt={6} className={classes.legend}>
        {parts.map((p) => (
          <Group key={p.key} gap={6} wrap="nowrap">
            <span className={classes.swatch} style={{ background: RANGE_COLORS[p.key] }} />
            <Text size="xs">
              {p.label}: <b>{pct(p.share)}</b>
            </Text>
          </Group>
        ))}
      </Group>
    </Box>
  );
}

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className={classes.figure}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} className={classes.figureLabel}>
        {label}
      </Text>
      <Text fw={700} fz="lg">
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </div>
  );
}

function Glucose({ g, zone, unit }: { g: GlucoseSummary; zone: string; unit: string }) {
  const narrow = useNarrow();
  const f = (v: number | null) =>
    v == null ? '—' : `${formatNumber(convert(v, 'mg/dL', unit), unit)} ${unitLabel(unit)}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="sum-glucose">
      <Title order={3} fz="md" id="sum-glucose">
        Glucose
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {periodText(g.period, zone)} · {plural(g.readings, 'reading')}
        {g.readings > 0 && ` · a reading in ${Math.floor(g.active)} % of 5-minute slots`} · targets for {g.targets.name}
      </Text>
      {g.readings > 0 && (
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="xs">
            <Figure label="In range" value={pct(g.inRange)} hint="goal > 70 %" />
            <Figure label="Below range" value={pct(g.below)} hint="goal < 4 %" />
            <Figure label="Above range" value={pct(g.above)} hint="goal < 25 %" />
            <Figure label="Mean" value={f(g.mean)} />
            <Figure label="Variation (CV)" value={pct(g.cv)} hint="goal ≤ 36 %" />
            <Figure label="GMI" value={pct(g.gmi)} hint={g.gmi == null ? 'needs 14 days of CGM' : undefined} />
          </SimpleGrid>
          <RangesBar g={g} unit={unit} />
          <Title order={4} fz="sm" mt="xs">
            Ambulatory glucose profile
          </Title>
          <Text size="xs" c="dimmed">
            Each hour of {zone === 'UTC' ? 'the day (UTC)' : `the patient’s day (${zone})`} over the period: the line is
            the median, the bands hold the middle half and 90 % of readings; the green lines bound the target range.
          </Text>
          <Suspense fallback={<Skeleton height={narrow ? 200 : 240} />}>
            <AgpChart
              profile={g.profile}
              low={g.targets.low}
              high={g.targets.high}
              unit={unit}
              height={narrow ? 200 : 240}
            />
          </Suspense>
          <Group gap="md" aria-hidden>
            <Group gap={6}>
              <span className={classes.swatch} style={{ background: AGP_COLORS.median }} />
              <Text size="xs">Median</Text>
            </Group>
            <Group gap={6}>
              <span className={classes.swatch} style={{ background: AGP_COLORS.inner }} />
              <Text size="xs">25th–75th percentile</Text>
            </Group>
            <Group gap={6}>
              <span className={classes.swatch} style={{ background: AGP_COLORS.outer }} />
              <Text size="xs">5th–95th percentile</Text>
            </Group>
          </Group>
          <Table verticalSpacing={4} aria-label="Consensus targets">
            <Table.Tbody>
              {g.checks.map((c) => (
                <Table.Tr key={c.name}>
                  <Table.Td>
                    {c.name.charAt(0).toUpperCase() + c.name.slice(1)}
                    <Text span size="xs" c="dimmed" display="block">
                      goal {c.goal}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    {pct(c.value)}
                  </Table.Td>
                  <Table.Td ta="right" className={classes.verdict}>
                    <Badge color={c.met ? 'teal' : 'red'} variant="light" tt="none">
                      {c.met ? 'Met' : 'Not met'}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      <Note text={g.note} />
    </Paper>
  );
}

function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return null;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * 100},${38 - ((v - lo) / span) * 34}`).join(' ');
  return (
    <svg viewBox="0 0 100 40" preserveAspectRatio="none" className={classes.spark} aria-hidden>
      <polyline points={pts} fill="none" stroke="#5f3dc4" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

function Weight({ w, zone, unit }: { w: WeightSummary; zone: string; unit: string }) {
  const f = (kg: number) => `${formatNumber(convert(kg, 'kg', unit), unit)} ${unitLabel(unit)}`;
  const signed = (kg: number) => `${kg > 0 ? '+' : kg < 0 ? '−' : ''}${f(Math.abs(kg))}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="sum-weight">
      <Title order={3} fz="md" id="sum-weight">
        Weight
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        {periodText(w.period, zone)} · {plural(w.readings, 'weighing')}
      </Text>
      {w.first && w.latest && (
        <SimpleGrid cols={2} spacing="xs">
          <Figure label="Latest" value={f(w.latest.value)} />
          <Figure
            label="Change"
            value={w.change == null ? '—' : signed(w.change)}
            hint={w.changePercent == null ? undefined : `${w.changePercent.toFixed(1)} % since the first`}
          />
          <Figure
            label="Per week"
            value={w.perWeek == null ? '—' : signed(w.perWeek)}
            hint="fitted to every weighing"
          />
          <Figure label="First" value={f(w.first.value)} />
        </SimpleGrid>
      )}
      <Sparkline values={w.daily.map((d) => d.mean)} />
      <Note text={w.note} />
    </Paper>
  );
}

function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A yyyy-mm-dd date input's value as the browser's local midnight. */
function localMidnight(v: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

function Exports({ patientId, days }: { patientId: string; days: number }) {
  const prefs = useUnitPrefs();
  const today = new Date();
  const [from, setFrom] = useState(ymd(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29)));
  const [to, setTo] = useState(ymd(today));
  const a = localMidnight(from);
  const b0 = localMidnight(to);
  const b = b0 && new Date(b0.getFullYear(), b0.getMonth(), b0.getDate() + 1);
  const error = a && b && a >= b ? 'The first day must not come after the last.' : undefined;
  return (
    <Group gap="md" align="flex-end" wrap="wrap" className={classes.exports}>
      <Button
        component="a"
        href={reportUrl(patientId, days, prefs.glucose, prefs.weight)}
        download
        variant="light"
        size="sm"
      >
        PDF report ({days} days)
      </Button>
      <Group gap="xs" align="flex-end" wrap="wrap" role="group" aria-label="Export readings as CSV">
        <TextInput
          type="date"
          label="Readings from"
          size="xs"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          error={error}
        />
        <TextInput type="date" label="to" size="xs" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        {a && b && !error ? (
          <Button component="a" href={csvUrl(patientId, a, b)} download variant="default" size="xs">
            Download CSV
          </Button>
        ) : (
          <Button variant="default" size="xs" disabled>
            Download CSV
          </Button>
        )}
      </Group>
    </Group>
  );
}

/**
 * The clinical summaries of a period (home blood pressure, glucose and its
 * ambulatory profile, weight), each saying what it rests on, with the
 * exports: the readings as CSV and the PDF report.
 */
export function Summaries({ patientId }: { patientId: string }) {
  const [days, setDays] = useState<number>(14);
  const narrow = useNarrow();
  const prefs = useUnitPrefs();
  const q = useSummaries(patientId, days);
  const s = q.data;
  return (
    <Paper withBorder p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="summaries-title">
      <Group justify="space-between" mb="sm" gap="xs" wrap="wrap">
        <Title order={2} fz="lg" id="summaries-title">
          Summaries
        </Title>
        <SegmentedControl
          size="xs"
          value={String(days)}
          onChange={(v) => setDays(Number(v))}
          aria-label="Period"
          data={SUMMARY_DAYS.map((d) => ({ value: String(d), label: `${d} days` }))}
          fullWidth={narrow}
          w={narrow ? '100%' : undefined}
        />
      </Group>
      {q.error ? (
        <ErrorAlert error={q.error} title="Could not load the summaries" onRetry={() => void q.refetch()} />
      ) : !s ? (
        <Skeleton height={320} />
      ) : (
        <Stack gap="md" aria-busy={q.isFetching}>
          <Text size="sm" c="dimmed" data-testid="summary-period">
            {periodText(s.period, s.patient.timeZone)} ({s.days} days) · days and hours in {s.patient.timeZone}
          </Text>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <BloodPressure bp={s.bloodPressure} zone={s.patient.timeZone} />
            <Weight w={s.weight} zone={s.patient.timeZone} unit={prefs.weight} />
          </SimpleGrid>
          <Glucose g={s.glucose} zone={s.patient.timeZone} unit={prefs.glucose} />
        </Stack>
      )}
      <Exports patientId={patientId} days={days} />
    </Paper>
  );
}
