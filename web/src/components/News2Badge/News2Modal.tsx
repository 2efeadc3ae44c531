// The NEWS2 badge's dialog: the score's parts, the SpO2 scale and air/oxygen
// settings, and a form to record consciousness. Loaded when first opened.
import { Badge, Button, Group, Modal, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import {
  CONSCIOUSNESS,
  CONSCIOUSNESS_LABELS,
  NEWS2_PARAMETER_LABELS,
  NEWS2_RISK_COLORS,
  useNews2Settings,
  useRecordObservation,
  useSetNews2Settings,
  type Consciousness,
  type News2,
} from '../../api/monitoring';
import { formatDateTime } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';

const RISK_LABELS: Record<string, string> = {
  low: 'Low',
  'low-medium': 'Low–medium',
  medium: 'Medium',
  high: 'High',
};

function valueText(parameter: string, value: number): string {
  if (parameter === 'on_oxygen') return value ? 'Oxygen' : 'Air';
  if (parameter === 'consciousness') return value ? 'Not alert' : 'Alert';
  return String(Math.round(value * 10) / 10);
}

export default function News2Modal({
  patientId,
  n,
  onClose,
}: {
  patientId: string;
  n: News2 | undefined;
  onClose: () => void;
}) {
  const settings = useNews2Settings(patientId);
  const setSettings = useSetNews2Settings(patientId);
  const observe = useRecordObservation(patientId);
  const [acvpu, setAcvpu] = useState<Consciousness | null>(null);
  const [breathing, setBreathing] = useState<string | null>(null);
  const oxygen = settings.data?.onOxygen;

  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>NEWS2</Text>} size="lg" centered>
      <Stack gap="md">
        {!n?.available ? (
          <Text size="sm">No vital signs recent enough to score. Readings since {formatDateTime(n?.since)} count.</Text>
        ) : (
          <>
            <Group gap="xs" wrap="wrap">
              <Text fw={700} fz={28} lh={1}>
                {n.total}
              </Text>
              <Badge color={NEWS2_RISK_COLORS[n.risk] ?? 'gray'} radius="sm">
                {RISK_LABELS[n.risk] ?? n.risk} risk
              </Badge>
              {n.partial && (
                <Badge color="gray" variant="outline" radius="sm">
                  Partial
                </Badge>
              )}
            </Group>
            <Text size="sm">{n.response}</Text>
            {n.partial && (
              <Text size="sm" c="orange.8">
                Partial: no recent {n.missing.map((m) => (NEWS2_PARAMETER_LABELS[m] ?? m).toLowerCase()).join(', ')}.
                The full score can only be higher.
              </Text>
            )}
            <div className="table-scroll">
              <Table aria-label="NEWS2 parameters" miw={300}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Parameter</Table.Th>
                    <Table.Th>Value</Table.Th>
                    <Table.Th>Points</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {n.parameters.map((p) => (
                    <Table.Tr key={p.parameter}>
                      <Table.Td>{NEWS2_PARAMETER_LABELS[p.parameter] ?? p.parameter}</Table.Td>
                      <Table.Td>
                        {valueText(p.parameter, p.value)}
                        {p.takenAt && (
                          <Text size="xs" c="dimmed">
                            {formatDateTime(p.takenAt)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td fw={p.points >= 3 ? 700 : undefined} c={p.points >= 3 ? 'red.8' : undefined}>
                        {p.points}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </>
        )}

        <Title order={3} fz="md">
          Settings
        </Title>
        {settings.data && (
          <Stack gap="xs">
            <div>
              <Text size="sm" fw={500} id="news2-scale">
                SpO2 scale
              </Text>
              <SegmentedControl
                aria-labelledby="news2-scale"
                value={String(settings.data.scale)}
                onChange={(v) => setSettings.mutate({ ...settings.data!, scale: Number(v) as 1 | 2 })}
                data={[
                  { value: '1', label: 'Scale 1' },
                  { value: '2', label: 'Scale 2 (target 88–92 %)' },
                ]}
                disabled={setSettings.isPending}
              />
            </div>
            <div>
              <Text size="sm" fw={500} id="news2-oxygen">
                Breathing
              </Text>
              <SegmentedControl
                aria-labelledby="news2-oxygen"
                value={oxygen === undefined ? 'unknown' : oxygen ? 'oxygen' : 'air'}
                onChange={(v) =>
                  setSettings.mutate({
                    scale: settings.data!.scale,
                    onOxygen: v === 'unknown' ? undefined : v === 'oxygen',
                  })
                }
                data={[
                  { value: 'unknown', label: 'Not recorded' },
                  { value: 'air', label: 'Air' },
                  { value: 'oxygen', label: 'Oxygen' },
                ]}
                disabled={setSettings.isPending}
              />
            </div>
            <ErrorAlert error={setSettings.error} title="Could not save the settings" />
          </Stack>
        )}
        <ErrorAlert error={settings.error} title="Could not load the settings" />

        <Title order={3} fz="md">
          Record an observation
        </Title>
        <form
          aria-label="Record an observation"
          onSubmit={(e) => {
            e.preventDefault();
            if (!acvpu && !breathing) return;
            observe.mutate(
              { consciousness: acvpu ?? undefined, onOxygen: breathing ? breathing === 'oxygen' : undefined },
              {
                onSuccess: () => {
                  setAcvpu(null);
                  setBreathing(null);
                },
              },
            );
          }}
        >
          <Group gap="xs" align="flex-end" wrap="wrap">
            <Select
              label="Consciousness (ACVPU)"
              placeholder="Choose"
              value={acvpu}
              onChange={(v) => setAcvpu(v as Consciousness | null)}
              data={CONSCIOUSNESS.map((c) => ({ value: c, label: CONSCIOUSNESS_LABELS[c] }))}
              style={{ flex: '1 1 12rem' }}
            />
            <Select
              label="Breathing now"
              placeholder="Choose"
              value={breathing}
              onChange={setBreathing}
              data={[
                { value: 'air', label: 'Air' },
                { value: 'oxygen', label: 'Oxygen' },
              ]}
              style={{ flex: '1 1 8rem' }}
            />
            <Button type="submit" disabled={!acvpu && !breathing} loading={observe.isPending}>
              Record now
            </Button>
          </Group>
          {observe.isSuccess && !acvpu && !breathing && (
            <Text size="sm" c="green.8" mt={4} role="status">
              Recorded.
            </Text>
          )}
          <ErrorAlert error={observe.error} title="Could not record it" />
        </form>
      </Stack>
    </Modal>
  );
}
