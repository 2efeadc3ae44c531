import { Button, Group, Stack } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ConfirmModal } from '../ConfirmModal/ConfirmModal';
import { EditStop } from '../EditStop/EditStop';
import { IconPlus } from '../Icons/Icons';
import { QueryState } from '../QueryState/QueryState';

interface StopMutation {
  mutate: (id: string, options: { onSuccess: () => void }) => void;
  reset: () => void;
  isPending: boolean;
  error: unknown;
}

/**
 * A patient's list of things that run until stopped (medicines, measurement schedules): an Add button, a row per
 * item with Edit and Stop, the editor for a new or chosen item, and the confirmation before stopping one.
 */
export function StoppableList<T extends { id: string }>({
  query,
  what,
  empty,
  label,
  intro,
  addLabel,
  nameOf,
  details,
  editor,
  stop,
  stopTitle,
  stopLabel,
  stopText,
  children,
}: {
  query: { data: T[] | undefined; isPending: boolean; error: unknown; refetch: () => unknown };
  what: string;
  empty: { title: string; description?: ReactNode };
  /** The list's accessible name. */
  label: string;
  /** Text beside the Add button. */
  intro?: ReactNode;
  addLabel: string;
  nameOf: (item: T) => string;
  /** What a row says about its item. */
  details: (item: T) => ReactNode;
  /** The form for a new item (undefined) or a chosen one. */
  editor: (item: T | undefined, onClose: () => void) => ReactNode;
  stop: StopMutation;
  stopTitle: (item: T | null) => string;
  stopLabel: string;
  stopText: (item: T | null) => ReactNode;
  /** What follows the list on the page. */
  children?: ReactNode;
}) {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [stopping, setStopping] = useState<T | null>(null);
  return (
    <Stack gap="sm">
      <Group justify={intro ? 'space-between' : 'flex-end'} wrap="wrap" gap="xs">
        {intro}
        <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
          {addLabel}
        </Button>
      </Group>
      <QueryState query={query} what={what} isEmpty={(l) => l.length === 0} empty={empty}>
        {(list) => (
          <Stack gap={0} component="ul" className="divided-list" aria-label={label} p={0} m={0}>
            {list.map((item) => (
              <Group key={item.id} component="li" justify="space-between" wrap="wrap" gap="xs" py="sm">
                <Stack gap={2} style={{ flex: '1 1 14rem', minWidth: 0 }}>
                  {details(item)}
                </Stack>
                <EditStop name={nameOf(item)} onEdit={() => setEditing(item)} onStop={() => setStopping(item)} />
              </Group>
            ))}
          </Stack>
        )}
      </QueryState>
      {children}
      {editing && editor(editing === 'new' ? undefined : editing, () => setEditing(null))}
      <ConfirmModal
        opened={!!stopping}
        title={stopTitle(stopping)}
        confirmLabel={stopLabel}
        onClose={() => {
          setStopping(null);
          stop.reset();
        }}
        onConfirm={() => stopping && stop.mutate(stopping.id, { onSuccess: () => setStopping(null) })}
        loading={stop.isPending}
        error={stop.error}
      >
        {stopText(stopping)}
      </ConfirmModal>
    </Stack>
  );
}
