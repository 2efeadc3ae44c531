import { Badge, Group, NumberInput, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import {
  DOSE_COLORS,
  DOSE_LABELS,
  useDoses,
  useMedications,
  useSaveMedication,
  useStopMedication,
  type Dose,
  type Medication,
  type MedicationInput,
} from '../../api/medications';
import { weekdaysText } from '../../api/monitoring';
import { formatDateTime } from '../../util/format';
import { EditorModal, useFieldErrors } from '../EditorModal/EditorModal';
import { QueryState } from '../QueryState/QueryState';
import { StoppableList } from '../StoppableList/StoppableList';
import { TimesField, timesError, WeekdaysField } from '../TimesField/TimesField';

export function DoseBadge({ status }: { status: Dose['status'] }) {
  return (
    <Badge component="span" color={DOSE_COLORS[status] ?? 'gray'} variant="light" radius="sm">
      {DOSE_LABELS[status] ?? status}
    </Badge>
  );
}

function MedicationForm({
  patientId,
  medication,
  onClose,
}: {
  patientId: string;
  medication?: Medication;
  onClose: () => void;
}) {
  const save = useSaveMedication(patientId);
  const [name, setName] = useState(medication?.name ?? '');
  const [dose, setDose] = useState(medication?.dose ?? '');
  const [instructions, setInstructions] = useState(medication?.instructions ?? '');
  const [times, setTimes] = useState<string[]>(medication?.times ?? ['08:00']);
  const [weekdays, setWeekdays] = useState<string[]>(medication?.weekdays ?? []);
  const [windowMinutes, setWindow] = useState<number | string>(medication?.windowMinutes ?? 120);
  const [remind, setRemind] = useState(medication?.remind ?? true);
  const { err, reject, unexplained } = useFieldErrors(save.error);
  const title = medication ? `Change ${medication.name}` : 'Add a medicine';

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = 'Give the medicine’s name.';
    if (!dose.trim()) found.dose = 'Give the dose, e.g. 500 mg.';
    const te = timesError(times);
    if (te) found.times = te;
    if (reject(found)) return;
    const input: MedicationInput = {
      name: name.trim(),
      dose: dose.trim(),
      instructions: instructions.trim() || undefined,
      times,
      weekdays: weekdays.length === 7 ? [] : weekdays,
      windowMinutes: Number(windowMinutes) || undefined,
      remind,
    };
    save.mutate({ id: medication?.id, input }, { onSuccess: onClose });
  };

  return (
    <EditorModal
      title={title}
      onClose={onClose}
      onSubmit={submit}
      saving={save.isPending}
      error={unexplained}
      errorTitle="Could not save the medicine"
      submitLabel={medication ? 'Save changes' : 'Add medicine'}
    >
      <Group gap="sm" grow wrap="wrap" align="flex-start">
        <TextInput
          label="Medicine"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={err('name')}
          maxLength={200}
          withAsterisk
        />
        <TextInput
          label="Dose"
          placeholder="500 mg"
          value={dose}
          onChange={(e) => setDose(e.currentTarget.value)}
          error={err('dose')}
          maxLength={100}
          withAsterisk
        />
      </Group>
      <TextInput
        label="Instructions"
        placeholder="With food"
        value={instructions}
        onChange={(e) => setInstructions(e.currentTarget.value)}
        maxLength={1000}
      />
      <TimesField label="Times of day (the patient’s clock)" times={times} onChange={setTimes} error={err('times')} />
      <WeekdaysField value={weekdays} onChange={setWeekdays} />
      <Group gap="sm" wrap="wrap" align="flex-end">
        <NumberInput
          label="On time within (min after)"
          min={10}
          max={720}
          value={windowMinutes}
          onChange={setWindow}
          error={err('windowMinutes')}
          w={200}
        />
        <Switch label="Remind the patient" checked={remind} onChange={(e) => setRemind(e.currentTarget.checked)} />
      </Group>
    </EditorModal>
  );
}

const DAY = 24 * 3600_000;

/** The last week's doses, newest first, with taken, skipped or missed. */
function DoseHistory({ patientId }: { patientId: string }) {
  const range = useMemo(() => {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    return { from: new Date(to.getTime() - 7 * DAY).toISOString(), to: to.toISOString() };
  }, []);
  const doses = useDoses(patientId, range.from, range.to);
  return (
    <QueryState
      query={{ ...doses, data: doses.data?.filter((d) => d.status !== 'upcoming').reverse() }}
      what="the doses"
      isEmpty={(l) => l.length === 0}
      empty={{ title: 'No doses in the last week' }}
    >
      {(list) => (
        <div className="table-scroll">
          <Table aria-label="Doses" miw={360}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Due</Table.Th>
                <Table.Th>Medicine</Table.Th>
                <Table.Th>Recorded</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((d) => (
                <Table.Tr key={`${d.medicationId}-${d.dueAt}`}>
                  <Table.Td>{formatDateTime(d.dueAt)}</Table.Td>
                  <Table.Td>
                    {d.name}{' '}
                    <Text span size="xs" c="dimmed">
                      {d.dose}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <DoseBadge status={d.status} />
                    {d.takenAt && d.status === 'taken' && (
                      <Text size="xs" c="dimmed">
                        {formatDateTime(d.takenAt)}
                      </Text>
                    )}
                    {d.note && (
                      <Text size="xs" c="dimmed">
                        “{d.note}”
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </QueryState>
  );
}

/** The patient's medicines: add, change and stop them, and see the doses taken, skipped and missed. */
export function Medications({ patientId }: { patientId: string }) {
  const meds = useMedications(patientId);
  const stop = useStopMedication(patientId);
  return (
    <StoppableList
      query={meds}
      what="the medicines"
      empty={{ title: 'No medicines', description: 'Medicines added here appear on the patient’s checklist.' }}
      label="Medicines"
      addLabel="Add medicine"
      nameOf={(m) => m.name}
      details={(m) => (
        <>
          <Text fw={600} size="sm">
            {m.name} · {m.dose}
          </Text>
          <Text size="sm">
            {m.times.join(', ')}, {weekdaysText(m.weekdays)}
          </Text>
          <Text size="xs" c="dimmed">
            {m.instructions && `${m.instructions} · `}on time within {m.windowMinutes} min
            {m.remind ? ' · reminders on' : ' · no reminders'}
          </Text>
        </>
      )}
      editor={(m, onClose) => <MedicationForm patientId={patientId} medication={m} onClose={onClose} />}
      stop={stop}
      stopTitle={(m) => `Stop ${m?.name ?? 'the medicine'}?`}
      stopLabel="Stop medicine"
      stopText={() => <Text size="sm">No more doses will be due. It stays in the record with its dose history.</Text>}
    >
      <Title order={3} fz="md" mt="sm">
        Doses in the last week
      </Title>
      <DoseHistory patientId={patientId} />
    </StoppableList>
  );
}
