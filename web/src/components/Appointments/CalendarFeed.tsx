import { Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useDisableFeed, useFeedStatus, useResetFeed } from '../../api/appointments';
import { ConfirmModal } from '../ConfirmModal/ConfirmModal';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { Secret } from '../Secret/Secret';

/**
 * The private calendar feed: a secret address calendar programs subscribe
 * to. Tend shows the address once, when it is made; a new one replaces it.
 */
export function CalendarFeed() {
  const status = useFeedStatus();
  const reset = useResetFeed();
  const disable = useDisableFeed();
  const [url, setUrl] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'renew' | 'off' | null>(null);
  const on = status.data?.enabled ?? false;

  const make = () =>
    reset.mutate(undefined, {
      onSuccess: (r) => {
        setUrl(r.url);
        setConfirm(null);
      },
    });

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
      <Title order={2} fz="lg" mb={4}>
        Calendar feed
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        See your appointments in the calendar you already use (Google Calendar, Outlook, Apple Calendar, Thunderbird).
        The feed is a private address: whoever has it sees your appointments, with patients’ names.
      </Text>
      {status.isPending ? (
        <Text size="sm">Loading…</Text>
      ) : status.error ? (
        <ErrorAlert error={status.error} title="Could not load the feed" onRetry={() => void status.refetch()} />
      ) : (
        <Stack gap="sm">
          {url && (
            <Secret
              title="Your feed address"
              secret={url}
              onClose={() => setUrl(null)}
              warning="Copy it now: Tend shows it only this once. If it is lost, or someone else may have it, make a new one."
              copyLabel="Copy feed address"
              testId="feed-url"
            >
              <List size="sm" spacing={2}>
                <List.Item>Google Calendar: Other calendars → + → From URL, paste the address.</List.Item>
                <List.Item>Outlook: Add calendar → Subscribe from web, paste the address.</List.Item>
                <List.Item>Apple Calendar: File → New Calendar Subscription, paste the address.</List.Item>
              </List>
              <Text size="xs" c="dimmed">
                Calendar programs check the feed on their own schedule, often every few hours: a change made here can
                take a while to show there.
              </Text>
            </Secret>
          )}
          <Text size="sm" data-testid="feed-status">
            {on ? 'Your calendar feed is on.' : 'Your calendar feed is off.'}
          </Text>
          <ErrorAlert error={!confirm ? reset.error || disable.error : null} title="That did not work" />
          <Group gap="xs">
            {on ? (
              <>
                <Button variant="default" onClick={() => setConfirm('renew')}>
                  New address
                </Button>
                <Button variant="default" color="red" onClick={() => setConfirm('off')}>
                  Turn off
                </Button>
              </>
            ) : (
              <Button onClick={make} loading={reset.isPending}>
                Turn on calendar feed
              </Button>
            )}
          </Group>
        </Stack>
      )}
      <ConfirmModal
        opened={confirm === 'renew'}
        title="Make a new feed address?"
        confirmLabel="Make new address"
        onConfirm={make}
        onClose={() => setConfirm(null)}
        loading={reset.isPending}
        error={reset.error}
      >
        <Text size="sm">
          The address you have now stops working at once. Calendars subscribed to it need the new one.
        </Text>
      </ConfirmModal>
      <ConfirmModal
        opened={confirm === 'off'}
        title="Turn off the calendar feed?"
        confirmLabel="Turn off"
        onConfirm={() =>
          disable.mutate(undefined, {
            onSuccess: () => {
              setUrl(null);
              setConfirm(null);
            },
          })
        }
        onClose={() => setConfirm(null)}
        loading={disable.isPending}
        error={disable.error}
      >
        <Text size="sm">The address stops working; calendars subscribed to it stop showing your appointments.</Text>
      </ConfirmModal>
    </Paper>
  );
}
