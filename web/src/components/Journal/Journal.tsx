import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Menu,
  NumberInput,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Slider,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import {
  ENTRY_KIND_LABELS,
  ENTRY_KINDS,
  useAddJournalEntry,
  useJournal,
  useMarkEntryInError,
  type EntryKind,
  type JournalEntry,
  type NewEntry,
} from '../../api/journal';
import { formatDateTime, formatPatientTime, fromLocalInput, toLocalInput } from '../../util/format';
import { ConfirmModal } from '../ConfirmModal/ConfirmModal';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconDots } from '../Icons/Icons';
import { QueryState } from '../QueryState/QueryState';
import { correctionText, enteredByText, type Viewer } from '../ReadingsTable/ReadingsTable';
import { ShowMore } from '../ShowMore/ShowMore';

const KIND_COLORS: Record<EntryKind, string> = { food: 'lime', medication: 'blue', symptom: 'orange', note: 'gray' };

const NAME_LABEL: Record<EntryKind, string> = {
  food: 'What was eaten or drunk',
  medication: 'Medicine',
  symptom: 'Symptom',
  note: '',
};

const AMOUNT_LABEL: Record<EntryKind, string> = { food: 'How much', medication: 'Dose', symptom: '', note: '' };

function EntryForm({ patientId }: { patientId: string }) {
  const add = useAddJournalEntry(patientId);
  const [kind, setKind] = useState<EntryKind>('food');
  const [name, setName] = useState('');
  const [amount, setAmount] = useState('');
  const [carbs, setCarbs] = useState<string | number>('');
  const [severity, setSeverity] = useState(5);
  const [note, setNote] = useState('');
  const [when, setWhen] = useState(() => toLocalInput(new Date()));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  const server = add.error instanceof ApiError ? add.error.fieldErrors() : {};
  const err = (k: string) => local[k] ?? server[k];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const errs: Record<string, string> = {};
    const at = fromLocalInput(when);
    if (!at) errs['occurredAt'] = 'Say when it happened.';
    if (kind === 'note' && !note.trim()) errs['note'] = 'Write the note.';
    if ((kind === 'medication' || kind === 'symptom') && !name.trim()) errs['name'] = 'This is needed.';
    if (kind === 'food' && !name.trim() && !note.trim()) errs['name'] = 'Say what was eaten or drunk.';
    setLocal(errs);
    if (Object.keys(errs).length || !at) return;
    const body: NewEntry = { kind, occurredAt: at.toISOString() };
    if (kind !== 'note' && name.trim()) body.name = name.trim();
    if ((kind === 'food' || kind === 'medication') && amount.trim()) body.amount = amount.trim();
    if (kind === 'food' && carbs !== '') body.carbsGrams = Number(carbs);
    if (kind === 'symptom') body.severity = severity;
    if (note.trim()) body.note = note.trim();
    add.mutate(body, {
      onSuccess: () => {
        setName('');
        setAmount('');
        setCarbs('');
        setNote('');
        setSeverity(5);
        setWhen(toLocalInput(new Date()));
        setDone(true);
      },
    });
  };

  const generalError = add.error && !(add.error instanceof ApiError && Object.keys(server).length) ? add.error : null;

  return (
    <form onSubmit={submit} noValidate aria-label="Add to the journal">
      <Stack gap="sm">
        <SegmentedControl
          fullWidth
          size="xs"
          aria-label="Kind of entry"
          value={kind}
          onChange={(v) => {
            setKind(v as EntryKind);
            setLocal({});
            add.reset();
          }}
          data={ENTRY_KINDS.map((k) => ({ value: k, label: k === 'medication' ? 'Medication' : ENTRY_KIND_LABELS[k] }))}
        />
        {kind !== 'note' && (
          <SimpleGrid cols={{ base: 1, xs: AMOUNT_LABEL[kind] ? 2 : 1 }} spacing="sm">
            <TextInput
              label={NAME_LABEL[kind]}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={err('name')}
              maxLength={200}
            />
            {AMOUNT_LABEL[kind] && (
              <TextInput
                label={AMOUNT_LABEL[kind]}
                placeholder={kind === 'medication' ? 'e.g. 500 mg' : 'e.g. 2 slices'}
                value={amount}
                onChange={(e) => setAmount(e.currentTarget.value)}
                error={err('amount')}
                maxLength={100}
              />
            )}
          </SimpleGrid>
        )}
        {kind === 'food' && (
          <NumberInput
            label="Carbohydrates (g)"
            description="Optional"
            value={carbs}
            onChange={setCarbs}
            min={0}
            max={1000}
            allowNegative={false}
            hideControls
            error={err('carbsGrams')}
            w={{ base: '100%', xs: 200 }}
          />
        )}
        {kind === 'symptom' && (
          <div>
            <Text size="sm" fw={500} id="severity-label">
              How bad: {severity} of 10
            </Text>
            <Slider
              min={0}
              max={10}
              step={1}
              value={severity}
              onChange={setSeverity}
              marks={[{ value: 0, label: 'None' }, { value: 5 }, { value: 10, label: 'Worst' }]}
              thumbProps={{ 'aria-labelledby': 'severity-label' }}
              mb="lg"
            />
          </div>
        )}
        <Textarea
          label={kind === 'note' ? 'Note' : 'Note (optional)'}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={err('note')}
          autosize
          minRows={2}
          maxLength={4000}
        />
        <Group align="flex-end" justify="space-between" gap="sm">
          <TextInput
            type="datetime-local"
            label="When"
            value={when}
            onChange={(e) => setWhen(e.currentTarget.value)}
            error={err('occurredAt')}
          />
          <Button type="submit" loading={add.isPending}>
            Add to journal
          </Button>
        </Group>
        <ErrorAlert error={generalError} title="Could not add to the journal" />
        {done && (
          <Text size="sm" c="teal.8" role="status">
            Added to the journal.
          </Text>
        )}
      </Stack>
    </form>
  );
}

function entryTitle(e: JournalEntry): string {
  const parts = [e.name, e.amount].filter(Boolean).join(', ');
  return parts || (e.kind === 'note' ? '' : ENTRY_KIND_LABELS[e.kind]);
}

/** The patient's journal: food, medication taken, symptoms and notes, newest first, and a form to add. */
export function Journal({ viewer, canWrite = true }: { viewer: Viewer; canWrite?: boolean }) {
  const journal = useJournal(viewer.patientId);
  const mark = useMarkEntryInError(viewer.patientId);
  const [marking, setMarking] = useState<JournalEntry | null>(null);
  const [reason, setReason] = useState('');
  const entries = journal.data?.pages.flatMap((p) => p.entries ?? []) ?? [];
  const mayCorrect = (e: JournalEntry) =>
    viewer.me.id === viewer.patientId ||
    e.enteredBy === viewer.me.id ||
    viewer.me.roles.includes('nurse') ||
    viewer.me.roles.includes('doctor');

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="journal-title">
      <Title order={2} fz="lg" mb="md" id="journal-title">
        Journal
      </Title>
      {canWrite && <EntryForm patientId={viewer.patientId} />}
      <Title order={3} fz="sm" c="dimmed" tt="uppercase" mt="lg" mb={4} style={{ letterSpacing: '0.04em' }}>
        Recent entries
      </Title>
      <QueryState
        query={{ ...journal, data: journal.data ? entries : undefined }}
        what="the journal"
        isEmpty={(l) => l.length === 0}
        empty={{
          title: 'Nothing in the journal yet',
          description: 'Meals, medicines taken, symptoms and notes appear here.',
        }}
      >
        {(list) => (
          <Stack gap={0} component="ul" className="divided-list" aria-label="Journal entries">
            {list.map((e) => (
              <Stack
                key={e.id}
                component="li"
                gap={2}
                py="sm"
                style={e.status === 'entered-in-error' ? { opacity: 0.65 } : undefined}
              >
                <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                  <Group gap={8} wrap="wrap">
                    <Badge color={KIND_COLORS[e.kind]} variant="light" radius="sm" tt="none">
                      {ENTRY_KIND_LABELS[e.kind]}
                    </Badge>
                    <Text
                      size="sm"
                      fw={600}
                      style={e.status === 'entered-in-error' ? { textDecoration: 'line-through' } : undefined}
                    >
                      {entryTitle(e)}
                    </Text>
                    {e.carbsGrams !== undefined && e.carbsGrams !== null && (
                      <Text size="sm" c="dimmed">
                        {e.carbsGrams} g carbs
                      </Text>
                    )}
                    {e.severity !== undefined && e.severity !== null && (
                      <Text size="sm" c="dimmed">
                        severity {e.severity}/10
                      </Text>
                    )}
                  </Group>
                  <div style={{ textAlign: 'right' }}>
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(e.occurredAt)}
                    </Text>
                    {viewer.patientZone && (
                      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                        {formatPatientTime(e.occurredAt, viewer.patientZone)} patient’s time
                      </Text>
                    )}
                  </div>
                </Group>
                {e.note && (
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {e.note}
                  </Text>
                )}
                <Group gap="xs" justify="space-between">
                  <Text size="xs" c="dimmed">
                    Entered by {enteredByText(e.enteredBy, e.enteredByName, viewer)}
                    {e.status === 'entered-in-error' && ` · entered in error${correctionText(e.correction, viewer)}`}
                  </Text>
                  {e.status !== 'entered-in-error' && mayCorrect(e) && (
                    <Menu position="bottom-end" withinPortal shadow="md" hideDetached={false}>
                      <Menu.Target>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          size="sm"
                          aria-label={`Actions for journal entry ${entryTitle(e) || 'note'}`}
                        >
                          <IconDots size={16} />
                        </ActionIcon>
                      </Menu.Target>
                      <Menu.Dropdown>
                        <Menu.Item
                          color="red"
                          onClick={() => {
                            mark.reset();
                            setReason('');
                            setMarking(e);
                          }}
                        >
                          Mark entered in error…
                        </Menu.Item>
                      </Menu.Dropdown>
                    </Menu>
                  )}
                </Group>
              </Stack>
            ))}
          </Stack>
        )}
      </QueryState>
      <ShowMore query={journal} label="Show older entries" />
      <ConfirmModal
        opened={!!marking}
        title="Mark entered in error"
        confirmLabel="Mark entered in error"
        loading={mark.isPending}
        error={mark.error}
        onClose={() => setMarking(null)}
        onConfirm={() => {
          if (!marking || !reason.trim()) return;
          mark.mutate({ id: marking.id, reason: reason.trim() }, { onSuccess: () => setMarking(null) });
        }}
      >
        <Textarea
          label="Why is it wrong?"
          value={reason}
          onChange={(ev) => setReason(ev.currentTarget.value)}
          required
          maxLength={500}
          autosize
          minRows={2}
          data-autofocus
        />
      </ConfirmModal>
    </Paper>
  );
}
