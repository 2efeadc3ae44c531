import { Alert, Button } from '@mantine/core';
import { errorMessage } from '../../api/client';
import { IconAlert } from '../Icons/Icons';

const simplify = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

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
  const message = errorMessage(error);
  // Say it once when the server's words are the title's.
  const same = simplify(message) === simplify(title);
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlert />} role="alert">
      {!same && message}
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
