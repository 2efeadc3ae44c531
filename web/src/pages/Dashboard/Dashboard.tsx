import { Anchor, Chip, Group, Paper, Select, Stack, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useMemo, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useDashboard, useNow, type DashboardRow } from '../../api/dashboard';
import type { LiveStatus } from '../../api/live';
import { AccessBadge } from '../../components/Badges/Badges';
import { IconSearch } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { UnitsMenu } from '../../components/UnitsMenu/UnitsMenu';
import { useSession } from '../../session/SessionContext';
import { ageFrom, formatAgo, formatDateTime } from '../../util/format';
import { displayUnit, unitLabel, useUnitPrefs, type UnitPrefs } from '../../util/units';
import { useNarrow } from '../../util/useNarrow';
import FamilyView from './FamilyView';
import classes from './Dashboard.module.css';
import { AlertsBadge, News2Badge, SEVERITY_LABEL, VITALS, VitalValue } from './parts';

/** Family members land on their own view; nurses and doctors on the dashboard. */
export default function PatientsHome() {
  const { role } = useSession();
  return role === 'family' ? <FamilyView /> : <ClinicianDashboard />;
}

type SortKey = 'worst' | 'name' | 'news2' | 'alerts' | 'stale' | 'recent';

const SORTS: { value: SortKey; label: string }[] = [
  { value: 'worst', label: 'Worst first' },
  { value: 'news2', label: 'NEWS2, highest first' },
  { value: 'alerts', label: 'Open alerts, most first' },
  { value: 'stale', label: 'Longest without a reading' },
  { value: 'recent', label: 'Latest reading first' },
  { value: 'name', label: 'Name' },
];

const DAY = 86_400_000;

/** The unit each vital is stored in, for the column headings. */
const CANONICAL: Record<string, string> = {
  blood_pressure: 'mm[Hg]',
  heart_rate: '/min',
  spo2: '%',
  body_temperature: 'Cel',
  respiratory_rate: '/min',
  blood_glucose: 'mg/dL',
  body_weight: 'kg',
};

const time = (iso?: string) => (iso ? Date.parse(iso) : -Infinity);
const score = (r: DashboardRow) => (r.news2?.available ? r.news2.total : -1);
const openAlerts = (r: DashboardRow) => r.alerts?.open ?? 0;
const missed = (r: DashboardRow) => r.today?.missed ?? 0;

/** The server's order is worst first; the other orders are the viewer's choice. */
function sortRows(rows: DashboardRow[], by: SortKey): DashboardRow[] {
  if (by === 'worst') return rows;
  const byName = (a: DashboardRow, b: DashboardRow) => a.name.localeCompare(b.name);
  const cmp: Record<Exclude<SortKey, 'worst'>, (a: DashboardRow, b: DashboardRow) => number> = {
    name: byName,
    news2: (a, b) => score(b) - score(a) || byName(a, b),
    alerts: (a, b) => openAlerts(b) - openAlerts(a) || byName(a, b),
    stale: (a, b) => time(a.lastReadingAt) - time(b.lastReadingAt) || byName(a, b),
    recent: (a, b) => time(b.lastReadingAt) - time(a.lastReadingAt) || byName(a, b),
  };
  return [...rows].sort(cmp[by]);
}

/** How urgently a row asks for attention, for its coloured edge. */
function flag(r: DashboardRow): 'critical' | 'warning' | undefined {
  if ((r.alerts?.openCritical ?? 0) > 0 || (r.news2?.available && r.news2.total >= 7)) return 'critical';
  if (openAlerts(r) > 0 || missed(r) > 0 || (r.news2?.available && (r.news2.total >= 5 || r.news2.singleThree)))
    return 'warning';
  return undefined;
}

function LiveText({ live }: { live: LiveStatus }) {
  return (
    <Text size="xs" c={live === 'open' ? 'teal.8' : 'dimmed'} aria-live="polite" data-state={live}>
      {live === 'open' ? '● Live' : live === 'idle' ? '' : 'Connecting…'}
    </Text>
  );
}

function TodayCell({ row }: { row: DashboardRow }) {
  const t = row.today;
  if (!row.vitals) return <NotShared />;
  if (!t || t.total === 0)
    return (
      <Text size="xs" c="dimmed" aria-label="Nothing scheduled today" title="Nothing scheduled today">
        –
      </Text>
    );
  return (
    <Stack gap={0} style={{ whiteSpace: 'nowrap' }}>
      {t.missed > 0 && (
        <Text size="xs" fw={700} c="red.8">
          {t.missed} missed
        </Text>
      )}
      <Text size="xs" c="dimmed">
        {t.done}/{t.total} done
      </Text>
    </Stack>
  );
}

function LastReading({ row, now }: { row: DashboardRow; now: number }) {
  if (!row.vitals) return <NotShared />;
  if (!row.lastReadingAt)
    return (
      <Text size="xs" c="orange.9" fw={600}>
        Never
      </Text>
    );
  const stale = now - Date.parse(row.lastReadingAt) > DAY;
  return (
    <Text
      size="xs"
      c={stale ? 'orange.9' : undefined}
      fw={stale ? 600 : undefined}
      title={formatDateTime(row.lastReadingAt)}
    >
      {formatAgo(row.lastReadingAt, now)}
    </Text>
  );
}

function NotShared() {
  return (
    <Text size="xs" c="dimmed" fs="italic">
      Not shared
    </Text>
  );
}

function AlertCell({ row }: { row: DashboardRow }) {
  if (!row.alerts) return <NotShared />;
  return (
    <Stack gap={2} w={116}>
      <AlertsBadge alerts={row.alerts} />
      {row.alerts.top && (
        <Text size="xs" c="dimmed" lineClamp={1} title={row.alerts.top.title}>
          {row.alerts.top.title}
        </Text>
      )}
    </Stack>
  );
}

function Age({ row }: { row: DashboardRow }) {
  const age = ageFrom(row.birthDate);
  return age === null ? null : (
    <Text size="xs" c="dimmed">
      {age} years
    </Text>
  );
}

/** What the table and the cards show the same rows with. */
interface ViewProps {
  rows: DashboardRow[];
  prefs: UnitPrefs;
  now: number;
  open: (id: string) => void;
}

/** A column heading that sorts by its column; aria-sort tells which one does. */
function SortHead({
  label,
  by,
  sort,
  setSort,
  w,
}: {
  label: string;
  by: SortKey[];
  sort: SortKey;
  setSort: (s: SortKey) => void;
  w?: number;
}) {
  const active = by.includes(sort);
  const next = active && by.length > 1 ? by[(by.indexOf(sort) + 1) % by.length]! : by[0]!;
  const direction = sort === 'name' || sort === 'stale' ? 'ascending' : 'descending';
  return (
    <Table.Th aria-sort={active ? direction : 'none'} w={w} style={{ whiteSpace: 'normal' }}>
      <UnstyledButton
        onClick={() => setSort(active && by.length === 1 ? 'worst' : next)}
        fw={700}
        fz="sm"
        title={active && by.length === 1 ? 'Back to worst first' : SORTS.find((x) => x.value === next)?.label}
      >
        {label}
        {active && (
          <Text span c="cyan.8" ml={4} aria-hidden>
            {direction === 'ascending' ? '▲' : '▼'}
          </Text>
        )}
      </UnstyledButton>
    </Table.Th>
  );
}

function DashboardTable({
  rows,
  prefs,
  now,
  open,
  sort,
  setSort,
}: ViewProps & { sort: SortKey; setSort: (s: SortKey) => void }) {
  const onKey = (e: KeyboardEvent, id: string) => {
    if (e.key === 'Enter' && e.target === e.currentTarget) open(id);
  };
  return (
    <div className="table-scroll">
      <Table miw={900} aria-label="Patients" verticalSpacing={6} horizontalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <SortHead label="Patient" by={['name']} sort={sort} setSort={setSort} />
            <SortHead label="Alerts" by={['alerts']} sort={sort} setSort={setSort} />
            <SortHead label="NEWS2" by={['news2']} sort={sort} setSort={setSort} />
            <Table.Th>Today</Table.Th>
            <SortHead label="Last reading" by={['recent', 'stale']} sort={sort} setSort={setSort} w={72} />
            {VITALS.map((v) => (
              <Table.Th key={v.type} title={v.name}>
                {v.short}
                <span className={classes.unitHead}>{unitLabel(displayUnit(CANONICAL[v.type] ?? '', prefs))}</span>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => {
            const byType = new Map((r.vitals ?? []).map((v) => [v.type, v]));
            return (
              <Table.Tr
                key={r.id}
                className={classes.row}
                data-flag={flag(r)}
                data-patient={r.id}
                tabIndex={0}
                aria-label={r.name}
                onClick={(e) => {
                  if (!(e.target as HTMLElement).closest('a')) open(r.id);
                }}
                onKeyDown={(e) => onKey(e, r.id)}
              >
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={`/patients/${encodeURIComponent(r.id)}`}
                    fw={600}
                    size="sm"
                    tabIndex={-1}
                    className={classes.name}
                  >
                    {r.name}
                  </Anchor>
                  <Group gap={6}>
                    <Age row={r} />
                    {r.access === 'share' && <AccessBadge access="share" />}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <AlertCell row={r} />
                </Table.Td>
                <Table.Td>{r.vitals ? <News2Badge news2={r.news2} /> : <NotShared />}</Table.Td>
                <Table.Td>
                  <TodayCell row={r} />
                </Table.Td>
                <Table.Td>
                  <LastReading row={r} now={now} />
                </Table.Td>
                {VITALS.map((v) => {
                  const vital = byType.get(v.type);
                  return (
                    <Table.Td key={v.type}>
                      {!r.vitals ? (
                        <NotShared />
                      ) : vital ? (
                        <VitalValue vital={vital} prefs={prefs} now={now} withUnit={false} />
                      ) : (
                        <Text size="xs" c="dimmed" aria-label={`No ${v.name}`}>
                          –
                        </Text>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function DashboardCards({ rows, prefs, now, open }: ViewProps) {
  return (
    <Stack gap={0} component="ul" className="divided-list" aria-label="Patients">
      {rows.map((r) => (
        <li key={r.id} data-patient={r.id}>
          <UnstyledButton
            className={classes.card}
            data-flag={flag(r)}
            onClick={() => open(r.id)}
            w="100%"
            py="sm"
            aria-label={`${r.name}: open their page`}
          >
            <Group justify="space-between" wrap="nowrap" gap="xs" mb={6}>
              <Text fw={600} size="sm" c="cyan.9">
                {r.name}
              </Text>
              <Group gap={6} wrap="nowrap">
                {r.alerts && <AlertsBadge alerts={r.alerts} quiet />}
                {r.vitals && r.news2?.available && (
                  <Group gap={4} wrap="nowrap">
                    <Text size="xs" c="dimmed">
                      NEWS2
                    </Text>
                    <News2Badge news2={r.news2} />
                  </Group>
                )}
              </Group>
            </Group>
            {r.alerts?.top && (
              <Text size="xs" c="dimmed" lineClamp={1} mb={4}>
                {SEVERITY_LABEL[r.alerts.top.severity]}: {r.alerts.top.title}
              </Text>
            )}
            {r.vitals && r.vitals.length > 0 && (
              <div className={classes.vitalsGrid}>
                {r.vitals.map((v) => (
                  <div key={v.type}>
                    <Text size="xs" c="dimmed" lh={1.2}>
                      {VITALS.find((x) => x.type === v.type)?.short ?? v.type}
                    </Text>
                    <VitalValue vital={v} prefs={prefs} now={now} />
                  </div>
                ))}
              </div>
            )}
            <Group gap="md" mt={6}>
              {r.vitals ? (
                <Text size="xs" c="dimmed">
                  Last reading{' '}
                  <Text span size="xs" c={r.lastReadingAt ? 'dark' : 'orange.9'} fw={600}>
                    {r.lastReadingAt ? formatAgo(r.lastReadingAt, now) : 'never'}
                  </Text>
                </Text>
              ) : (
                <NotShared />
              )}
              {r.today && r.today.total > 0 && (
                <Text size="xs" c={r.today.missed ? 'red.8' : 'dimmed'} fw={r.today.missed ? 700 : undefined}>
                  {r.today.missed ? `${r.today.missed} missed today` : `${r.today.done} of ${r.today.total} done today`}
                </Text>
              )}
            </Group>
          </UnstyledButton>
        </li>
      ))}
    </Stack>
  );
}

function ClinicianDashboard() {
  const { query, live } = useDashboard();
  const prefs = useUnitPrefs();
  const now = useNow();
  const narrow = useNarrow();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<SortKey>('worst');
  const [only, setOnly] = useState<string[]>([]);
  const open = (id: string) => void navigate(`/patients/${encodeURIComponent(id)}`);

  const all = query.data?.patients;
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    let rows = all ?? [];
    if (needle) rows = rows.filter((r) => r.name.toLowerCase().includes(needle));
    if (only.includes('alerts')) rows = rows.filter((r) => openAlerts(r) > 0);
    if (only.includes('missed')) rows = rows.filter((r) => missed(r) > 0);
    return sortRows(rows, sort);
  }, [all, q, only, sort]);

  const needing = (all ?? []).filter((r) => flag(r) === 'critical').length;

  return (
    <>
      <PageHeader
        title="My patients"
        description={
          all && all.length > 0
            ? `${all.length} ${all.length === 1 ? 'patient' : 'patients'}, worst first${
                needing ? ` · ${needing} need${needing === 1 ? 's' : ''} you now` : ''
              }. A row opens the patient’s page.`
            : 'Patients on your care team, and patients who shared their data with you.'
        }
        actions={
          <>
            <LiveText live={live} />
            <UnitsMenu />
          </>
        }
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <QueryState
          query={query}
          what="your patients"
          isEmpty={(d) => d.patients.length === 0}
          empty={{
            title: 'No patients in your care yet',
            description:
              'Patients appear here when an administrator puts you on their care team, or when a patient shares their data with you.',
          }}
        >
          {() => (
            <>
              <Group mb="md" gap="sm" align="center" wrap="wrap">
                <TextInput
                  type="search"
                  aria-label="Search patients by name"
                  placeholder="Search by name"
                  leftSection={<IconSearch size={16} />}
                  value={q}
                  onChange={(e) => setQ(e.currentTarget.value)}
                  w={{ base: '100%', xs: 240 }}
                />
                <Chip.Group multiple value={only} onChange={setOnly}>
                  <Group gap={6} role="group" aria-label="Show only">
                    <Chip value="alerts" size="sm" variant="outline">
                      With open alerts
                    </Chip>
                    <Chip value="missed" size="sm" variant="outline">
                      Missed today
                    </Chip>
                  </Group>
                </Chip.Group>
                <Select
                  aria-label="Sort"
                  leftSection={
                    <Text size="xs" c="dimmed" pl={6}>
                      Sort
                    </Text>
                  }
                  leftSectionWidth={44}
                  size="sm"
                  data={SORTS}
                  value={sort}
                  onChange={(v) => setSort((v as SortKey) ?? 'worst')}
                  allowDeselect={false}
                  w={{ base: '100%', xs: 240 }}
                  ml={{ base: 0, sm: 'auto' }}
                />
              </Group>
              {shown.length === 0 ? (
                <Text size="sm" c="dimmed" ta="center" py="lg">
                  No patient matches{q.trim() ? ` “${q.trim()}”` : ''}
                  {only.length ? ' with these filters' : ''}.
                </Text>
              ) : narrow ? (
                <DashboardCards rows={shown} prefs={prefs} now={now} open={open} />
              ) : (
                <DashboardTable rows={shown} prefs={prefs} now={now} open={open} sort={sort} setSort={setSort} />
              )}
              <Text size="xs" c="dimmed" mt="sm">
                Tinted values are outside the patient’s alert thresholds (!! critical, ! warning). NEWS2* is partial:
                some vital signs are missing or older than 4 hours, so the full score may be higher.
              </Text>
            </>
          )}
        </QueryState>
      </Paper>
    </>
  );
}
