import { ActionIcon, Button, Group, Paper, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useAddToCareTeam, useGrants, useRevokeGrant } from '../../api/grants';
import type { Grant } from '../../api/types';
import { useUsers } from '../../api/users';
import { RoleBadges, ScopeBadges } from '../../components/Badges/Badges';
import { ConfirmModal } from '../../components/ConfirmModal/ConfirmModal';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { IconTrash } from '../../components/Icons/Icons';
import { QueryState } from '../../components/QueryState/QueryState';
import { formatDate } from '../../util/format';

/** The professionals assigned to a patient by the clinic, and the people the patient shares with. */
export function CareTeam({ patientId, patientName }: { patientId: string; patientName: string }) {
  const grants = useGrants(patientId);
  const nurses = useUsers('', 'nurse');
  const doctors = useUsers('', 'doctor');
  const add = useAddToCareTeam(patientId);
  const revoke = useRevokeGrant(patientId);
  const [choice, setChoice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Grant | null>(null);

  const onTeam = useMemo(
    () => new Set((grants.data ?? []).filter((g) => g.kind === 'care').map((g) => g.granteeId)),
    [grants.data],
  );
  const options = useMemo(() => {
    const seen = new Map<string, { value: string; label: string }>();
    for (const u of [...(doctors.data ?? []), ...(nurses.data ?? [])]) {
      if (u.id === patientId || u.disabled || onTeam.has(u.id) || seen.has(u.id)) continue;
      const kind = u.roles.includes('doctor') ? 'Doctor' : 'Nurse';
      seen.set(u.id, { value: u.id, label: `${u.name} (${kind}, ${u.email})` });
    }
    return [...seen.values()].sort((a, b) => a.label.localeCompare(b.label));
  }, [doctors.data, nurses.data, onTeam, patientId]);

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }} aria-labelledby="care-team-title">
      <Title order={2} fz="lg" mb={4} id="care-team-title">
        Care team
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Nurses and doctors on the care team see all of {patientName}'s data.
      </Text>

      <Stack gap="xs" mb="md">
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <Select
            label="Add a professional"
            placeholder={nurses.isPending || doctors.isPending ? 'Loading…' : 'Choose a nurse or doctor'}
            searchable
            nothingFoundMessage="No nurse or doctor left to add"
            data={options}
            value={choice}
            onChange={setChoice}
            style={{ flex: 1, minWidth: 0 }}
          />
          <Button
            onClick={() => choice && add.mutate(choice, { onSuccess: () => setChoice(null) })}
            disabled={!choice}
            loading={add.isPending}
          >
            Add
          </Button>
        </Group>
        <ErrorAlert error={add.error ?? nurses.error ?? doctors.error} title="Could not add to the care team" />
      </Stack>

      <QueryState query={grants} what="the care team">
        {(list) => {
          const care = list.filter((g) => g.kind === 'care');
          const shares = list.filter((g) => g.kind === 'share');
          return (
            <Stack gap="md">
              {care.length === 0 ? (
                <Text size="sm" c="dimmed">
                  Nobody is on the care team yet.
                </Text>
              ) : (
                <Stack gap={0} component="ul" className="divided-list" aria-label="Care team members">
                  {care.map((g) => (
                    <Group key={g.id} component="li" justify="space-between" wrap="nowrap" py="xs">
                      <div style={{ minWidth: 0 }}>
                        <Text size="sm" fw={600} truncate>
                          {g.granteeName}
                        </Text>
                        <Group gap={6}>
                          <RoleBadges roles={g.granteeRoles.filter((r) => r === 'nurse' || r === 'doctor')} />
                          <Text size="xs" c="dimmed">
                            since {formatDate(g.createdAt)}
                          </Text>
                        </Group>
                      </div>
                      <Tooltip label="Remove from care team">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${g.granteeName} from the care team`}
                          onClick={() => setRemoving(g)}
                        >
                          <IconTrash size={18} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  ))}
                </Stack>
              )}
              {shares.length > 0 && (
                <div>
                  <Text size="sm" fw={600} mb={4}>
                    Shared by the patient
                  </Text>
                  <Stack gap={6}>
                    {shares.map((g) => (
                      <div key={g.id}>
                        <Text size="sm">{g.granteeName}</Text>
                        <ScopeBadges scopes={g.scopes} />
                      </div>
                    ))}
                  </Stack>
                </div>
              )}
            </Stack>
          );
        }}
      </QueryState>

      <ConfirmModal
        opened={removing !== null}
        title={`Remove ${removing?.granteeName ?? ''} from the care team?`}
        confirmLabel="Remove"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRemoving(null);
          revoke.reset();
        }}
        onConfirm={() => removing && revoke.mutate(removing.id, { onSuccess: () => setRemoving(null) })}
      >
        <Text size="sm">They will no longer see {patientName}'s data, unless the patient shares it with them.</Text>
      </ConfirmModal>
    </Paper>
  );
}
