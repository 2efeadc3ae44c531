// Times of day and days of the week, as schedules and medicines take them.
import { ActionIcon, Button, Chip, Group, Stack, Text, TextInput } from '@mantine/core';
import { useId } from 'react';
import { WEEKDAY_LABELS, WEEKDAYS } from '../../api/monitoring';
import { IconPlus, IconTrash } from '../Icons/Icons';

export const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A check for a list of HH:MM times: an error to show, or undefined. */
export function timesError(times: string[]): string | undefined {
  if (!times.length) return 'Add at least one time.';
  if (times.some((t) => !CLOCK.test(t))) return 'Give each time as HH:MM.';
  return undefined;
}

export function TimesField({
  label,
  times,
  onChange,
  error,
}: {
  label: string;
  times: string[];
  onChange: (times: string[]) => void;
  error?: string;
}) {
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      {times.map((t, i) => (
        <Group key={i} gap="xs" wrap="nowrap">
          <TextInput
            type="time"
            aria-label={`Time ${i + 1}`}
            value={t}
            onChange={(e) => {
              const v = e.currentTarget.value;
              onChange(times.map((x, j) => (j === i ? v : x)));
            }}
            style={{ flex: '0 1 10rem' }}
          />
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`Remove time ${i + 1}`}
            onClick={() => onChange(times.filter((_, j) => j !== i))}
            disabled={times.length === 1}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
      <Button
        variant="subtle"
        size="compact-sm"
        leftSection={<IconPlus size={14} />}
        onClick={() => onChange([...times, '20:00'])}
        style={{ alignSelf: 'flex-start' }}
      >
        Add a time
      </Button>
    </Stack>
  );
}

export function WeekdaysField({ value, onChange }: { value: string[]; onChange: (days: string[]) => void }) {
  const id = useId();
  return (
    <div>
      <Text size="sm" fw={500} mb={4} id={id}>
        Days (none chosen: every day)
      </Text>
      <Chip.Group multiple value={value} onChange={onChange}>
        <Group gap={6} role="group" aria-labelledby={id}>
          {WEEKDAYS.map((w) => (
            <Chip key={w} value={w} size="xs">
              {WEEKDAY_LABELS[w]}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
    </div>
  );
}
