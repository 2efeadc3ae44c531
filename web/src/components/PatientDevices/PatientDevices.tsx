import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { deviceName, humanize, kindLabel, usePatientDevices } from '../../api/devices';
import { formatAgo, formatDateTime } from '../../util/format';
import { QueryState } from '../QueryState/QueryState';

export function BatteryText({ percent, bare = false }: { percent?: number; bare?: boolean }) {
  if (percent === undefined || percent === null) return null;
  const low = percent <= 20;
  return (
    <Text size={bare ? 'sm' : 'xs'} c={low ? 'red.8' : bare ? undefined : 'dimmed'} fw={low ? 600 : undefined}>
      {bare ? `${percent}%` : `Battery ${percent}%`}
      {low ? ' (low)' : ''}
    </Text>
  );
}

/** The devices assigned to the patient, and when each was last heard from. */
export function PatientDevices({ patientId }: { patientId: string }) {
  const devices = usePatientDevices(patientId);
  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="devices-title">
      <Title order={2} fz="lg" mb="sm" id="devices-title">
        Devices
      </Title>
      <QueryState
        query={devices}
        what="devices"
        isEmpty={(l) => l.length === 0}
        empty={{ title: 'No devices', description: 'An administrator assigns devices to the patient.' }}
      >
        {(list) => (
          <Stack gap={0} component="ul" className="divided-list" aria-label="Patient’s devices">
            {list.map((d) => (
              <Stack key={d.id} component="li" gap={2} py="sm">
                <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                  <div>
                    <Text size="sm" fw={600}>
                      {deviceName(d)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {kindLabel(d.kind)} · serial {d.serial}
                    </Text>
                  </div>
                  {!d.enabled && (
                    <Badge color="red" variant="light" radius="sm">
                      Disabled
                    </Badge>
                  )}
                </Group>
                <Group gap="md">
                  <Text size="xs" c="dimmed" title={d.lastSeenAt ? formatDateTime(d.lastSeenAt) : undefined}>
                    {d.lastSeenAt ? `Last heard ${formatAgo(d.lastSeenAt)}` : 'Not heard from yet'}
                  </Text>
                  <BatteryText percent={d.batteryPercent} />
                  {d.status && (
                    <Text size="xs" c="orange.8">
                      {d.status.split(',').map(humanize).join(', ')}
                    </Text>
                  )}
                </Group>
              </Stack>
            ))}
          </Stack>
        )}
      </QueryState>
    </Paper>
  );
}
