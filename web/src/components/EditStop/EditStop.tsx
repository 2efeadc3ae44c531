import { Button, Group } from '@mantine/core';

/** The Edit and Stop buttons of a row in a list of things that run until stopped (schedules, medicines). */
export function EditStop({ name, onEdit, onStop }: { name: string; onEdit: () => void; onStop: () => void }) {
  return (
    <Group gap="xs">
      <Button size="xs" variant="default" onClick={onEdit} aria-label={`Edit ${name}`}>
        Edit
      </Button>
      <Button size="xs" variant="subtle" color="red" onClick={onStop} aria-label={`Stop ${name}`}>
        Stop
      </Button>
    </Group>
  );
}
