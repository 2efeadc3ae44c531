import { Anchor, Button, Group, Paper, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useSearchParams } from 'react-router';
import { ROLES, type Role } from '../../api/types';
import { useUsers } from '../../api/users';
import { DisabledBadge, RoleBadges } from '../../components/Badges/Badges';
import { IconPlus, IconSearch } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { ROLE_LABELS } from '../../session/roles';
import { formatDate } from '../../util/format';
import { useNarrow } from '../../util/useNarrow';

export default function Users() {
  // The filters live in the address so a reload or a shared link keeps them.
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const roleParam = params.get('role') ?? '';
  const role = (ROLES as readonly string[]).includes(roleParam) ? (roleParam as Role) : '';
  const [debouncedQ] = useDebouncedValue(q.trim(), 250);
  const users = useUsers(debouncedQ, role);
  const narrow = useNarrow();

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const filtered = !!(debouncedQ || role);

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in to Tend: patients, professionals, family members and administrators."
        actions={
          <Button component={Link} to="/admin/users/new" leftSection={<IconPlus size={16} />}>
            Add user
          </Button>
        }
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <Group gap="sm" mb="md" align="flex-end" wrap="wrap">
          <TextInput
            label="Search"
            placeholder="Name or email"
            leftSection={<IconSearch size={16} />}
            value={q}
            onChange={(e) => setParam('q', e.currentTarget.value)}
            style={{ flex: '1 1 16rem' }}
            type="search"
          />
          <Select
            label="Role"
            placeholder="All roles"
            clearable
            data={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            value={role || null}
            onChange={(v) => setParam('role', v ?? '')}
            w={{ base: '100%', xs: 200 }}
          />
        </Group>
        <QueryState
          query={users}
          what="users"
          isEmpty={(list) => list.length === 0}
          empty={
            filtered
              ? { title: 'No user matches', description: 'Try another name, email or role.' }
              : {
                  title: 'No users yet',
                  description: 'Add the first patient or professional.',
                  action: (
                    <Button component={Link} to="/admin/users/new" variant="light">
                      Add user
                    </Button>
                  ),
                }
          }
        >
          {(list) =>
            narrow ? (
              <Stack gap={0} component="ul" className="divided-list" aria-label="Users">
                {list.map((u) => (
                  <Stack key={u.id} component="li" gap={6} py="sm" style={{ opacity: u.disabled ? 0.7 : 1 }}>
                    <div>
                      <Anchor component={Link} to={`/admin/users/${encodeURIComponent(u.id)}`} fw={600} size="sm">
                        {u.name || u.email}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {u.email}
                      </Text>
                    </div>
                    <Group gap={6}>
                      <RoleBadges roles={u.roles} />
                      {u.disabled && <DisabledBadge disabled />}
                    </Group>
                  </Stack>
                ))}
              </Stack>
            ) : (
              <div className="table-scroll">
                <Table miw={560} aria-label="Users">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Roles</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th visibleFrom="md">Created</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((u) => (
                      <Table.Tr key={u.id} style={u.disabled ? { opacity: 0.7 } : undefined}>
                        <Table.Td>
                          <Anchor component={Link} to={`/admin/users/${encodeURIComponent(u.id)}`} fw={600} size="sm">
                            {u.name || u.email}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            {u.email}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <RoleBadges roles={u.roles} />
                        </Table.Td>
                        <Table.Td>
                          <DisabledBadge disabled={u.disabled} />
                        </Table.Td>
                        <Table.Td visibleFrom="md">
                          <Text size="sm">{formatDate(u.createdAt)}</Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            )
          }
        </QueryState>
      </Paper>
    </>
  );
}
