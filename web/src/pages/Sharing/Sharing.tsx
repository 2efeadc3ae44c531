import { Badge, Button, Checkbox, Grid, Group, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useCreateGrant, useGrants, useRevokeGrant } from '../../api/grants';
import { SCOPES, type Grant, type Scope } from '../../api/types';
import { AccessBadge, RoleBadges, SCOPE_LABELS, ScopeBadges } from '../../components/Badges/Badges';
import { ConfirmModal } from '../../components/ConfirmModal/ConfirmModal';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { IconCheck } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';
import { endOfLocalDay, formatDate, formatDateTime, isPast, todayYmd } from '../../util/format';

const SCOPE_HELP: Record<Scope, string> = {
  vitals: 'Blood pressure, pulse, weight, oxygen…',
  journal: 'Food, symptoms and notes',
  medications: 'Medications and doses taken',
  messages: 'Conversations with you',
  alerts: 'Warnings raised by your readings',
  appointments: 'Your bookings',
};

export default function Sharing() {
  const { me } = useSession();
  const grants = useGrants(me.id);
  const revoke = useRevokeGrant(me.id);
  const [revoking, setRevoking] = useState<Grant | null>(null);

  return (
    <>
      <PageHeader
        title="Sharing"
        description="You decide who sees your health data. Share with a professional or a family member, choose what they may see, and stop sharing whenever you like."
      />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
            <Title order={2} fz="lg" mb="md">
              Who can see your data
            </Title>
            <QueryState
              query={grants}
              what="who can see your data"
              isEmpty={(l) => l.length === 0}
              empty={{ title: 'Nobody but you', description: 'You have not shared your data with anyone yet.' }}
            >
              {(list) => (
                <Stack
                  gap="sm"
                  component="ul"
                  p={0}
                  m={0}
                  style={{ listStyle: 'none' }}
                  aria-label="People with access"
                >
                  {list.map((g) => (
                    <GrantItem key={g.id} g={g} onRevoke={() => setRevoking(g)} />
                  ))}
                </Stack>
              )}
            </QueryState>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <ShareForm patientId={me.id} />
        </Grid.Col>
      </Grid>
      <ConfirmModal
        opened={revoking !== null}
        title={`Stop sharing with ${revoking?.granteeName ?? ''}?`}
        confirmLabel="Stop sharing"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      >
        <Text size="sm">
          {revoking?.granteeName} will no longer see your data from now on. You can share again later.
        </Text>
      </ConfirmModal>
    </>
  );
}

function GrantItem({ g, onRevoke }: { g: Grant; onRevoke: () => void }) {
  const expired = isPast(g.expiresAt);
  return (
    <Paper component="li" withBorder radius="md" p="sm" bg={expired ? 'gray.0' : undefined}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={6} style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Text fw={600} size="sm">
              {g.granteeName}
            </Text>
            <RoleBadges roles={g.granteeRoles.filter((r) => r !== 'admin' && r !== 'patient')} />
            <AccessBadge access={g.kind} />
            {expired && (
              <Badge color="gray" variant="light" radius="sm">
                Ended
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed" truncate>
            {g.granteeEmail}
          </Text>
          <ScopeBadges scopes={g.scopes} />
          <Text size="xs" c="dimmed">
            {g.expiresAt ? `${expired ? 'Ended' : 'Until'} ${formatDateTime(g.expiresAt)}` : 'No end date'} ·{' '}
            {g.kind === 'care' ? 'assigned' : 'shared'} {formatDate(g.createdAt)}
            {g.createdByName ? ` by ${g.createdByName}` : ''}
          </Text>
          {g.kind === 'care' && (
            <Text size="xs" c="dimmed" fs="italic">
              Your clinic manages the care team: ask them to change it.
            </Text>
          )}
        </Stack>
        {g.kind === 'share' && (
          <Button
            variant="subtle"
            color="red"
            size="xs"
            onClick={onRevoke}
            aria-label={`Stop sharing with ${g.granteeName}`}
            style={{ flexShrink: 0 }}
          >
            Revoke
          </Button>
        )}
      </Group>
    </Paper>
  );
}

function ShareForm({ patientId }: { patientId: string }) {
  const create = useCreateGrant(patientId);
  const [email, setEmail] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['vitals']);
  const [until, setUntil] = useState('');
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const server = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const local: Record<string, string> = {};
  if (!/^\S+@\S+\.\S+$/.test(email.trim())) local['granteeEmail'] = 'Enter the email address they sign in with.';
  if (scopes.length === 0) local['scopes'] = 'Choose at least one kind of data.';
  const shown = (k: string) => (touched ? local[k] : undefined) ?? server[k];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setDone(null);
    if (Object.keys(local).length) return;
    create.mutate(
      { granteeEmail: email.trim(), scopes, ...(until ? { expiresAt: endOfLocalDay(until) } : {}) },
      {
        onSuccess: (g) => {
          setDone(g.granteeName || email.trim());
          setEmail('');
          setUntil('');
          setScopes(['vitals']);
          setTouched(false);
        },
      },
    );
  };

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
      <Title order={2} fz="lg" mb={4}>
        Share your data
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        They need a Tend account. They will see only what you tick here.
      </Text>
      <form onSubmit={submit} noValidate aria-label="Share your data">
        <Stack gap="md">
          {done && (
            <Text size="sm" c="teal.8" role="status">
              <IconCheck size={14} /> You now share your data with {done}.
            </Text>
          )}
          {create.error ? <ErrorAlert error={create.error} title="Could not share" /> : null}
          <TextInput
            label="Their email"
            type="email"
            required
            autoComplete="off"
            placeholder="name@example.org"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={shown('granteeEmail')}
          />
          <Checkbox.Group
            label="What they may see"
            required
            value={scopes}
            onChange={(v) => setScopes(SCOPES.filter((s) => v.includes(s)))}
            error={shown('scopes')}
          >
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs" mt="xs">
              {SCOPES.map((s) => (
                <Checkbox key={s} value={s} label={SCOPE_LABELS[s]} description={SCOPE_HELP[s]} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <TextInput
            label="Until (optional)"
            description="Leave empty to share until you revoke it."
            type="date"
            min={todayYmd()}
            value={until}
            onChange={(e) => setUntil(e.currentTarget.value)}
            error={shown('expiresAt')}
          />
          <Button type="submit" loading={create.isPending}>
            Share
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
