import { Group, NumberInput, SegmentedControl, Select, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useMeasurementTypes } from '../../api/measurementTypes';
import {
  scheduleText,
  useSaveSchedule,
  useSchedules,
  useStopSchedule,
  type Schedule,
  type ScheduleInput,
} from '../../api/monitoring';
import { EditorModal, useFieldErrors } from '../EditorModal/EditorModal';
import { StoppableList } from '../StoppableList/StoppableList';
import { CLOCK, TimesField, timesError, WeekdaysField } from '../TimesField/TimesField';

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
  const { err, reject, unexplained } = useFieldErrors(save.error);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const title = schedule ? `Change the ${schedule.typeName.toLowerCase()} schedule` : 'Add a measurement schedule';

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!d.type) found.type = 'Choose what to measure.';
    const te = d.mode === 'times' ? timesError(d.times) : undefined;
    if (te) found.times = te;
    else if (d.mode === 'every' && !CLOCK.test(d.start)) found.start = 'Give the first time as HH:MM.';
    if (reject(found)) return;
    save.mutate({ id: schedule?.id, input: inputOf(d) }, { onSuccess: onClose });
  };

  return (
    <EditorModal
      title={title}
      onClose={onClose}
      onSubmit={submit}
      saving={save.isPending}
      error={unexplained}
      errorTitle="Could not save the schedule"
      submitLabel={schedule ? 'Save changes' : 'Add schedule'}
    >
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
    </EditorModal>
  );
}

/** The patient's measurement schedules: what to measure when, with a window; add, change and stop them. */
export function Schedules({ patientId }: { patientId: string }) {
  const schedules = useSchedules(patientId);
  const stop = useStopSchedule(patientId);
  return (
    <StoppableList
      query={schedules}
      what="the schedules"
      empty={{ title: 'No schedules', description: 'Nothing is due from this patient at set times.' }}
      label="Schedules"
      intro={
        <Text size="sm" c="dimmed" style={{ flex: '1 1 16rem' }}>
          A reading inside a window fulfils it, from whichever device or by hand; a window that closes without one
          raises a missed-measurement alert.
        </Text>
      }
      addLabel="Add schedule"
      nameOf={(s) => s.typeName}
      details={(s) => (
        <>
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
        </>
      )}
      editor={(s, onClose) => <ScheduleForm patientId={patientId} schedule={s} onClose={onClose} />}
      stop={stop}
      stopTitle={() => 'Stop this schedule?'}
      stopLabel="Stop schedule"
      stopText={(s) => (
        <Text size="sm">
          Nothing more will be due from the {s?.typeName.toLowerCase()} schedule ({s && scheduleText(s)}
          ). It stays in the record.
        </Text>
      )}
    />
  );
}
