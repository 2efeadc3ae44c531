import { Anchor, Group, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { usePatients } from '../../api/patients';
import { AccessBadge, ScopeBadges } from '../../components/Badges/Badges';
import { IconSearch } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';
import { ageFrom, formatCalendarDate } from '../../util/format';
import { useNarrow } from '../../util/useNarrow';

export default function MyPatients() {
  const patients = usePatients();
  const { role } = useSession();
  const [q, setQ] = useState('');
  const narrow = useNarrow();
  // The caller's own record (access "self") belongs to their patient role, not to this list.
  const others = useMemo(() => (patients.data ?? []).filter((p) => p.access !== 'self'), [patients.data]);
  const needle = q.trim().toLowerCase();
  const shown = needle ? others.filter((p) => p.name.toLowerCase().includes(needle)) : others;

  return (
    <>
      <PageHeader
        title="My patients"
        description={
          role === 'family'
            ? 'The people who chose to share their health data with you.'
            : 'Patients on your care team, and patients who shared their data with you.'
        }
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <QueryState
          query={{ ...patients, data: patients.data ? others : undefined }}
          what="your patients"
          isEmpty={(list) => list.length === 0}
          empty={{
            title: 'No patients yet',
            description:
              role === 'family'
                ? 'When someone shares their data with you, they appear here.'
                : 'Patients appear here when an administrator puts you on their care team or when they share their data with you.',
          }}
        >
          {() => (
            <>
              {others.length > 5 && (
                <TextInput
                  mb="md"
                  type="search"
                  aria-label="Search patients"
                  placeholder="Search by name"
                  leftSection={<IconSearch size={16} />}
                  value={q}
                  onChange={(e) => setQ(e.currentTarget.value)}
                  maw={360}
                />
              )}
              {narrow ? (
                <Stack gap={0} component="ul" className="divided-list" aria-label="Patients">
                  {shown.map((p) => {
                    const age = ageFrom(p.birthDate);
                    return (
                      <Stack key={p.id} component="li" gap={6} py="sm">
                        <Group justify="space-between" wrap="nowrap" gap="xs">
                          <Anchor component={Link} to={`/patients/${encodeURIComponent(p.id)}`} fw={600} size="sm">
                            {p.name}
                          </Anchor>
                          <AccessBadge access={p.access} />
                        </Group>
                        {p.birthDate && (
                          <Text size="xs" c="dimmed">
                            Born {formatCalendarDate(p.birthDate)}
                            {age !== null && ` · ${age} years`}
                          </Text>
                        )}
                        <ScopeBadges scopes={p.scopes} />
                      </Stack>
                    );
                  })}
                </Stack>
              ) : (
                <div className="table-scroll">
                  <Table miw={520} aria-label="Patients">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Patient</Table.Th>
                        <Table.Th>Access</Table.Th>
                        <Table.Th>What you may see</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {shown.map((p) => {
                        const age = ageFrom(p.birthDate);
                        return (
                          <Table.Tr key={p.id}>
                            <Table.Td>
                              <Anchor component={Link} to={`/patients/${encodeURIComponent(p.id)}`} fw={600} size="sm">
                                {p.name}
                              </Anchor>
                              {p.birthDate && (
                                <Text size="xs" c="dimmed">
                                  Born {formatCalendarDate(p.birthDate)}
                                  {age !== null && ` · ${age} years`}
                                </Text>
                              )}
                            </Table.Td>
                            <Table.Td>
                              <AccessBadge access={p.access} />
                            </Table.Td>
                            <Table.Td>
                              <ScopeBadges scopes={p.scopes} />
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                      {shown.length === 0 && (
                        <Table.Tr>
                          <Table.Td colSpan={3}>
                            <Text size="sm" c="dimmed" ta="center" py="md">
                              No patient matches “{q}”.
                            </Text>
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Table.Tbody>
                  </Table>
                </div>
              )}
            </>
          )}
        </QueryState>
      </Paper>
    </>
  );
}
