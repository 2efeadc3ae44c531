import {
  ActionIcon,
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import {
  KIND_LABELS,
  useAddException,
  useAvailability,
  useRemoveException,
  useSetAvailability,
  WEEKDAYS,
  type Availability,
  type AvailabilityException,
  type ExceptionKind,
  type NewException,
  type VisitKind,
  type Weekday,
  type WeeklyHours,
} from '../../api/appointments';
import { ApiError } from '../../api/client';
import { KindBadge } from '../../components/Appointments/Bits';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { IconCheck, IconPlus, IconTrash } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';
import { browserTimeZone, formatCalendarDate, timeZones, todayYmd } from '../../util/format';

const DAY_LABELS: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

const KIND_DATA = [
  { value: 'in_person', label: KIND_LABELS.in_person },
  { value: 'video', label: KIND_LABELS.video },
];

// A time input cannot hold 24:00: hours that end at midnight show as 00:00 and are sent as 24:00.
const toInput = (hhmm: string) => (hhmm === '24:00' ? '00:00' : hhmm);
const fromInput = (hhmm: string) => (hhmm === '00:00' ? '24:00' : hhmm);

/** HH:MM plus some minutes, at most midnight (shown as 00:00). */
function laterBy(hhmm: string, minutes: number): string {
  const m = Math.min(24 * 60, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) + minutes) % (24 * 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

interface Block extends WeeklyHours {
  key: number;
}

let nextKey = 1;

function WeeklyEditor({ proId, a }: { proId: string; a: Availability }) {
  const save = useSetAvailability(proId);
  const zones = useMemo(() => timeZones(), []);
  const [zone, setZone] = useState(a.timeZone || browserTimeZone());
  const [slot, setSlot] = useState<number | string>(a.slotMinutes || 20);
  const [blocks, setBlocks] = useState<Block[]>(() =>
    a.weekly.map((w) => ({ ...w, start: toInput(w.start), end: toInput(w.end), key: nextKey++ })),
  );
  const [saved, setSaved] = useState(false);
  const published = !!a.timeZone;

  const change = (key: number, patch: Partial<WeeklyHours>) => {
    setSaved(false);
    setBlocks((bs) => bs.map((b) => (b.key === key ? { ...b, ...patch } : b)));
  };
  const add = (weekday: Weekday) => {
    setSaved(false);
    setBlocks((bs) => {
      const last = bs.filter((b) => b.weekday === weekday).at(-1);
      // After the day's last block, or 09:00–12:00 on an empty day.
      const start = last && last.end !== '00:00' ? last.end : '09:00';
      const end = last ? laterBy(start, 120) : '12:00';
      return [...bs, { weekday, start, end, kind: last?.kind ?? 'in_person', key: nextKey++ }];
    });
  };
  const remove = (key: number) => {
    setSaved(false);
    setBlocks((bs) => bs.filter((b) => b.key !== key));
  };

  // The server names a block by its place in the list it was sent: weekly[2].end.
  const ordered = WEEKDAYS.flatMap((d) => blocks.filter((b) => b.weekday === d));
  const errors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const blockError = (b: Block) => {
    const i = ordered.indexOf(b);
    return errors[`weekly[${i}].end`] ?? errors[`weekly[${i}].start`] ?? errors[`weekly[${i}]`];
  };
  const general = save.error && !Object.keys(errors).length ? save.error : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate(
      {
        timeZone: zone,
        slotMinutes: Number(slot) || 0,
        weekly: ordered.map(({ key: _key, ...w }) => ({ ...w, end: fromInput(w.end) })),
      },
      { onSuccess: () => setSaved(true) },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Weekly hours">
      <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
        <Title order={2} fz="lg" mb={4}>
          Weekly hours
        </Title>
        <Text size="sm" c="dimmed" mb="md">
          The hours patients can book you, every week, on your own clock. Each block is cut into slots of the length you
          choose.
        </Text>
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
            <Select
              label="Your time zone"
              data={zones}
              value={zone}
              onChange={(v) => v && setZone(v)}
              searchable
              allowDeselect={false}
              error={errors['timeZone']}
              description={zone !== browserTimeZone() ? `This device is on ${browserTimeZone()}.` : undefined}
            />
            <NumberInput
              label="Slot length (minutes)"
              min={5}
              max={480}
              step={5}
              value={slot}
              onChange={setSlot}
              error={errors['slotMinutes']}
            />
          </SimpleGrid>
          <Stack gap="xs" role="list" aria-label="Days">
            {WEEKDAYS.map((d) => {
              const mine = blocks.filter((b) => b.weekday === d);
              return (
                <Paper key={d} withBorder p="sm" role="listitem" aria-label={DAY_LABELS[d]}>
                  <Group justify="space-between" mb={mine.length ? 'xs' : 0}>
                    <Text fw={600} size="sm">
                      {DAY_LABELS[d]}
                    </Text>
                    <Group gap="xs">
                      {mine.length === 0 && (
                        <Text size="sm" c="dimmed">
                          Not bookable
                        </Text>
                      )}
                      <Button
                        size="compact-sm"
                        variant="light"
                        leftSection={<IconPlus size={14} />}
                        onClick={() => add(d)}
                        aria-label={`Add hours on ${DAY_LABELS[d]}`}
                      >
                        Add hours
                      </Button>
                    </Group>
                  </Group>
                  <Stack gap="xs">
                    {mine.map((b, i) => {
                      const label = `${DAY_LABELS[d]}${mine.length > 1 ? ` block ${i + 1}` : ''}`;
                      return (
                        <div key={b.key}>
                          <Group gap="xs" align="flex-end" wrap="wrap">
                            <TextInput
                              type="time"
                              label="From"
                              aria-label={`${label} from`}
                              value={b.start}
                              onChange={(e) => change(b.key, { start: e.currentTarget.value })}
                              w={140}
                              size="sm"
                            />
                            <TextInput
                              type="time"
                              label="To"
                              aria-label={`${label} to`}
                              value={b.end}
                              onChange={(e) => change(b.key, { end: e.currentTarget.value })}
                              w={140}
                              size="sm"
                            />
                            <SegmentedControl
                              size="sm"
                              aria-label={`${label} kind`}
                              value={b.kind}
                              onChange={(v) => change(b.key, { kind: v as VisitKind })}
                              data={KIND_DATA}
                            />
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              size="lg"
                              aria-label={`Remove ${label}`}
                              onClick={() => remove(b.key)}
                            >
                              <IconTrash />
                            </ActionIcon>
                          </Group>
                          {blockError(b) && (
                            <Text size="xs" c="red" mt={4} role="alert">
                              {blockError(b)}
                            </Text>
                          )}
                        </div>
                      );
                    })}
                  </Stack>
                </Paper>
              );
            })}
          </Stack>
          <ErrorAlert error={general} title="Could not publish your hours" />
          {saved && (
            <Alert color="teal" variant="light" icon={<IconCheck />} title="Your hours are published" role="status">
              Patients can book the open slots now. Appointments already booked stay as they are.
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending}>
              {published ? 'Save hours' : 'Publish hours'}
            </Button>
          </Group>
        </Stack>
      </Paper>
    </form>
  );
}

function describeException(e: AvailabilityException): string {
  if (e.kind === 'off') {
    return e.from === e.to
      ? `Day off: ${formatCalendarDate(e.from)}`
      : `Days off: ${formatCalendarDate(e.from)} – ${formatCalendarDate(e.to)}`;
  }
  return `Extra hours: ${formatCalendarDate(e.from)}, ${e.start}–${e.end}`;
}

function Exceptions({ proId, a }: { proId: string; a: Availability }) {
  const addEx = useAddException(proId);
  const removeEx = useRemoveException(proId);
  const [kind, setKind] = useState<ExceptionKind>('off');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [start, setStart] = useState('14:00');
  const [end, setEnd] = useState('16:00');
  const [visit, setVisit] = useState<VisitKind>('in_person');
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState('');
  const errors = addEx.error instanceof ApiError ? addEx.error.fieldErrors() : {};
  const general = addEx.error && !Object.keys(errors).length ? addEx.error : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!from) {
      setMissing('Choose the date.');
      return;
    }
    setMissing('');
    const body: NewException =
      kind === 'off' ? { kind, from, to: to || from } : { kind, from, start, end: fromInput(end), visitKind: visit };
    if (note.trim()) body.note = note.trim();
    addEx.mutate(body, {
      onSuccess: () => {
        setFrom('');
        setTo('');
        setNote('');
      },
    });
  };

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
      <Title order={2} fz="lg" mb={4}>
        Days off and extra hours
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Exceptions to the weekly hours: days you cannot be booked, and single dates with hours on top of the usual ones.
        Appointments already booked stay.
      </Text>
      {!a.timeZone ? (
        <Alert color="gray" variant="light" title="Publish weekly hours first">
          Exceptions are read in your time zone, so publish your weekly hours (with your time zone) before adding them.
        </Alert>
      ) : (
        <Stack gap="md">
          {a.exceptions.length === 0 ? (
            <Text size="sm" c="dimmed">
              No days off or extra hours ahead.
            </Text>
          ) : (
            <Stack gap="xs" component="ul" aria-label="Exceptions" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {a.exceptions.map((e) => (
                <Group key={e.id} component="li" justify="space-between" wrap="nowrap" gap="xs">
                  <div>
                    <Text size="sm">{describeException(e)}</Text>
                    {e.note && (
                      <Text size="xs" c="dimmed">
                        {e.note}
                      </Text>
                    )}
                  </div>
                  <Group gap="xs" wrap="nowrap">
                    {e.kind === 'extra' && e.visitKind && <KindBadge kind={e.visitKind} size="xs" />}
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${describeException(e)}`}
                      loading={removeEx.isPending && removeEx.variables === e.id}
                      onClick={() => removeEx.mutate(e.id)}
                    >
                      <IconTrash />
                    </ActionIcon>
                  </Group>
                </Group>
              ))}
            </Stack>
          )}
          <ErrorAlert error={removeEx.error} title="Could not remove it" />
          <form onSubmit={submit} noValidate aria-label="Add an exception">
            <Stack gap="sm">
              <SegmentedControl
                aria-label="Kind of exception"
                value={kind}
                onChange={(v) => setKind(v as ExceptionKind)}
                data={[
                  { value: 'off', label: 'Days off' },
                  { value: 'extra', label: 'Extra hours' },
                ]}
              />
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
                <TextInput
                  type="date"
                  label={kind === 'off' ? 'First day' : 'Date'}
                  value={from}
                  min={todayYmd()}
                  onChange={(e) => setFrom(e.currentTarget.value)}
                  error={missing || errors['from']}
                />
                {kind === 'off' ? (
                  <TextInput
                    type="date"
                    label="Last day"
                    description="Leave empty for one day."
                    value={to}
                    min={from || todayYmd()}
                    onChange={(e) => setTo(e.currentTarget.value)}
                    error={errors['to']}
                  />
                ) : (
                  <Group gap="xs" grow>
                    <TextInput
                      type="time"
                      label="From"
                      value={start}
                      onChange={(e) => setStart(e.currentTarget.value)}
                      error={errors['start']}
                    />
                    <TextInput
                      type="time"
                      label="To"
                      value={end}
                      onChange={(e) => setEnd(e.currentTarget.value)}
                      error={errors['end']}
                    />
                  </Group>
                )}
              </SimpleGrid>
              {kind === 'extra' && (
                <SegmentedControl
                  aria-label="Kind of visit"
                  value={visit}
                  onChange={(v) => setVisit(v as VisitKind)}
                  data={KIND_DATA}
                />
              )}
              <TextInput
                label="Note (optional)"
                description="For you; patients do not see it."
                value={note}
                maxLength={200}
                onChange={(e) => setNote(e.currentTarget.value)}
              />
              <ErrorAlert error={general} title="Could not add it" />
              <Group justify="flex-end">
                <Button type="submit" variant="light" loading={addEx.isPending}>
                  {kind === 'off' ? 'Add days off' : 'Add extra hours'}
                </Button>
              </Group>
            </Stack>
          </form>
        </Stack>
      )}
    </Paper>
  );
}

/** A nurse's or doctor's bookable hours: weekly blocks, time zone, slot length, and exceptions. */
export default function MyHours() {
  const { me } = useSession();
  const availability = useAvailability(me.id);
  return (
    <>
      <PageHeader
        title="My hours"
        description="When patients can book you, in person or by video. Open slots are worked out from these hours, on your clock, and follow daylight-saving changes."
      />
      <QueryState query={availability} what="your hours">
        {(a) => (
          <Stack gap="lg" maw={860}>
            <WeeklyEditor proId={me.id} a={a} />
            <Exceptions proId={me.id} a={a} />
          </Stack>
        )}
      </QueryState>
    </>
  );
}
