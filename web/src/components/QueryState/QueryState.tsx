import { Center, EmptyState, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconInbox } from '../Icons/Icons';

interface Props<T> {
  query: { data: T | undefined; isPending: boolean; error: unknown; refetch: () => unknown };
  /** What is being loaded, for the loading message ("Loading patients…"). */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: { title: string; description?: ReactNode; action?: ReactNode };
  children: (data: T) => ReactNode;
}

/** Renders the three states every list or record has besides its data: loading, failed and empty. */
export function QueryState<T>({ query, what, isEmpty, empty, children }: Props<T>) {
  if (query.isPending) {
    return (
      <Center py="xl" role="status" aria-live="polite">
        <Stack align="center" gap="xs">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Loading {what}…
          </Text>
        </Stack>
      </Center>
    );
  }
  if (query.error || query.data === undefined) {
    return <ErrorAlert error={query.error} title={`Could not load ${what}`} onRetry={() => void query.refetch()} />;
  }
  if (isEmpty?.(query.data) && empty) {
    return (
      <EmptyState
        py="xl"
        icon={<IconInbox size={28} />}
        withIndicatorBackground
        title={empty.title}
        description={empty.description}
      >
        {empty.action}
      </EmptyState>
    );
  }
  return <>{children(query.data)}</>;
}
