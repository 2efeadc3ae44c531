import { Alert, Button, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { useUpdateUser, useUser } from '../../api/users';
import type { User } from '../../api/types';
import { BackLink } from '../../components/BackLink/BackLink';
import { DisabledBadge, RoleBadges } from '../../components/Badges/Badges';
import { ConfirmModal } from '../../components/ConfirmModal/ConfirmModal';
import { IconCheck } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { UserForm } from '../../components/UserForm/UserForm';
import { useSession } from '../../session/SessionContext';
import { formatDate } from '../../util/format';
import { CareTeam } from './CareTeam';

export default function UserEdit() {
  const { userId = '' } = useParams();
  const user = useUser(userId);
  return (
    <QueryState query={user} what="the user">
      {(u) => <UserEditor key={u.id} user={u} />}
    </QueryState>
  );
}

function UserEditor({ user }: { user: User }) {
  const update = useUpdateUser(user.id);
  const status = useUpdateUser(user.id);
  const { me } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const justCreated = (location.state as { created?: boolean } | null)?.created === true;
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const isSelf = me.id === user.id;

  return (
    <>
      <PageHeader
        above={<BackLink to="/admin/users">All users</BackLink>}
        title={user.name || user.email}
        description={
          <Group gap="xs" component="span">
            <span>{user.email}</span>
            <RoleBadges roles={user.roles} />
            <DisabledBadge disabled={user.disabled} />
          </Group>
        }
      />
      {justCreated && (
        <Alert
          color="teal"
          icon={<IconCheck />}
          mb="md"
          title="User added"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => navigate(location.pathname, { replace: true, state: null })}
        >
          {user.name} can now sign in with {user.email}.
          {user.roles.includes('patient') && ' Add professionals to their care team below.'}
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
            <Title order={2} fz="lg" mb="md">
              Details
            </Title>
            {saved && !update.isPending && (
              <Alert
                color="teal"
                icon={<IconCheck />}
                mb="md"
                role="status"
                withCloseButton
                closeButtonLabel="Dismiss"
                onClose={() => setSaved(false)}
              >
                Changes saved.
              </Alert>
            )}
            <UserForm
              mode="edit"
              initial={user}
              submitLabel="Save changes"
              submitting={update.isPending}
              error={update.error}
              onSubmit={(v) => {
                setSaved(false);
                update.mutate(
                  { name: v.name, roles: v.roles, ...(v.roles.includes('patient') ? { profile: v.profile } : {}) },
                  { onSuccess: () => setSaved(true) },
                );
              }}
            />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            {user.roles.includes('patient') && <CareTeam patientId={user.id} patientName={user.name} />}
            <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
              <Title order={2} fz="lg" mb={4}>
                Account
              </Title>
              <Text size="sm" c="dimmed" mb="md">
                Created {formatDate(user.createdAt)}.{' '}
                {user.disabled
                  ? 'This account is disabled: the person cannot sign in and their API tokens do not work.'
                  : 'This account is active.'}
              </Text>
              {user.disabled ? (
                <Button
                  variant="light"
                  color="teal"
                  loading={status.isPending}
                  onClick={() => status.mutate({ disabled: false })}
                >
                  Enable account
                </Button>
              ) : (
                <Button variant="light" color="red" onClick={() => setConfirming(true)} disabled={isSelf}>
                  Disable account
                </Button>
              )}
              {isSelf && !user.disabled && (
                <Text size="xs" c="dimmed" mt="xs">
                  You cannot disable your own account.
                </Text>
              )}
              {status.error && !confirming ? (
                <Text c="red" size="sm" mt="xs" role="alert">
                  {(status.error as Error).message}
                </Text>
              ) : null}
            </Paper>
          </Stack>
        </Grid.Col>
      </Grid>
      <ConfirmModal
        opened={confirming}
        title={`Disable ${user.name}?`}
        confirmLabel="Disable account"
        loading={status.isPending}
        error={status.error}
        onClose={() => {
          setConfirming(false);
          status.reset();
        }}
        onConfirm={() => status.mutate({ disabled: true }, { onSuccess: () => setConfirming(false) })}
      >
        <Text size="sm">
          {user.name} will be signed out and will not be able to sign in until an administrator enables the account
          again. Their data is kept.
        </Text>
      </ConfirmModal>
    </>
  );
}
