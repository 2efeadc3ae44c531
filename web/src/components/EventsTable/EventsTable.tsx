import { Badge, Group, Paper, Stack, Table, Text } from '@mantine/core';
import type { AuditEvent } from '../../api/types';
import { formatDateTime } from '../../util/format';
import { useNarrow } from '../../util/useNarrow';

// The server records each call by its operation; say what that means for a patient.
const ACTIONS: Record<string, string> = {
  'patients.read': 'Opened your record',
  'patients.list': 'Listed their patients',
  'grants.list': 'Viewed who can see your data',
  'grants.create': 'Shared your data',
  'grants.revoke': 'Stopped a share',
  'careteam.assign': 'Added someone to your care team',
  'accesslog.list': 'Viewed this access log',
  'users.read': 'Opened your account',
  'users.update': 'Changed your account',
  'users.create': 'Created your account',
};

/** Turns an action code such as "patients.read" into words a patient understands. */
export function describeAction(action: string, resource = ''): string {
  const known = ACTIONS[action];
  if (known) return known;
  const words = action.replace(/[._-]+/g, ' ').trim();
  const text = words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Access';
  // A bare kind of data helps ("vitals"); an address or an id does not.
  return resource && !resource.includes('/') && resource.length <= 40 ? `${text} (${resource})` : text;
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const o = outcome.toLowerCase();
  const [label, color] =
    o === 'success' || o === 'ok' || o === 'allowed'
      ? ['Allowed', 'green']
      : o === 'denied' || o === 'forbidden'
        ? ['Denied', 'red']
        : o === 'failure' || o === 'error' || o === 'failed'
          ? ['Failed', 'orange']
          : [outcome, 'gray'];
  return (
    <Badge color={color} variant="light" radius="sm" tt="none" style={{ flexShrink: 0, overflow: 'visible' }}>
      {label}
    </Badge>
  );
}

/** What an event did: in plain words for the patient, as recorded for an administrator. */
function What({ e, technical }: { e: AuditEvent; technical: boolean }) {
  if (!technical) return <Text size="sm">{describeAction(e.action, e.resource)}</Text>;
  return (
    <>
      <Text size="sm" ff="monospace">
        {e.action}
      </Text>
      {e.resource && (
        <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
          {e.resource}
        </Text>
      )}
    </>
  );
}

/**
 * Audit events: a table on wide screens, a list of cards on a phone. With
 * `technical` (the administrator's audit log) the action and resource are
 * shown as recorded, with the client's address.
 */
export function EventsTable({ events, technical = false }: { events: AuditEvent[]; technical?: boolean }) {
  const showIp = technical;
  const narrow = useNarrow();
  if (narrow) {
    return (
      <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Access events">
        {events.map((e) => (
          <Paper key={e.id} component="li" withBorder radius="md" p="sm">
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Text size="sm" fw={600} truncate>
                {e.actorName || 'Unknown'}
              </Text>
              <OutcomeBadge outcome={e.outcome} />
            </Group>
            <What e={e} technical={technical} />
            <Text size="xs" c="dimmed">
              {formatDateTime(e.at)}
              {showIp && e.ip ? ` · ${e.ip}` : ''}
            </Text>
          </Paper>
        ))}
      </Stack>
    );
  }
  return (
    <div className="table-scroll">
      <Table miw={560} aria-label="Access events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Outcome</Table.Th>
            {showIp && <Table.Th>From</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm">{formatDateTime(e.at)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {e.actorName || 'Unknown'}
                </Text>
              </Table.Td>
              <Table.Td>
                <What e={e} technical={technical} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <OutcomeBadge outcome={e.outcome} />
              </Table.Td>
              {showIp && (
                <Table.Td>
                  <Text size="xs" ff="monospace">
                    {e.ip}
                  </Text>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
