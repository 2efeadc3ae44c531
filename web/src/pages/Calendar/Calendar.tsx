import {
  ActionIcon,
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { KIND_LABELS, useFindMyAppointment, useMyCalendar, type Appointment } from '../../api/appointments';
import { AppointmentDetails } from '../../components/Appointments/AppointmentDetails';
import { AppointmentList } from '../../components/Appointments/AppointmentList';
import { IconChevronRight, IconPerson, IconVideo } from '../../components/Appointments/Bits';
import { CalendarFeed } from '../../components/Appointments/CalendarFeed';
import { addDays, clockIn, dayHeading, mondayOf, shortDay, ymdIn } from '../../components/Appointments/time';
import { IconChevronLeft } from '../../components/Icons/Icons';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { browserTimeZone } from '../../util/format';

type View = 'day' | 'week';

function Event({ a, zone, onOpen }: { a: Appointment; zone: string; onOpen: (a: Appointment) => void }) {
  const cancelled = a.status === 'cancelled';
  return (
    <UnstyledButton
      onClick={() => onOpen(a)}
      aria-label={`${clockIn(a.start, zone)} ${a.patientName}, ${KIND_LABELS[a.kind]}${cancelled ? ', cancelled' : ''}${a.status === 'done' ? ', done' : ''}`}
      p={6}
      w="100%"
      style={{
        borderRadius: 'var(--mantine-radius-sm)',
        borderLeft: `3px solid var(--mantine-color-${cancelled ? 'red' : a.kind === 'video' ? 'indigo' : 'teal'}-6)`,
        background: cancelled ? 'var(--mantine-color-gray-0)' : 'var(--mantine-color-cyan-0)',
        opacity: cancelled ? 0.7 : 1,
      }}
    >
      <Group gap={4} wrap="nowrap">
        {a.kind === 'video' ? <IconVideo size={13} /> : <IconPerson size={13} />}
        <Text size="xs" fw={600} td={cancelled ? 'line-through' : undefined}>
          {clockIn(a.start, zone)}
        </Text>
      </Group>
      <Text size="xs" lineClamp={2} td={cancelled ? 'line-through' : undefined}>
        {a.patientName}
      </Text>
    </UnstyledButton>
  );
}

function Week({
  monday,
  items,
  zone,
  today,
  onOpen,
}: {
  monday: string;
  items: Appointment[];
  zone: string;
  today: string;
  onOpen: (a: Appointment) => void;
}) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  return (
    <SimpleGrid cols={{ base: 1, md: 7 }} spacing={6} verticalSpacing={6} role="list" aria-label="Week">
      {days.map((d) => {
        const mine = items.filter((a) => ymdIn(a.start, zone) === d);
        return (
          <Paper
            key={d}
            withBorder
            p={6}
            role="listitem"
            aria-label={dayHeading(d)}
            bg={d === today ? 'var(--mantine-color-cyan-light)' : undefined}
            mih={{ base: 0, md: 160 }}
          >
            <Text size="xs" fw={700} c={d === today ? 'cyan.9' : 'dimmed'} mb={4}>
              {shortDay(d)}
            </Text>
            <Stack gap={4}>
              {mine.length === 0 ? (
                <Text size="xs" c="dimmed">
                  Free
                </Text>
              ) : (
                mine.map((a) => <Event key={a.id} a={a} zone={zone} onOpen={onOpen} />)
              )}
            </Stack>
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}

/** A nurse's or doctor's booked appointments, a day or a week at a time, on their own clock. */
export default function Calendar() {
  const zone = browserTimeZone();
  const today = ymdIn(new Date(), zone);
  const [params, setParams] = useSearchParams();
  const view: View = params.get('view') === 'day' ? 'day' : 'week';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') ?? '') ? params.get('date')! : today;
  const [showCancelled, setShowCancelled] = useState(false);
  const [open, setOpen] = useState<Appointment | null>(null);
  const cal = useMyCalendar(date, view, zone);
  // A link from a notification or reminder opens one appointment: /calendar?open=ID.
  const linked = useFindMyAppointment(params.get('open'));
  const shown = open ?? linked.data ?? null;
  const close = () => {
    setOpen(null);
    if (params.has('open')) {
      const p = new URLSearchParams(params);
      p.delete('open');
      setParams(p, { replace: true });
    }
  };

  const go = (next: { date?: string; view?: View }) => {
    const p = new URLSearchParams(params);
    p.set('date', next.date ?? date);
    p.set('view', next.view ?? view);
    setParams(p, { replace: true });
  };
  const step = view === 'day' ? 1 : 7;
  const monday = mondayOf(date);
  const range =
    view === 'day'
      ? dayHeading(date, today)
      : `${shortDay(monday)} – ${shortDay(addDays(monday, 6))} ${addDays(monday, 6).slice(0, 4)}`;

  const items = useMemo(
    () => (cal.data?.appointments ?? []).filter((a) => showCancelled || a.status !== 'cancelled'),
    [cal.data, showCancelled],
  );

  return (
    <>
      <PageHeader
        title="Calendar"
        description={`Your booked appointments. Times are on your clock (${zone}); a patient’s own time is shown when it differs.`}
      />
      <Stack gap="md">
        <Group justify="space-between" gap="sm">
          <Group gap="sm" wrap="wrap">
            <Group gap="xs" wrap="nowrap" style={{ flexShrink: 0 }}>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={view === 'day' ? 'Previous day' : 'Previous week'}
                onClick={() => go({ date: addDays(date, -step) })}
              >
                <IconChevronLeft />
              </ActionIcon>
              <Button variant="default" onClick={() => go({ date: today })} disabled={date === today}>
                Today
              </Button>
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={view === 'day' ? 'Next day' : 'Next week'}
                onClick={() => go({ date: addDays(date, step) })}
              >
                <IconChevronRight />
              </ActionIcon>
            </Group>
            <Title order={2} fz="md" aria-live="polite">
              {range}
            </Title>
          </Group>
          <Group gap="md">
            <Switch
              label="Show cancelled"
              checked={showCancelled}
              onChange={(e) => setShowCancelled(e.currentTarget.checked)}
            />
            <SegmentedControl
              aria-label="View"
              value={view}
              onChange={(v) => go({ view: v as View })}
              data={[
                { value: 'day', label: 'Day' },
                { value: 'week', label: 'Week' },
              ]}
            />
          </Group>
        </Group>
        {linked.error && <ErrorAlert error={linked.error} title="Could not open that appointment" />}
        <QueryState query={cal} what="your calendar">
          {() =>
            view === 'week' ? (
              <Week monday={monday} items={items} zone={zone} today={today} onOpen={setOpen} />
            ) : items.length === 0 ? (
              <Paper withBorder p="lg" ta="center">
                <Text size="sm" fw={600}>
                  No appointments on this day
                </Text>
              </Paper>
            ) : (
              <AppointmentList items={items} side="professional" label="Day" onOpen={setOpen} />
            )
          }
        </QueryState>
        <CalendarFeed />
      </Stack>
      <AppointmentDetails a={shown} side="professional" onClose={close} onChanged={setOpen} />
    </>
  );
}
