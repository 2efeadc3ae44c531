import { Box, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useLogin, useMe } from '../../api/auth';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { FullPageLoader } from '../../components/Guards/Guards';
import { IconPulse } from '../../components/Icons/Icons';
import { pickRole, roleHome } from '../../session/roles';

function titleFor(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Wrong email or password';
    if (err.status === 429) return 'Too many attempts';
    if (err.status === 403) return 'This account is disabled';
  }
  return 'Could not sign in';
}

export function Login() {
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);

  if (me.isPending) return <FullPageLoader />;
  if (me.data && !login.isSuccess)
    return <Navigate to={from ?? roleHome(pickRole(me.data.id, me.data.roles))} replace />;

  const server = login.error instanceof ApiError ? login.error.fieldErrors() : {};
  const local: Record<string, string> = {};
  if (!email.trim()) local['email'] = 'Enter your email address.';
  if (!password) local['password'] = 'Enter your password.';
  const fieldErrors = (k: string) => (touched ? local[k] : undefined) ?? server[k];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: ({ user }) => navigate(from ?? roleHome(pickRole(user.id, user.roles)), { replace: true }),
      },
    );
  };

  return (
    <Center
      mih="100vh"
      p="md"
      style={{
        background:
          'radial-gradient(circle at 15% 10%, var(--mantine-color-cyan-1), transparent 45%), radial-gradient(circle at 90% 90%, var(--mantine-color-teal-0), transparent 40%), var(--tend-page-bg)',
      }}
    >
      <Box w="100%" maw={400} component="main">
        <Stack align="center" gap={6} mb="lg">
          <IconPulse size={40} color="var(--mantine-color-cyan-8)" strokeWidth={2.4} />
          <Title order={1} fz={28} c="cyan.9" style={{ letterSpacing: '-0.02em' }}>
            Tend
          </Title>
          <Text c="dimmed" size="sm" ta="center">
            Remote patient monitoring
          </Text>
        </Stack>
        <Paper withBorder shadow="sm" p={{ base: 'lg', sm: 'xl' }}>
          <form onSubmit={onSubmit} noValidate>
            <Stack>
              <Title order={2} fz="lg">
                Sign in
              </Title>
              {login.error && <ErrorAlert error={login.error} title={titleFor(login.error)} />}
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={fieldErrors('email')}
                autoFocus
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={fieldErrors('password')}
              />
              <Button type="submit" loading={login.isPending} fullWidth mt="xs">
                Sign in
              </Button>
            </Stack>
          </form>
        </Paper>
        <Text size="xs" c="dimmed" ta="center" mt="md">
          Accounts are created by your clinic's administrator.
        </Text>
      </Box>
    </Center>
  );
}
