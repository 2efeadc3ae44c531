import {
  Button,
  EmptyState,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useLiveStatus } from '../../api/live';
import { usePatient } from '../../api/patients';
import { presentTypes, shortName, type MeasurementType } from '../../api/measurementTypes';
import {
  CHART_BUCKETS,
  DEFAULT_SPAN,
  rangeBounds,
  useBuckets,
  type ChartRange,
  type Reading,
  type Series,
} from '../../api/readings';
import { formatAgo, fromLocalInput, toLocalInput } from '../../util/format';
import { readingParts, readingValue } from '../../util/readings';
import { convert, displayUnit, formatNumber, unitLabel, useUnitPrefs, type UnitPrefs } from '../../util/units';
import { useNarrow } from '../../util/useNarrow';
import { IconPulse } from '../Icons/Icons';
import { UnitsMenu } from '../UnitsMenu/UnitsMenu';
import { scheduleWindows, thresholdsFor, useAlertRulesForChart, useSchedulesForChart } from '../../api/summaries';
import type { ChartLine, ChartThreshold } from '../VitalChart/VitalChart';
import classes from './Vitals.module.css';

import { loadChart, loadedChart } from '../VitalChart/load';

/** Whether the record is live: its own component, so that only it renders again as the connection changes. */
function LiveBadge() {
  const live = useLiveStatus();
  return (
    <Text
      size="xs"
      c={live === 'open' ? 'teal.8' : 'dimmed'}
      className={classes.live}
      data-state={live}
      aria-live="polite"
    >
      {live === 'open' ? 'Live' : live === 'idle' ? '' : 'Connecting…'}
    </Text>
  );
}

/** The chart component once its chunk (with uPlot) is in; the page shows without it meanwhile. */
function useChart() {
  const [Chart, setChart] = useState(() => loadedChart());
  useEffect(() => {
    if (Chart) return;
    let live = true;
    void loadChart().then((C) => live && setChart(() => C));
    return () => {
      live = false;
    };
  }, [Chart]);
  return Chart;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const PRESETS = {
  day: { label: 'Day', span: DAY },
  week: { label: 'Week', span: DEFAULT_SPAN },
  month: { label: 'Month', span: 30 * DAY },
  year: { label: 'Year', span: 365 * DAY },
} as const;
type Preset = keyof typeof PRESETS;
type RangeChoice = Preset | 'custom';

const COLORS: Record<string, string> = { systolic: '#c92a2a', diastolic: '#1864ab' };
const DEFAULT_COLOR = '#0c8599';
const SEVERITY_COLORS: Record<string, string> = { critical: '#c92a2a', warning: '#d9480f', info: '#1971c2' };

/** Schedule windows are drawn when the chart spans at most this long; over a month they would be a blur. */
const WINDOWS_UP_TO = 8 * DAY;

/**
 * The patient's alert thresholds and schedule windows for one type, as the
 * chart draws them: thresholds in the unit shown (a blood pressure's in its
 * component's colour), windows only over a short range.
 */
function useChartMarks(
  patientId: string,
  type: MeasurementType | undefined,
  unit: string,
  bounds: { from: number; to: number } | null,
) {
  // Alert rules are for those who may see the patient's alerts; a family
  // member with vitals alone sees the chart without thresholds.
  const patient = usePatient(patientId).data;
  const seesAlerts = !!patient && (patient.access === 'self' || patient.scopes.includes('alerts'));
  const rules = useAlertRulesForChart(patientId, !!type && seesAlerts);
  const schedules = useSchedulesForChart(patientId, !!type);
  const thresholds = useMemo<ChartThreshold[]>(() => {
    if (!type || !rules.data) return [];
    return thresholdsFor(rules.data, type.key).map((t) => {
      const v = convert(t.value, type.unit, unit);
      const part = t.component ? `${t.component} ` : '';
      return {
        value: v,
        color: (t.component && COLORS[t.component]) || SEVERITY_COLORS[t.severity] || DEFAULT_COLOR,
        label: `alert: ${part}${t.above ? '>' : '<'} ${formatNumber(v, unit)}`,
        above: t.above,
      };
    });
  }, [type, rules.data, unit]);
  const windows = useMemo<[number, number][]>(() => {
    if (!type || !schedules.data || !bounds || bounds.to - bounds.from > WINDOWS_UP_TO) return [];
    return schedules.data.filter((s) => s.type === type.key).flatMap((s) => scheduleWindows(s, bounds.from, bounds.to));
  }, [type, schedules.data, bounds?.from, bounds?.to]);
  return { thresholds, windows };
}

function linesFor(type: MeasurementType, series: Series | undefined): ChartLine[] {
  const comps = series?.components ?? (type.components?.length ? type.components.map((c) => c.key) : [type.key]);
  if (type.components?.length) {
    return ['systolic', 'diastolic']
      .map((k) => ({ index: comps.indexOf(k), label: k === 'systolic' ? 'Systolic' : 'Diastolic', color: COLORS[k]! }))
      .filter((l) => l.index >= 0);
  }
  return [{ index: 0, label: shortName(type), color: DEFAULT_COLOR }];
}

/** Count, mean, lowest and highest of each line over the whole range, from the buckets. */
function summarise(series: Series, lines: ChartLine[]) {
  let count = 0;
  const per = lines.map(() => ({ n: 0, sum: 0, min: Infinity, max: -Infinity }));
  for (const b of series.buckets) {
    count += b.count;
    lines.forEach((l, j) => {
      const s = b.stats[l.index];
      if (!s || s.count === 0) return;
      const p = per[j]!;
      p.n += s.count;
      p.sum += s.mean * s.count;
      p.min = Math.min(p.min, s.min);
      p.max = Math.max(p.max, s.max);
    });
  }
  return { count, per };
}

function NothingToDraw({ onShown }: { onShown?: () => void }) {
  useEffect(() => onShown?.(), [onShown]);
  return (
    <EmptyState py="xl" title="No readings in this range" description="Choose a longer range to see older readings." />
  );
}

function SummaryLine({ series, lines, unit }: { series: Series; lines: ChartLine[]; unit: string }) {
  const { count, per } = summarise(series, lines);
  const f = (v: number) => formatNumber(convert(v, series.unit, unit), unit);
  const join = (pick: (p: (typeof per)[number]) => number) => per.map((p) => (p.n ? f(pick(p)) : '–')).join('/');
  return (
    <Text size="sm" c="dimmed" data-testid="chart-summary">
      <b>{count.toLocaleString()}</b> {count === 1 ? 'reading' : 'readings'} · average {join((p) => p.sum / p.n)} ·
      lowest {join((p) => p.min)} · highest {join((p) => p.max)} {unitLabel(unit)}
    </Text>
  );
}

function Tile({
  type,
  reading,
  active,
  prefs,
  onClick,
}: {
  type: MeasurementType;
  reading: Reading;
  active: boolean;
  prefs: UnitPrefs;
  onClick: () => void;
}) {
  return (
    <UnstyledButton
      className={classes.tile}
      data-active={active || undefined}
      aria-pressed={active}
      onClick={onClick}
      aria-label={`${type.name}: ${readingValue(reading, prefs)}, ${formatAgo(reading.takenAt)}`}
    >
      <Text size="xs" fw={600} c={active ? 'cyan.9' : 'dimmed'} tt="uppercase" className={classes.tileName}>
        {shortName(type)}
      </Text>
      <Text fw={700} fz={{ base: 'lg', sm: 'xl' }} lh={1.25} className={classes.tileValue}>
        {readingParts(reading, prefs).number}{' '}
        <Text span fz="sm" fw={500} c="dimmed">
          {readingParts(reading, prefs).unit}
        </Text>
      </Text>
      <Text size="xs" c="dimmed">
        {formatAgo(reading.takenAt)}
      </Text>
    </UnstyledButton>
  );
}

function CustomRange({ initial, onApply }: { initial: { from: Date; to: Date }; onApply: (r: ChartRange) => void }) {
  const [from, setFrom] = useState(toLocalInput(initial.from));
  const [to, setTo] = useState(toLocalInput(initial.to));
  const a = fromLocalInput(from);
  const b = fromLocalInput(to);
  const error = a && b && a >= b ? 'The start must come before the end.' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (a && b && a < b) onApply({ from: a.toISOString(), to: b.toISOString() });
  };
  return (
    <form onSubmit={submit} aria-label="Custom range">
      <Group gap="xs" align="flex-end" wrap="wrap">
        <TextInput
          type="datetime-local"
          label="From"
          size="xs"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          error={error}
        />
        <TextInput
          type="datetime-local"
          label="To"
          size="xs"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
        />
        <Button type="submit" size="xs" variant="light" disabled={!a || !b || !!error}>
          Show
        </Button>
      </Group>
    </form>
  );
}

/**
 * The patient's vitals: a tile with the latest value of each type they
 * have, and a chart of the chosen one over a day, week, month, year or a
 * range of one's own.
 */
export function Vitals({
  patientId,
  types,
  latest,
  onDrawn,
}: {
  patientId: string;
  types: MeasurementType[];
  latest: Record<string, Reading>;
  /** Called once the chart has been drawn (or cannot be). */
  onDrawn?: () => void;
}) {
  const prefs = useUnitPrefs();
  const narrow = useNarrow();
  const present = useMemo(() => presentTypes(types, latest), [types, latest]);
  const VitalChart = useChart();
  const [chosen, setChosen] = useState<string | null>(null);
  const selected = present.find((t) => t.key === chosen) ?? present[0];
  const [choice, setChoice] = useState<RangeChoice>('week');
  const [lastPreset, setLastPreset] = useState<Preset>('week');
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);

  const range: ChartRange =
    choice === 'custom' && custom ? custom : { span: PRESETS[choice === 'custom' ? lastPreset : choice].span };
  const series = useBuckets(patientId, selected?.key ?? '', range, CHART_BUCKETS, !!selected);
  const data = series.data;
  const bounds = data ? { from: Date.parse(data.from), to: Date.parse(data.to) } : null;

  const lines = useMemo(() => (selected ? linesFor(selected, data) : []), [selected, data]);
  const unit = selected ? displayUnit(selected.unit, prefs) : '';
  const marks = useChartMarks(patientId, selected, unit, bounds);

  const pickRange = (v: string) => {
    if (v === 'custom') {
      const b = rangeBounds(range);
      setCustom({ from: b.from.toISOString(), to: b.to.toISOString() });
      setChoice('custom');
      return;
    }
    setChoice(v as Preset);
    setLastPreset(v as Preset);
  };

  if (!present.length) {
    return (
      <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="vitals-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} fz="lg" id="vitals-title">
            Vitals
          </Title>
          <LiveBadge />
        </Group>
        <EmptyState
          py="lg"
          icon={<IconPulse size={28} />}
          withIndicatorBackground
          title="No readings yet"
          description="Readings from the patient’s devices appear here the moment they arrive; readings entered by hand too."
        />
      </Paper>
    );
  }

  return (
    <Paper withBorder p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="vitals-title">
      <Group justify="space-between" mb="sm" gap="xs">
        <Group gap="sm">
          <Title order={2} fz="lg" id="vitals-title">
            Vitals
          </Title>
          <LiveBadge />
        </Group>
        <UnitsMenu />
      </Group>
      <SimpleGrid cols={{ base: 2, xs: 3, md: 4 }} spacing="xs" mb="md" role="group" aria-label="Latest readings">
        {present.map((t) => (
          <Tile
            key={t.key}
            type={t}
            reading={latest[t.key]!}
            active={t.key === selected?.key}
            prefs={prefs}
            onClick={() => setChosen(t.key)}
          />
        ))}
      </SimpleGrid>

      {selected && (
        <Stack gap="xs">
          <Group justify="space-between" align="center" gap="xs" wrap="wrap">
            <Title order={3} fz="md">
              {selected.name}
            </Title>
            <SegmentedControl
              size="xs"
              value={choice}
              onChange={pickRange}
              aria-label="Time range"
              data={[
                ...(Object.keys(PRESETS) as Preset[]).map((k) => ({ value: k, label: PRESETS[k].label })),
                { value: 'custom', label: 'Custom' },
              ]}
              fullWidth={narrow}
              w={narrow ? '100%' : undefined}
            />
          </Group>
          {choice === 'custom' && (
            <Group justify="space-between" align="flex-end" wrap="wrap" gap="xs">
              <CustomRange
                key={custom ? `${custom.from}|${custom.to}` : 'none'}
                initial={rangeBounds(range)}
                onApply={(r) => 'from' in r && setCustom(r)}
              />
              <Button size="xs" variant="subtle" onClick={() => pickRange(lastPreset)}>
                Back to {PRESETS[lastPreset].label.toLowerCase()}
              </Button>
            </Group>
          )}
          {data && lines.length ? (
            <SummaryLine series={data} lines={lines} unit={unit} />
          ) : (
            <Text size="sm">&nbsp;</Text>
          )}
          <div className={classes.chartArea} aria-busy={series.isFetching}>
            {series.error ? (
              <Text size="sm" c="red.8" role="alert">
                Could not load the chart. {series.error instanceof Error ? series.error.message : ''}
              </Text>
            ) : !data || !bounds || !VitalChart ? (
              <Skeleton height={narrow ? 220 : 260} />
            ) : data.buckets.length === 0 ? (
              <NothingToDraw onShown={onDrawn} />
            ) : (
              <VitalChart
                series={data}
                lines={lines}
                unit={unit}
                from={bounds.from}
                to={bounds.to}
                height={narrow ? 220 : 260}
                onDrawn={onDrawn}
                thresholds={marks.thresholds}
                windows={marks.windows}
                label={`${selected.name} from ${new Date(bounds.from).toLocaleString()} to ${new Date(bounds.to).toLocaleString()}${
                  marks.thresholds.length
                    ? `; ${marks.thresholds.map((t) => t.label).join(', ')} ${unitLabel(unit)}`
                    : ''
                }`}
                onZoom={(a, b) => {
                  if (b - a < 60_000) return;
                  setCustom({ from: new Date(a).toISOString(), to: new Date(b).toISOString() });
                  setChoice('custom');
                }}
              />
            )}
          </div>
          {lines.length > 0 && (
            <Group gap="md" aria-hidden>
              {lines.map((l) => (
                <Group key={l.label} gap={6}>
                  <span className={classes.swatch} style={{ background: l.color }} />
                  <Text size="xs">{l.label}</Text>
                </Group>
              ))}
              <Text size="xs" c="dimmed">
                Line: average · band: lowest to highest
                {marks.thresholds.length > 0 && ' · dashed: alert thresholds'}
                {marks.windows.length > 0 && ' · shaded: when a scheduled measurement is due'}
              </Text>
            </Group>
          )}
        </Stack>
      )}
    </Paper>
  );
}
