import { Button, Center, Container, EmptyState, Loader, Stack, Text } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { useMe } from '../../api/auth';
import type { Role } from '../../api/types';
import { SessionProvider, useSession } from '../../session/SessionContext';
import { roleHome } from '../../session/roles';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconLock } from '../Icons/Icons';

export function FullPageLoader({ inline = false }: { inline?: boolean }) {
  return (
    <Center h={inline ? 240 : '100vh'} role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader />
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      </Stack>
    </Center>
  );
}

/** Shows its children to a signed-in user and sends everyone else to the login page. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();

  if (me.isPending) return <FullPageLoader />;
  if (me.error) {
    return (
      <Container size="xs" py="xl">
        <ErrorAlert error={me.error} title="Could not reach Tend" onRetry={() => void me.refetch()} />
      </Container>
    );
  }
  if (!me.data) {
    const from = location.pathname + location.search;
    return <Navigate to="/login" replace state={from !== '/' ? { from } : undefined} />;
  }
  return (
    <SessionProvider key={me.data.id} me={me.data}>
      {children}
    </SessionProvider>
  );
}

/**
 * Lets in a user who holds one of the roles. A person with several roles who
 * follows a link meant for another of their roles is switched to it.
 */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { me, role, setRole } = useSession();
  const allowed = role !== null && roles.includes(role);
  const fallback = roles.find((r) => me.roles.includes(r));

  useEffect(() => {
    if (!allowed && fallback) setRole(fallback);
  }, [allowed, fallback, setRole]);

  if (allowed) return <>{children}</>;
  if (fallback) return <FullPageLoader inline />;
  return (
    <EmptyState
      py="xl"
      icon={<IconLock size={28} />}
      withIndicatorBackground
      title="This page is not for your role"
      description="Your account does not have a role that may open this page."
    >
      <Button component={Link} to={roleHome(role)} variant="light">
        Go to your home page
      </Button>
    </EmptyState>
  );
}
