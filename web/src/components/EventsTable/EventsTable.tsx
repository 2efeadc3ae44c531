import { Badge, Table, Text } from '@mantine/core';
import type { AuditEvent } from '../../api/types';
import { formatDateTime } from '../../util/format';

/** Turns an action code such as "patient.read" into words a patient understands. */
export function describeAction(action: string, resource: string): string {
  const known: Record<string, string> = {
    'patient.read': 'Viewed your profile',
    'patient.list': 'Listed their patients',
    'grants.read': 'Viewed who can see your data',
    'grant.create': 'Shared access',
    'grant.revoke': 'Revoked access',
    'careteam.add': 'Added to your care team',
  };
  if (known[action]) return known[action];
  const words = action.replace(/[._-]+/g, ' ').trim();
  const text = words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Access';
  return resource ? `${text} (${resource})` : text;
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const o = outcome.toLowerCase();
  const ok = o === 'success' || o === 'ok' || o === 'allowed' || o === 'allow';
  const denied = o.startsWith('den') || o === 'forbidden' || o === 'failure' || o === 'error';
  return (
    <Badge color={ok ? 'green' : denied ? 'red' : 'gray'} variant="light" radius="sm" tt="none">
      {ok ? 'Allowed' : denied ? 'Denied' : outcome}
    </Badge>
  );
}

export function EventsTable({ events, showIp = false }: { events: AuditEvent[]; showIp?: boolean }) {
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
                <Text size="sm">{describeAction(e.action, e.resource)}</Text>
              </Table.Td>
              <Table.Td>
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

