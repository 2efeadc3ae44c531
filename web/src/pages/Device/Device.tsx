import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import {
  deviceName,
  humanize,
  kindLabel,
  refusalLabel,
  useAssignDevice,
  useDevice,
  useDeviceHistory,
  useRotateCredential,
  useSetDeviceEnabled,
  useUnassignDevice,
  type Device as DeviceT,
} from '../../api/devices';
import { useUsers } from '../../api/users';
import { BackLink } from '../../components/BackLink/BackLink';
import { ConfirmModal } from '../../components/ConfirmModal/ConfirmModal';
import { EnabledBadge } from '../../components/DeviceBadges/DeviceBadges';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { BatteryText } from '../../components/PatientDevices/PatientDevices';
import { PatientPicker } from '../../components/PatientPicker/PatientPicker';
import { QueryState } from '../../components/QueryState/QueryState';
import { Secret } from '../../components/Secret/Secret';
import { formatAgo, formatDateTime } from '../../util/format';

function Field({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: '0.04em' }}>
        {label}
      </Text>
      <Text size="sm" c={value ? undefined : 'dimmed'} component="div">
        {value || 'Not recorded'}
      </Text>
    </div>
  );
}

function useUserNames() {
  const users = useUsers('', '');
  return useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.name || u.email])), [users.data]);
}

type Confirm = 'disable' | 'enable' | 'rotate' | 'unassign' | null;

function DeviceView({ d }: { d: DeviceT }) {
  const names = useUserNames();
  const history = useDeviceHistory(d.id);
  const setEnabled = useSetDeviceEnabled(d.id);
  const rotate = useRotateCredential(d.id);
  const assign = useAssignDevice(d.id);
  const unassign = useUnassignDevice(d.id);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [credential, setCredential] = useState<string | null>(null);

  const name = (id?: string) => (id ? (names.get(id) ?? 'Unknown user') : '');
  const patientLink = (id: string) => (
    <Anchor component={Link} to={`/admin/users/${encodeURIComponent(id)}`} size="sm">
      {name(id)}
    </Anchor>
  );

  const doConfirm = () => {
    const close = () => setConfirm(null);
    if (confirm === 'disable' || confirm === 'enable') setEnabled.mutate(confirm === 'enable', { onSuccess: close });
    if (confirm === 'rotate')
      rotate.mutate(undefined, {
        onSuccess: (r) => {
          setCredential(r.credential);
          close();
        },
      });
    if (confirm === 'unassign') unassign.mutate(undefined, { onSuccess: close });
  };
  const pending = setEnabled.isPending || rotate.isPending || unassign.isPending;
  const confirmError = setEnabled.error ?? rotate.error ?? unassign.error;
  const refusals = d.refusals ?? [];
  const assignError = assign.error instanceof ApiError ? assign.error.fieldErrors()['patientId'] : undefined;

  return (
    <>
      <PageHeader
        above={<BackLink to="/admin/devices">Devices</BackLink>}
        title={deviceName(d)}
        description={
          <Group gap="xs" component="span">
            <span>
              {kindLabel(d.kind)} · serial {d.serial}
            </span>
            <EnabledBadge enabled={d.enabled} />
          </Group>
        }
      />
      <Stack gap="lg">
        {credential && (
          <Secret title="New credential" secret={credential} onClose={() => setCredential(null)}>
            <Text size="sm">The old credential no longer works: put this one in the device.</Text>
          </Secret>
        )}
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="patient-title">
            <Title order={2} fz="lg" mb="md" id="patient-title">
              Patient
            </Title>
            <Stack gap="sm">
              {d.patientId ? (
                <Group justify="space-between" align="flex-start">
                  <div>
                    {patientLink(d.patientId)}
                    <Text size="xs" c="dimmed">
                      Since {formatDateTime(d.assignedAt)}
                    </Text>
                  </div>
                  <Button variant="default" size="xs" color="red" onClick={() => setConfirm('unassign')}>
                    Unassign
                  </Button>
                </Group>
              ) : (
                <Text size="sm" c="dimmed">
                  Not assigned: its readings are refused until it is.
                </Text>
              )}
              <form
                aria-label="Assign to a patient"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (picked) assign.mutate(picked, { onSuccess: () => setPicked(null) });
                }}
              >
                <Group align="flex-end" gap="xs" wrap="wrap">
                  <div style={{ flex: '1 1 14rem' }}>
                    <PatientPicker
                      value={picked}
                      onChange={setPicked}
                      label={d.patientId ? 'Move to another patient' : 'Assign to patient'}
                      exclude={d.patientId}
                      error={assignError}
                    />
                  </div>
                  <Button type="submit" disabled={!picked} loading={assign.isPending}>
                    Assign
                  </Button>
                </Group>
              </form>
              {!assignError && <ErrorAlert error={assign.error} title="Could not assign the device" />}
            </Stack>
          </Paper>

          <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="access-title">
            <Title order={2} fz="lg" mb="md" id="access-title">
              Access
            </Title>
            <Stack gap="md">
              <div>
                <Switch
                  label="Enabled"
                  checked={d.enabled}
                  onChange={(e) => setConfirm(e.currentTarget.checked ? 'enable' : 'disable')}
                />
                <Text size="xs" c="dimmed" mt={4} ml={50}>
                  {d.enabled
                    ? 'Its readings are accepted.'
                    : 'Its readings are refused at every door until it is enabled.'}
                </Text>
              </div>
              <Group justify="space-between" align="center" gap="xs">
                <div>
                  <Text size="sm" fw={500}>
                    Credential
                  </Text>
                  <Text size="xs" c="dimmed">
                    Set {formatDateTime(d.credentialSetAt)}
                  </Text>
                </div>
                <Button variant="default" size="xs" onClick={() => setConfirm('rotate')}>
                  Rotate credential
                </Button>
              </Group>
            </Stack>
          </Paper>

          <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="activity-title">
            <Title order={2} fz="lg" mb="md" id="activity-title">
              Last heard from
            </Title>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
              <Field
                label="Last heard"
                value={d.lastSeenAt ? `${formatAgo(d.lastSeenAt)} (${formatDateTime(d.lastSeenAt)})` : 'Never'}
              />
              <Field
                label="Battery"
                value={d.batteryPercent !== undefined ? <BatteryText percent={d.batteryPercent} bare /> : undefined}
              />
              <Field
                label="Status it reported"
                value={
                  d.status
                    ? `${d.status.split(',').map(humanize).join(', ')}${d.statusAt ? ` (${formatDateTime(d.statusAt)})` : ''}`
                    : 'Nothing to report'
                }
              />
            </SimpleGrid>
          </Paper>

          <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="details-title">
            <Title order={2} fz="lg" mb="md" id="details-title">
              Details
            </Title>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
              <Field label="Maker" value={d.maker} />
              <Field label="Model" value={d.model} />
              <Field label="Serial" value={d.serial} />
              <Field label="EUI-64" value={d.eui64} />
              <Field label="Label" value={d.label} />
              <Field label="Registered" value={formatDateTime(d.createdAt)} />
              <Field
                label="Device id"
                value={
                  <Text size="xs" ff="monospace">
                    {d.id}
                  </Text>
                }
              />
            </SimpleGrid>
          </Paper>
        </SimpleGrid>

        <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="refusals-title">
          <Title order={2} fz="lg" mb={4} id="refusals-title">
            Refused readings
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            Readings Tend did not store from this device, by reason.
          </Text>
          {refusals.length === 0 ? (
            <Text size="sm">None refused.</Text>
          ) : (
            <div className="table-scroll">
              <Table miw={560} aria-label="Refused readings">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Reason</Table.Th>
                    <Table.Th ta="right">Readings</Table.Th>
                    <Table.Th>First</Table.Th>
                    <Table.Th>Last</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {refusals.map((r) => (
                    <Table.Tr key={r.reason}>
                      <Table.Td>
                        <Text size="sm">{refusalLabel(r.reason)}</Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text size="sm" fw={600}>
                          {r.count.toLocaleString()}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(r.firstAt)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(r.lastAt)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          )}
        </Paper>

        <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="history-title">
          <Title order={2} fz="lg" mb="md" id="history-title">
            Assignment history
          </Title>
          <QueryState
            query={history}
            what="the assignment history"
            isEmpty={(l) => l.length === 0}
            empty={{ title: 'Never assigned', description: 'Patients this device was given to appear here.' }}
          >
            {(list) => (
              <div className="table-scroll">
                <Table miw={600} aria-label="Assignment history">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Patient</Table.Th>
                      <Table.Th>From</Table.Th>
                      <Table.Th>Until</Table.Th>
                      <Table.Th>By</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {[...list].reverse().map((a) => (
                      <Table.Tr key={a.id}>
                        <Table.Td>{patientLink(a.patientId)}</Table.Td>
                        <Table.Td>
                          <Text size="sm">{formatDateTime(a.from)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" c={a.to ? undefined : 'teal.8'} fw={a.to ? undefined : 600}>
                            {a.to ? formatDateTime(a.to) : 'Now'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {name(a.assignedBy)}
                            {a.unassignedBy && a.unassignedBy !== a.assignedBy
                              ? `, ended by ${name(a.unassignedBy)}`
                              : ''}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            )}
          </QueryState>
        </Paper>
      </Stack>

      <ConfirmModal
        opened={confirm !== null}
        title={
          confirm === 'disable'
            ? 'Disable this device?'
            : confirm === 'enable'
              ? 'Enable this device?'
              : confirm === 'rotate'
                ? 'Give the device a new credential?'
                : 'Unassign this device?'
        }
        confirmLabel={
          confirm === 'disable'
            ? 'Disable'
            : confirm === 'enable'
              ? 'Enable'
              : confirm === 'rotate'
                ? 'Rotate credential'
                : 'Unassign'
        }
        onConfirm={doConfirm}
        onClose={() => {
          setConfirm(null);
          setEnabled.reset();
          rotate.reset();
          unassign.reset();
        }}
        loading={pending}
        error={confirmError}
      >
        <Text size="sm">
          {confirm === 'disable' &&
            `Readings from ${deviceName(d)} will be refused at every door, and counted, until it is enabled again.`}
          {confirm === 'enable' && `Readings from ${deviceName(d)} will be accepted again.`}
          {confirm === 'rotate' &&
            'The current credential stops working at once. The device sends nothing until it has the new one.'}
          {confirm === 'unassign' &&
            `${name(d.patientId)} will no longer receive readings from ${deviceName(d)}; until it is assigned again its readings are refused.`}
        </Text>
      </ConfirmModal>
    </>
  );
}

export default function Device() {
  const { deviceId = '' } = useParams();
  const device = useDevice(deviceId);
  if (device.error instanceof ApiError && device.error.status === 404) {
    return (
      <>
        <PageHeader above={<BackLink to="/admin/devices">Devices</BackLink>} title="Device not found" />
        <ErrorAlert error={device.error} title="There is no such device" />
      </>
    );
  }
  return (
    <QueryState query={device} what="the device">
      {(d) => <DeviceView d={d} />}
    </QueryState>
  );
}
