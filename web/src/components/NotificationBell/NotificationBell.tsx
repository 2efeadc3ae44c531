import { ActionIcon, Anchor, Box, Button, Group, Indicator, Popover, Stack, Text, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useLive } from '../../api/live';
import { useMarkAllRead, useMarkRead, useNotifications, type Notification } from '../../api/notifications';
import { formatAgo } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconBell } from '../Icons/Icons';

const DOT: Record<Notification['severity'], string> = { critical: 'red', warning: 'orange', info: 'blue' };

function Item({ n, onOpen }: { n: Notification; onOpen: (n: Notification) => void }) {
  const unread = !n.readAt;
  return (
    <UnstyledButton
      component="li"
      onClick={() => onOpen(n)}
      onKeyDown={(e: React.KeyboardEvent) => (e.key === 'Enter' || e.key === ' ') && onOpen(n)}
      tabIndex={0}
      aria-label={`${unread ? 'Unread: ' : ''}${n.title}`}
      p="xs"
      style={{
        display: 'block',
        borderRadius: 'var(--mantine-radius-sm)',
        background: unread ? 'var(--mantine-color-cyan-0)' : undefined,
        listStyle: 'none',
      }}
    >
      <Group gap={8} wrap="nowrap" align="flex-start">
        <span
          aria-hidden="true"
          style={{
            width: 8,
            height: 8,
            marginTop: 6,
            flex: 'none',
            borderRadius: 4,
            background: unread ? `var(--mantine-color-${DOT[n.severity] ?? 'blue'}-6)` : 'transparent',
          }}
        />
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="sm" fw={unread ? 700 : 500}>
            {n.title}
          </Text>
          <Text size="xs" c="dimmed" lineClamp={2}>
            {n.body}
          </Text>
          <Text size="xs" c="dimmed">
            {formatAgo(n.createdAt)}
          </Text>
        </Stack>
      </Group>
    </UnstyledButton>
  );
}

/** The bell in the header: unread notifications counted, the latest listed, each opening what it is about. */
export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const inbox = useNotifications();
  // New notifications are announced on the live socket, so the count moves at once.
  useLive({ personal: true });
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const navigate = useNavigate();
  const unread = inbox.data?.unread ?? 0;
  const list = inbox.data?.notifications ?? [];

  const open = (n: Notification) => {
    if (!n.readAt) markRead.mutate(n.id);
    setOpened(false);
    if (n.link) navigate(n.link);
  };

  return (
    <Indicator label={unread > 99 ? '99+' : unread} size={16} color="red" disabled={!unread} offset={4}>
      <Popover opened={opened} onChange={setOpened} position="bottom-end" width={340} shadow="md" withinPortal>
        <Popover.Target>
          <ActionIcon
            variant="default"
            size="lg"
            onClick={() => setOpened((o) => !o)}
            aria-label={unread ? `Notifications: ${unread} unread` : 'Notifications'}
            aria-expanded={opened}
          >
            <IconBell size={20} />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p="xs" aria-label="Notifications">
          <Group justify="space-between" mb={4} px={4}>
            <Text fw={600} size="sm">
              Notifications
            </Text>
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={() => markAll.mutate()}
              disabled={!unread}
              loading={markAll.isPending}
            >
              Mark all read
            </Button>
          </Group>
          <ErrorAlert error={inbox.error ?? markAll.error} title="Could not load the notifications" />
          {list.length === 0 && !inbox.error ? (
            <Text size="sm" c="dimmed" ta="center" py="md">
              {inbox.isPending ? 'Loading…' : 'Nothing yet.'}
            </Text>
          ) : (
            <Box mah={380} style={{ overflowY: 'auto' }}>
              <Stack gap={2} component="ul" p={0} m={0} aria-label="Latest notifications">
                {list.map((n) => (
                  <Item key={n.id} n={n} onOpen={open} />
                ))}
              </Stack>
            </Box>
          )}
          <Anchor
            component={Link}
            to="/notifications"
            size="xs"
            display="block"
            ta="center"
            mt={6}
            onClick={() => setOpened(false)}
          >
            Notification settings
          </Anchor>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
