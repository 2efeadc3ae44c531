import {
  ActionIcon,
  Badge,
  Checkbox,
  Group,
  Menu,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { deviceName, type Device } from '../../api/devices';
import { shortName, type MeasurementType } from '../../api/measurementTypes';
import { useMarkReadingInError, useReadings, type Correction, type Reading } from '../../api/readings';
import type { Me } from '../../api/types';
import { formatDateTime, formatPatientTime } from '../../util/format';
import { flagIsWarning, flagLabel, readingValue, SOURCE_LABELS } from '../../util/readings';
import { useUnitPrefs } from '../../util/units';
import { useNarrow } from '../../util/useNarrow';
import { ConfirmModal } from '../ConfirmModal/ConfirmModal';
import { IconDots } from '../Icons/Icons';
import { QueryState } from '../QueryState/QueryState';
import { ShowMore } from '../ShowMore/ShowMore';

export interface Viewer {
  me: Me;
  patientId: string;
  patientName: string;
  /** The patient's zone, when it shows other times than the viewer's. */
  patientZone?: string;
}

/** Who typed or relayed a reading or journal entry, in words: the server's name for them, when it gives one. */
export function enteredByText(id: string | undefined, name: string | undefined, v: Viewer): string {
  if (!id) return '—';
  if (id === v.me.id) return 'You';
  if (name) return name;
  if (id === v.patientId) return v.patientName;
  return 'Another user';
}

/** " by <who>: <why>" of a correction, as much of it as is known. */
export function correctionText(c: Correction | undefined, v: Viewer): string {
  if (!c) return '';
  return `${c.by ? ` by ${enteredByText(c.by, c.byName, v)}` : ''}${c.reason ? `: ${c.reason}` : ''}`;
}

/** Whether the viewer may mark a reading entered in error (as the server decides it). */
function mayCorrect(r: Reading, v: Viewer): boolean {
  return (
    v.me.id === v.patientId ||
    (!!r.enteredBy && r.enteredBy === v.me.id) ||
    v.me.roles.includes('nurse') ||
    v.me.roles.includes('doctor')
  );
}

function When({ iso, zone }: { iso: string; zone?: string }) {
  return (
    <>
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {formatDateTime(iso)}
      </Text>
      {zone && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatPatientTime(iso, zone)} patient’s time
        </Text>
      )}
    </>
  );
}

function Notes({ r, viewer }: { r: Reading; viewer: Viewer }) {
  const flags = r.flags ?? [];
  if (!flags.length && r.status !== 'entered-in-error') return null;
  return (
    <Group gap={4} wrap="wrap">
      {r.status === 'entered-in-error' && (
        <Badge
          color="red"
          variant="light"
          radius="sm"
          tt="none"
          title={r.correction?.reason}
          styles={{ root: { height: 'auto', minHeight: 20 }, label: { whiteSpace: 'normal', overflow: 'visible' } }}
        >
          Entered in error{correctionText(r.correction, viewer)}
        </Badge>
      )}
      {flags.map((f) => (
        <Badge
          key={f}
          color={flagIsWarning(f) ? 'orange' : 'gray'}
          variant="light"
          radius="sm"
          tt="none"
          styles={{ root: { height: 'auto', minHeight: 20 }, label: { whiteSpace: 'normal', overflow: 'visible' } }}
        >
          {flagLabel(f)}
        </Badge>
      ))}
    </Group>
  );
}

/** The patient's readings, newest first, with where each came from, who entered it, and its flags. */
export function ReadingsTable({
  viewer,
  types,
  devices,
}: {
  viewer: Viewer;
  types: MeasurementType[];
  devices: Device[];
}) {
  const prefs = useUnitPrefs();
  const narrow = useNarrow();
  const [type, setType] = useState<string | null>(null);
  const [withErrors, setWithErrors] = useState(false);
  const readings = useReadings(viewer.patientId, { types: type ? [type] : [], includeEnteredInError: withErrors });
  const mark = useMarkReadingInError(viewer.patientId);
  const [marking, setMarking] = useState<Reading | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();

  const typeName = (key: string) => {
    const t = types.find((x) => x.key === key);
    return t ? shortName(t) : key;
  };
  const source = (r: Reading) => {
    if (r.source !== 'device') return SOURCE_LABELS[r.source] ?? r.source;
    const d = devices.find((x) => x.id === r.deviceId);
    return d ? deviceName(d) : 'Device';
  };
  const rows = readings.data?.pages.flatMap((p) => p.readings ?? []) ?? [];
  const crossed = (r: Reading) =>
    r.status === 'entered-in-error' ? { textDecoration: 'line-through', opacity: 0.7 } : {};
  const action = (r: Reading) =>
    r.status !== 'entered-in-error' && mayCorrect(r, viewer) ? (
      <Menu position="bottom-end" withinPortal shadow="md" hideDetached={false}>
        <Menu.Target>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`Actions for ${typeName(r.type)} ${readingValue(r, prefs)} of ${formatDateTime(r.takenAt)}`}
          >
            <IconDots size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item
            color="red"
            onClick={() => {
              mark.reset();
              setReason('');
              setReasonError(undefined);
              setMarking(r);
            }}
          >
            Mark entered in error…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
    ) : null;

  return (
    <Paper withBorder p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="readings-title">
      <Group justify="space-between" align="flex-end" mb="sm" gap="xs" wrap="wrap">
        <Title order={2} fz="lg" id="readings-title">
          Readings
        </Title>
        <Group gap="sm" align="center" wrap="wrap">
          <Checkbox
            size="xs"
            label="Show entered in error"
            checked={withErrors}
            onChange={(e) => setWithErrors(e.currentTarget.checked)}
          />
          <Select
            size="xs"
            aria-label="Show only"
            placeholder="All measurements"
            clearable
            value={type}
            onChange={setType}
            data={types.map((t) => ({ value: t.key, label: t.name }))}
            w={200}
          />
        </Group>
      </Group>
      <QueryState
        query={{ ...readings, data: readings.data ? rows : undefined }}
        what="readings"
        isEmpty={(l) => l.length === 0}
        empty={{ title: 'No readings', description: type ? 'None of this measurement yet.' : 'Nothing measured yet.' }}
      >
        {(list) =>
          narrow ? (
            <Stack gap={0} component="ul" className="divided-list" aria-label="Readings">
              {list.map((r) => (
                <Stack key={r.id} component="li" gap={2} py="sm">
                  <Group justify="space-between" wrap="nowrap" align="center" gap="xs">
                    <Text size="xs" c="dimmed" fw={600} tt="uppercase">
                      {typeName(r.type)}
                    </Text>
                    {action(r)}
                  </Group>
                  <Text fw={700} style={crossed(r)}>
                    {readingValue(r, prefs)}
                  </Text>
                  <div>
                    <When iso={r.takenAt} zone={viewer.patientZone} />
                  </div>
                  <Text size="xs" c="dimmed">
                    {source(r)}
                    {r.enteredBy ? ` · entered by ${enteredByText(r.enteredBy, r.enteredByName, viewer)}` : ''}
                  </Text>
                  <Notes r={r} viewer={viewer} />
                </Stack>
              ))}
            </Stack>
          ) : (
            <div className="table-scroll">
              <Table miw={720} aria-label="Readings">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Taken</Table.Th>
                    <Table.Th>Measurement</Table.Th>
                    <Table.Th>Value</Table.Th>
                    <Table.Th>Source</Table.Th>
                    <Table.Th style={{ whiteSpace: 'nowrap' }}>Entered by</Table.Th>
                    <Table.Th>Notes</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>
                        <When iso={r.takenAt} zone={viewer.patientZone} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{typeName(r.type)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap', ...crossed(r) }}>
                          {readingValue(r, prefs)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{source(r)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{enteredByText(r.enteredBy, r.enteredByName, viewer)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Notes r={r} viewer={viewer} />
                      </Table.Td>
                      <Table.Td ta="right">{action(r)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )
        }
      </QueryState>
      <ShowMore query={readings} label="Show older readings" />
      <ConfirmModal
        opened={!!marking}
        title="Mark entered in error"
        confirmLabel="Mark entered in error"
        loading={mark.isPending}
        error={mark.error}
        onClose={() => setMarking(null)}
        onConfirm={() => {
          if (!marking) return;
          if (!reason.trim()) {
            setReasonError('Say why the reading is wrong.');
            return;
          }
          mark.mutate({ id: marking.id, reason: reason.trim() }, { onSuccess: () => setMarking(null) });
        }}
      >
        {marking && (
          <Stack gap="sm">
            <Text size="sm">
              {typeName(marking.type)} {readingValue(marking, prefs)} taken {formatDateTime(marking.takenAt)} will leave
              the charts. It is kept, marked, with your reason.
            </Text>
            <Textarea
              label="Why is it wrong?"
              placeholder="e.g. Taken on the wrong arm, right after exercise"
              value={reason}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                setReasonError(undefined);
              }}
              error={reasonError}
              required
              maxLength={500}
              autosize
              minRows={2}
              data-autofocus
            />
          </Stack>
        )}
      </ConfirmModal>
    </Paper>
  );
}
