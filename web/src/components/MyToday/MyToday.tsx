import { Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useLive } from '../../api/live';
import { DOSE_COLORS, DOSE_LABELS, useRecordDose, useTodayDoses, type Dose } from '../../api/medications';
import { useDueToday, type Occurrence, type OccurrenceStatus } from '../../api/monitoring';
import { useSession } from '../../session/SessionContext';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { QueryState } from '../QueryState/QueryState';

const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const time = (iso: string | undefined) => (iso ? timeFmt.format(new Date(iso)) : '');

const DUE_LABELS: Record<OccurrenceStatus, string> = {
  done: 'Done',
  due: 'Due now',
  missed: 'Missed',
  upcoming: 'Later',
};
const DUE_COLORS: Record<OccurrenceStatus, string> = { done: 'green', due: 'blue', missed: 'red', upcoming: 'gray' };

function DueItem({ o }: { o: Occurrence }) {
  return (
    <Group
      component="li"
      justify="space-between"
      wrap="nowrap"
      gap="xs"
      py="xs"
      aria-label={`${o.typeName} at ${o.local}`}
    >
      <Stack gap={0} style={{ minWidth: 0 }}>
        <Text size="sm" fw={600}>
          {o.typeName}
        </Text>
        <Text size="xs" c="dimmed">
          {time(o.dueAt)} · counts {time(o.windowStart)}–{time(o.windowEnd)}
        </Text>
      </Stack>
      <Stack gap={0} align="flex-end">
        <Badge color={DUE_COLORS[o.status]} variant={o.status === 'due' ? 'filled' : 'light'} radius="sm">
          {DUE_LABELS[o.status]}
        </Badge>
        {o.status === 'done' && o.takenAt && (
          <Text size="xs" c="dimmed">
            at {time(o.takenAt)}
          </Text>
        )}
        {o.status === 'due' && (
          <Text size="xs" c="dimmed">
            until {time(o.windowEnd)}
          </Text>
        )}
      </Stack>
    </Group>
  );
}

/** One of the two cards of today: a titled section holding a list, or why there is none. */
function TodayCard<T>({
  id,
  title,
  query,
  what,
  empty,
  children,
}: {
  id: string;
  title: string;
  query: { data: T[] | undefined; isPending: boolean; error: unknown; refetch: () => unknown };
  what: string;
  empty: { title: string; description?: string };
  /** One list item for each entry. */
  children: (item: T) => ReactNode;
}) {
  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby={id}>
      <Title order={2} fz="lg" mb="xs" id={id}>
        {title}
      </Title>
      <QueryState query={query} what={what} isEmpty={(l) => l.length === 0} empty={empty}>
        {(list) => (
          <Stack gap={0} component="ul" className="divided-list" p={0} m={0} aria-label={title}>
            {list.map(children)}
          </Stack>
        )}
      </QueryState>
    </Paper>
  );
}

/** Today's measurements on the patient's schedules: done, due (with until when), missed or later. */
export function DueToday({ patientId }: { patientId: string }) {
  const due = useDueToday(patientId);
  return (
    <TodayCard
      id="due-today-title"
      title="Due today"
      query={due}
      what="today’s measurements"
      empty={{ title: 'Nothing due today', description: 'Your care team has not asked for measurements today.' }}
    >
      {(o) => <DueItem key={`${o.scheduleId}-${o.dueAt}`} o={o} />}
    </TodayCard>
  );
}

function DoseItem({ d, patientId }: { d: Dose; patientId: string }) {
  const record = useRecordDose(patientId);
  const open = d.status === 'due' || d.status === 'upcoming';
  const what = `${d.name} ${d.dose} at ${d.local}`;
  return (
    <Stack component="li" gap={4} py="xs" aria-label={what}>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Text size="sm" fw={600}>
            {d.name} · {d.dose}
          </Text>
          <Text size="xs" c="dimmed">
            {time(d.dueAt)}
            {d.status === 'taken' && d.takenAt && ` · taken at ${time(d.takenAt)}`}
            {d.note && ` · “${d.note}”`}
          </Text>
        </Stack>
        {open ? (
          <Group gap={6} wrap="nowrap">
            <Button
              size="xs"
              color="green"
              loading={record.isPending && record.variables?.status === 'taken'}
              disabled={record.isPending}
              onClick={() => record.mutate({ medicationId: d.medicationId, dueAt: d.dueAt, status: 'taken' })}
              aria-label={`Taken: ${what}`}
            >
              Taken
            </Button>
            <Button
              size="xs"
              variant="default"
              loading={record.isPending && record.variables?.status === 'skipped'}
              disabled={record.isPending}
              onClick={() => record.mutate({ medicationId: d.medicationId, dueAt: d.dueAt, status: 'skipped' })}
              aria-label={`Skipped: ${what}`}
            >
              Skip
            </Button>
          </Group>
        ) : (
          <Badge color={DOSE_COLORS[d.status]} variant="light" radius="sm">
            {DOSE_LABELS[d.status]}
          </Badge>
        )}
      </Group>
      <ErrorAlert error={record.error} title="Could not record the dose" />
    </Stack>
  );
}

/** Today's doses as a checklist: tick each taken or skipped; missed ones say so. */
export function MedicationChecklist({ patientId }: { patientId: string }) {
  const doses = useTodayDoses(patientId);
  return (
    <TodayCard
      id="meds-today-title"
      title="Medicines today"
      query={doses}
      what="today’s medicines"
      empty={{ title: 'No medicines today' }}
    >
      {(d) => <DoseItem key={`${d.medicationId}-${d.dueAt}`} d={d} patientId={patientId} />}
    </TodayCard>
  );
}

/** The top of a patient's own page: what to measure today and which medicines to take, kept live. */
export function MyToday() {
  const { me } = useSession();
  useLive({ patients: [me.id] });
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" mb="lg">
      <DueToday patientId={me.id} />
      <MedicationChecklist patientId={me.id} />
    </SimpleGrid>
  );
}
