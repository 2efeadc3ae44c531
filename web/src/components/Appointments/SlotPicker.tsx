import { ActionIcon, Button, Group, Loader, Paper, SimpleGrid, Stack, Text, UnstyledButton } from '@mantine/core';
import { useMemo, useState } from 'react';
import { KIND_LABELS, useSlots, type Slot } from '../../api/appointments';
import { browserTimeZone } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconChevronLeft } from '../Icons/Icons';
import { IconChevronRight, IconPerson, IconVideo } from './Bits';
import { addDays, clockIn, dayHeading, otherStart, sameWallClock, shortDay, startOfDay, ymdIn } from './time';

export const slotKey = (s: Pick<Slot, 'start' | 'kind'>) => `${s.start}|${s.kind}`;

/**
 * A professional's open slots, a week at a time, grouped by day on the
 * viewer's clock, with the professional's clock under each slot when it
 * shows another time. Picking a slot hands it to onPick.
 */
export function SlotPicker({
  professionalId,
  professionalName,
  patientId,
  picked,
  onPick,
}: {
  professionalId: string;
  professionalName: string;
  /** Booking for this patient: the API checks the professional is theirs to book. */
  patientId?: string;
  picked: Slot | null;
  onPick: (s: Slot) => void;
}) {
  const zone = browserTimeZone();
  // Fixed at mount, so the query key does not change on every render.
  const [now] = useState(() => new Date());
  const today = ymdIn(now, zone);
  const [week, setWeek] = useState(0);
  const firstDay = addDays(today, week * 7);
  const lastDay = addDays(firstDay, 6);
  const from = week === 0 ? now : startOfDay(firstDay, zone);
  const to = startOfDay(addDays(firstDay, 7), zone);
  const slots = useSlots(professionalId, from.toISOString(), to.toISOString(), patientId);

  const days = useMemo(() => {
    const byDay = new Map<string, Slot[]>();
    for (const s of slots.data ?? []) {
      const d = ymdIn(s.start, zone);
      byDay.set(d, [...(byDay.get(d) ?? []), s]);
    }
    return [...byDay.entries()];
  }, [slots.data, zone]);

  const proZone = slots.data?.[0]?.professionalTime.timeZone;
  const zonesDiffer = !!proZone && !sameWallClock(slots.data![0]!.start, zone, proZone);

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <ActionIcon
          variant="default"
          size="lg"
          aria-label="Earlier week"
          disabled={week === 0}
          onClick={() => setWeek((w) => Math.max(0, w - 1))}
        >
          <IconChevronLeft />
        </ActionIcon>
        <Text size="sm" fw={600} ta="center" aria-live="polite">
          {shortDay(firstDay)} – {shortDay(lastDay)}
        </Text>
        <ActionIcon variant="default" size="lg" aria-label="Later week" onClick={() => setWeek((w) => w + 1)}>
          <IconChevronRight />
        </ActionIcon>
      </Group>
      <Text size="xs" c="dimmed">
        Times are on your clock ({zone}).
        {zonesDiffer && ` ${professionalName} works in ${proZone}; their time is shown under each slot.`}
      </Text>
      {slots.isPending ? (
        <Group justify="center" py="md" role="status">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Looking for open times…
          </Text>
        </Group>
      ) : slots.error ? (
        <ErrorAlert error={slots.error} title="Could not load the open times" onRetry={() => void slots.refetch()} />
      ) : days.length === 0 ? (
        <Paper withBorder p="md" ta="center">
          <Text size="sm" fw={600}>
            No open times this week
          </Text>
          <Text size="sm" c="dimmed" mb="xs">
            {professionalName} has nothing free between {shortDay(firstDay)} and {shortDay(lastDay)}.
          </Text>
          <Button variant="light" size="xs" onClick={() => setWeek((w) => w + 1)}>
            Look at the next week
          </Button>
        </Paper>
      ) : (
        <Stack gap="md" role="group" aria-label="Open times">
          {days.map(([day, list]) => (
            <div key={day}>
              <Text size="sm" fw={600} mb={6}>
                {dayHeading(day, today)}
              </Text>
              <SimpleGrid cols={{ base: 2, xs: 3 }} spacing={6} verticalSpacing={6}>
                {list.map((s) => {
                  const on = picked !== null && slotKey(picked) === slotKey(s);
                  const theirs = !sameWallClock(s.start, zone, s.professionalTime.timeZone);
                  return (
                    <UnstyledButton
                      key={slotKey(s)}
                      onClick={() => onPick(s)}
                      aria-pressed={on}
                      aria-label={`${dayHeading(day)}, ${clockIn(s.start, zone)} to ${clockIn(s.end, zone)}, ${KIND_LABELS[s.kind]}`}
                      px="xs"
                      py={6}
                      style={{
                        borderRadius: 'var(--mantine-radius-md)',
                        border: `1px solid ${on ? 'var(--mantine-color-cyan-8)' : 'var(--mantine-color-gray-4)'}`,
                        background: on ? 'var(--mantine-color-cyan-8)' : 'var(--mantine-color-body)',
                        color: on ? 'white' : undefined,
                      }}
                    >
                      <Group gap={6} wrap="nowrap" justify="center">
                        {s.kind === 'video' ? <IconVideo size={14} /> : <IconPerson size={14} />}
                        <Text size="sm" fw={600} inherit>
                          {clockIn(s.start, zone)}
                        </Text>
                      </Group>
                      {theirs && (
                        <Text size="xs" ta="center" c={on ? 'white' : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
                          {otherStart(s.start, s.professionalTime.timeZone, zone)}
                        </Text>
                      )}
                    </UnstyledButton>
                  );
                })}
              </SimpleGrid>
            </div>
          ))}
          <Group gap="md">
            <Group gap={4}>
              <IconPerson size={14} />
              <Text size="xs" c="dimmed">
                In person
              </Text>
            </Group>
            <Group gap={4}>
              <IconVideo size={14} />
              <Text size="xs" c="dimmed">
                Video
              </Text>
            </Group>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
