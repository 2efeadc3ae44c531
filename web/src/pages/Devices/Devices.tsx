import { Anchor, Button, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DEVICE_KINDS, deviceName, KIND_LABELS, kindLabel, useDevices, type Device } from '../../api/devices';
import { useUsers } from '../../api/users';
import { EnabledBadge, RefusedBadge } from '../../components/DeviceBadges/DeviceBadges';
import { IconPlus, IconSearch } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { BatteryText } from '../../components/PatientDevices/PatientDevices';
import { QueryState } from '../../components/QueryState/QueryState';
import { formatAgo, formatDateTime } from '../../util/format';
import { useNarrow } from '../../util/useNarrow';
import { ShowMore } from '../../components/ShowMore/ShowMore';

const refused = (d: Device) => (d.refusals ?? []).reduce((n, r) => n + r.count, 0);

function LastHeard({ d }: { d: Device }) {
  return (
    <Text
      size="sm"
      c={d.lastSeenAt ? undefined : 'dimmed'}
      title={d.lastSeenAt ? formatDateTime(d.lastSeenAt) : undefined}
    >
      {d.lastSeenAt ? formatAgo(d.lastSeenAt) : 'Never'}
    </Text>
  );
}

export default function Devices() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const kind = params.get('kind') ?? '';
  const assigned = params.get('assigned') ?? '';
  const enabled = params.get('enabled') ?? '';
  const [debouncedQ] = useDebouncedValue(q.trim(), 250);
  const devices = useDevices({ kind: kind || undefined, q: debouncedQ || undefined });
  const patients = useUsers('', 'patient');
  const narrow = useNarrow();

  const names = useMemo(() => new Map((patients.data ?? []).map((u) => [u.id, u.name || u.email])), [patients.data]);
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  // The API filters by kind and text; whether assigned or enabled is narrowed here.
  const all = devices.data?.pages.flat();
  const list = all?.filter(
    (d) => (!assigned || (assigned === 'yes') === !!d.patientId) && (!enabled || (enabled === 'yes') === d.enabled),
  );
  const filtered = !!(debouncedQ || kind || assigned || enabled);
  const patientName = (d: Device) =>
    d.patientId ? (
      (names.get(d.patientId) ?? 'A patient')
    ) : (
      <Text span size="sm" c="dimmed">
        Not assigned
      </Text>
    );

  return (
    <>
      <PageHeader
        title="Devices"
        description="Every registered device: whose readings it sends, whether it may send them, and when it was last heard from."
        actions={
          <Button component={Link} to="/admin/devices/new" leftSection={<IconPlus size={16} />}>
            Register device
          </Button>
        }
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <Group gap="sm" mb="md" align="flex-end" wrap="wrap">
          <TextInput
            label="Search"
            placeholder="Maker, model, serial, label or EUI-64"
            leftSection={<IconSearch size={16} />}
            value={q}
            onChange={(e) => setParam('q', e.currentTarget.value)}
            style={{ flex: '1 1 16rem' }}
            type="search"
          />
          <Select
            label="Kind"
            placeholder="All kinds"
            clearable
            data={DEVICE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
            value={kind || null}
            onChange={(v) => setParam('kind', v ?? '')}
            w={{ base: '100%', xs: 220 }}
          />
          <Select
            label="Assigned"
            placeholder="Any"
            clearable
            data={[
              { value: 'yes', label: 'Assigned to a patient' },
              { value: 'no', label: 'Not assigned' },
            ]}
            value={assigned || null}
            onChange={(v) => setParam('assigned', v ?? '')}
            w={{ base: '100%', xs: 200 }}
          />
          <Select
            label="State"
            placeholder="Any"
            clearable
            data={[
              { value: 'yes', label: 'Enabled' },
              { value: 'no', label: 'Disabled' },
            ]}
            value={enabled || null}
            onChange={(v) => setParam('enabled', v ?? '')}
            w={{ base: '100%', xs: 150 }}
          />
        </Group>
        <QueryState
          query={{ ...devices, data: list }}
          what="devices"
          isEmpty={(l) => l.length === 0}
          empty={
            filtered
              ? { title: 'No device matches', description: 'Try another search or filter.' }
              : {
                  title: 'No devices yet',
                  description: 'Register a device to give it a credential and assign it to a patient.',
                  action: (
                    <Button component={Link} to="/admin/devices/new" variant="light">
                      Register device
                    </Button>
                  ),
                }
          }
        >
          {(rows) =>
            narrow ? (
              <Stack gap={0} component="ul" className="divided-list" aria-label="Devices">
                {rows.map((d) => (
                  <Stack key={d.id} component="li" gap={4} py="sm">
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <div>
                        <Anchor component={Link} to={`/admin/devices/${encodeURIComponent(d.id)}`} fw={600} size="sm">
                          {deviceName(d)}
                        </Anchor>
                        <Text size="xs" c="dimmed">
                          {kindLabel(d.kind)} · serial {d.serial}
                        </Text>
                      </div>
                      <EnabledBadge enabled={d.enabled} />
                    </Group>
                    <Text size="sm">{patientName(d)}</Text>
                    <Group gap="sm">
                      <Text size="xs" c="dimmed">
                        Last heard {d.lastSeenAt ? formatAgo(d.lastSeenAt) : 'never'}
                      </Text>
                      <BatteryText percent={d.batteryPercent} />
                      <RefusedBadge count={refused(d)} />
                    </Group>
                  </Stack>
                ))}
              </Stack>
            ) : (
              <div className="table-scroll">
                <Table miw={760} aria-label="Devices">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Device</Table.Th>
                      <Table.Th>Kind</Table.Th>
                      <Table.Th>Patient</Table.Th>
                      <Table.Th>State</Table.Th>
                      <Table.Th>Last heard</Table.Th>
                      <Table.Th>Battery</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rows.map((d) => (
                      <Table.Tr key={d.id} style={d.enabled ? undefined : { opacity: 0.75 }}>
                        <Table.Td>
                          <Anchor component={Link} to={`/admin/devices/${encodeURIComponent(d.id)}`} fw={600} size="sm">
                            {deviceName(d)}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            Serial {d.serial}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{kindLabel(d.kind)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{patientName(d)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4}>
                            <EnabledBadge enabled={d.enabled} />
                            <RefusedBadge count={refused(d)} />
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <LastHeard d={d} />
                        </Table.Td>
                        <Table.Td>
                          {d.batteryPercent !== undefined ? (
                            <BatteryText percent={d.batteryPercent} bare />
                          ) : (
                            <Text size="sm" c="dimmed">
                              —
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            )
          }
        </QueryState>
        <ShowMore query={devices} label="Show more devices" />
      </Paper>
    </>
  );
}
