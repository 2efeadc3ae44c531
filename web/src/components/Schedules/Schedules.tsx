import { Button, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useMeasurementTypes } from '../../api/measurementTypes';
import {
  scheduleText,
  useSaveSchedule,
  useSchedules,
  useStopSchedule,
  type Schedule,
  type ScheduleInput,
} from '../../api/monitoring';
import { ConfirmModal } from '../ConfirmModal/ConfirmModal';
import { EditStop } from '../EditStop/EditStop';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconPlus } from '../Icons/Icons';
import { CLOCK, TimesField, timesError, WeekdaysField } from '../TimesField/TimesField';
import { QueryState } from '../QueryState/QueryState';

const EVERY = [1, 2, 3, 4, 6, 8, 12, 24];

interface Draft {
  type: string;
  mode: 'times' | 'every';
  times: string[];
  everyHours: string;
  start: string;
  weekdays: string[];
  earlyMinutes: number | string;
  graceMinutes: number | string;
  reminderLeadMinutes: number | string;
  note: string;
}

function draftOf(s?: Schedule): Draft {
  return {
    type: s?.type ?? '',
    mode: s?.everyHours ? 'every' : 'times',
    times: s && !s.everyHours ? s.times : ['08:00'],
    everyHours: String(s?.everyHours ?? 6),
    start: s?.everyHours ? (s.times[0] ?? '00:00') : '06:00',
    weekdays: s?.weekdays ?? [],
    earlyMinutes: s?.earlyMinutes ?? 30,
    graceMinutes: s?.graceMinutes ?? 120,
    reminderLeadMinutes: s?.reminderLeadMinutes ?? 30,
    note: s?.note ?? '',
  };
}

function inputOf(d: Draft): ScheduleInput {
  const n = (v: number | string) => (typeof v === 'number' ? v : Number(v));
  return {
    type: d.type,
    ...(d.mode === 'times' ? { times: d.times } : { everyHours: Number(d.everyHours), start: d.start }),
    weekdays: d.weekdays.length === 7 ? [] : d.weekdays,
    earlyMinutes: n(d.earlyMinutes),
    graceMinutes: n(d.graceMinutes),
    reminderLeadMinutes: n(d.reminderLeadMinutes),
    note: d.note.trim() || undefined,
  };
}

function ScheduleForm({
  patientId,
  schedule,
  onClose,
}: {
  patientId: string;
  schedule?: Schedule;
  onClose: () => void;
}) {
  const types = useMeasurementTypes();
  const save = useSaveSchedule(patientId);
  const [d, setD] = useState<Draft>(() => draftOf(schedule));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const title = schedule ? `Change the ${schedule.typeName.toLowerCase()} schedule` : 'Add a measurement schedule';
  const server = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const err = (k: string) => errors[k] ?? server[k];

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!d.type) found.type = 'Choose what to measure.';
    const te = d.mode === 'times' ? timesError(d.times) : undefined;
    if (te) found.times = te;
    else if (d.mode === 'every' && !CLOCK.test(d.start)) found.start = 'Give the first time as HH:MM.';
    setErrors(found);
    if (Object.keys(found).length) return;
    save.mutate({ id: schedule?.id, input: inputOf(d) }, { onSuccess: onClose });
  };

  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>{title}</Text>} size="lg" centered>
      <form onSubmit={submit} aria-label={title} noValidate>
        <Stack gap="sm">
          <Select
            label="Measurement"
            placeholder="Choose"
            data={(types.data ?? []).map((t) => ({ value: t.key, label: t.name }))}
            value={d.type || null}
            onChange={(v) => set({ type: v ?? '' })}
            error={err('type')}
            disabled={!!schedule}
            searchable
            withAsterisk
          />
          <SegmentedControl
            aria-label="How often"
            value={d.mode}
            onChange={(v) => set({ mode: v as Draft['mode'] })}
            data={[
              { value: 'times', label: 'At times of day' },
              { value: 'every', label: 'Every few hours' },
            ]}
          />
          {d.mode === 'times' ? (
            <TimesField
              label="Times of day (the patient’s clock)"
              times={d.times}
              onChange={(times) => set({ times })}
              error={err('times')}
            />
          ) : (
            <Group gap="sm" grow wrap="wrap">
              <Select
                label="Every"
                data={EVERY.map((h) => ({ value: String(h), label: h === 1 ? 'hour' : `${h} hours` }))}
                value={d.everyHours}
                onChange={(v) => set({ everyHours: v ?? '6' })}
                allowDeselect={false}
                error={err('everyHours')}
              />
              <TextInput
                type="time"
                label="Starting at"
                value={d.start}
                onChange={(e) => set({ start: e.currentTarget.value })}
                error={err('start')}
              />
            </Group>
          )}
          <WeekdaysField value={d.weekdays} onChange={(weekdays) => set({ weekdays })} />
          <Group gap="sm" grow wrap="wrap" align="flex-start">
            <NumberInput
              label="Counts from (min before)"
              min={0}
              max={720}
              value={d.earlyMinutes}
              onChange={(v) => set({ earlyMinutes: v })}
              error={err('earlyMinutes')}
            />
            <NumberInput
              label="Grace window (min after)"
              min={1}
              max={1440}
              value={d.graceMinutes}
              onChange={(v) => set({ graceMinutes: v })}
              error={err('graceMinutes')}
            />
            <NumberInput
              label="Remind (min before close)"
              description="0: no reminder"
              min={0}
              max={1440}
              value={d.reminderLeadMinutes}
              onChange={(v) => set({ reminderLeadMinutes: v })}
              error={err('reminderLeadMinutes')}
            />
          </Group>
          <TextInput
            label="Note for the patient"
            maxLength={500}
            value={d.note}
            onChange={(e) => set({ note: e.currentTarget.value })}
            error={err('note')}
          />
          <ErrorAlert error={Object.keys(server).length ? null : save.error} title="Could not save the schedule" />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={save.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {schedule ? 'Save changes' : 'Add schedule'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The patient's measurement schedules: what to measure when, with a window; add, change and stop them. */
export function Schedules({ patientId }: { patientId: string }) {
  const schedules = useSchedules(patientId);
  const stop = useStopSchedule(patientId);
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const [stopping, setStopping] = useState<Schedule | null>(null);

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm" c="dimmed" style={{ flex: '1 1 16rem' }}>
          A reading inside a window fulfils it, from whichever device or by hand; a window that closes without one
          raises a missed-measurement alert.
        </Text>
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
          Add schedule
        </Button>
      </Group>
      <QueryState
        query={schedules}
        what="the schedules"
        isEmpty={(l) => l.length === 0}
        empty={{ title: 'No schedules', description: 'Nothing is due from this patient at set times.' }}
      >
        {(list) => (
          <Stack gap={0} component="ul" className="divided-list" aria-label="Schedules" p={0} m={0}>
            {list.map((s) => (
              <Group key={s.id} component="li" justify="space-between" wrap="wrap" gap="xs" py="sm">
                <Stack gap={2} style={{ flex: '1 1 14rem', minWidth: 0 }}>
                  <Text fw={600} size="sm">
                    {s.typeName}
                  </Text>
                  <Text size="sm">{scheduleText(s)}</Text>
                  <Text size="xs" c="dimmed">
                    Window from {s.earlyMinutes} min before to {s.graceMinutes} min after · {s.timeZone}
                    {s.reminderLeadMinutes > 0 && ` · reminder ${s.reminderLeadMinutes} min before it closes`}
                  </Text>
                  {s.note && (
                    <Text size="xs" c="dimmed">
                      “{s.note}”
                    </Text>
                  )}
                </Stack>
                <EditStop name={s.typeName} onEdit={() => setEditing(s)} onStop={() => setStopping(s)} />
              </Group>
            ))}
          </Stack>
        )}
      </QueryState>
      {editing && (
        <ScheduleForm
          patientId={patientId}
          schedule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmModal
        opened={!!stopping}
        title="Stop this schedule?"
        confirmLabel="Stop schedule"
        onClose={() => {
          setStopping(null);
          stop.reset();
        }}
        onConfirm={() => stopping && stop.mutate(stopping.id, { onSuccess: () => setStopping(null) })}
        loading={stop.isPending}
        error={stop.error}
      >
        <Text size="sm">
          Nothing more will be due from the {stopping?.typeName.toLowerCase()} schedule (
          {stopping && scheduleText(stopping)}
          ). It stays in the record.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
