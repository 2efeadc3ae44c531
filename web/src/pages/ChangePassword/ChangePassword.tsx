import { Alert, Button, Paper, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useChangePassword } from '../../api/auth';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { IconCheck } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { MIN_PASSWORD } from '../../components/UserForm/UserForm';

export default function ChangePassword() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [touched, setTouched] = useState(false);

  const server = change.error instanceof ApiError ? change.error.fieldErrors() : {};
  const local: Record<string, string> = {};
  if (!current) local['currentPassword'] = 'Enter your current password.';
  if (next.length < MIN_PASSWORD) local['newPassword'] = `At least ${MIN_PASSWORD} characters (${next.length} so far).`;
  else if (next === current) local['newPassword'] = 'Choose a password different from the current one.';
  if (again !== next) local['again'] = 'The two new passwords differ.';
  const shown = (k: string) => (touched ? local[k] : undefined) ?? server[k];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    change.mutate(
      { currentPassword: current, newPassword: next },
      {
        onSuccess: () => {
          setCurrent('');
          setNext('');
          setAgain('');
          setTouched(false);
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Change password"
        description={`Use at least ${MIN_PASSWORD} characters. A few unrelated words make a strong, memorable password.`}
      />
      <Paper withBorder p={{ base: 'md', sm: 'xl' }} maw={520}>
        <form onSubmit={submit} noValidate aria-label="Change password">
          <Stack>
            {change.isSuccess && (
              <Alert color="teal" icon={<IconCheck />} title="Password changed" role="status">
                Use your new password next time you sign in.
              </Alert>
            )}
            {change.error ? <ErrorAlert error={change.error} title="Could not change the password" /> : null}
            <PasswordInput
              label="Current password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              error={shown('currentPassword')}
            />
            <PasswordInput
              label="New password"
              autoComplete="new-password"
              required
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
              error={shown('newPassword')}
            />
            <PasswordInput
              label="New password again"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.currentTarget.value)}
              error={shown('again')}
            />
            <Button type="submit" loading={change.isPending} w="fit-content">
              Change password
            </Button>
          </Stack>
        </form>
      </Paper>
    </>
  );
}
