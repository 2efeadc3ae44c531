import { Button, Group } from '@mantine/core';

/** The part of an infinite query that a "show more" button needs. */
interface Paged {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** A centred button under a list that loads its next page, shown only while there is one. */
export function ShowMore({ query, label }: { query: Paged; label: string }) {
  if (!query.hasNextPage) return null;
  return (
    <Group justify="center" mt="sm">
      <Button variant="default" size="xs" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
        {label}
      </Button>
    </Group>
  );
}
