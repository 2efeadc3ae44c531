import { Alert, Button } from '@mantine/core';
import { errorMessage } from '../../api/client';
import { IconAlert } from '../Icons/Icons';

/** Shows what went wrong (the server's problem detail) and, when given, a way to try again. */
export function ErrorAlert({
  error,
  title = 'Something went wrong',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlert />} role="alert">
      {errorMessage(error)}
      {onRetry && (
        <div>
          <Button variant="white" color="red" size="compact-sm" mt="xs" px={0} onClick={onRetry}>
            Try again
          </Button>
        </div>
      )}
    </Alert>
  );
}
