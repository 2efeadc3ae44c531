import { Button, Group, Paper, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import {
  EMAIL_LEVEL_LABELS,
  usePreferences,
  useSetPreferences,
  type EmailLevel,
  type Preferences,
} from '../../api/notifications';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { CLOCK } from '../../components/TimesField/TimesField';
import { browserTimeZone, timeZones } from '../../util/format';

// The kinds of notification a person chooses for; "*" is everything else.
const KINDS: { kind: string; label: string; description: string }[] = [
  { kind: 'alert.*', label: 'Alerts', description: 'A patient’s alert opens, escalates to you or gets worse.' },
  {
    kind: 'reminder.measurement',
    label: 'Measurement reminders',
    description: 'A measurement is due and not yet taken.',
  },
  { kind: 'reminder.medication', label: 'Medicine reminders', description: 'A dose is due.' },
  { kind: 'appointment.*', label: 'Appointments', description: 'Booked, moved, cancelled, and reminders.' },
  { kind: '*', label: 'Everything else', description: 'Any other notification.' },
];

const LEVELS = (Object.keys(EMAIL_LEVEL_LABELS) as EmailLevel[]).map((l) => ({
  value: l,
  label: EMAIL_LEVEL_LABELS[l],
}));

function Form({ prefs }: { prefs: Preferences }) {
  const save = useSetPreferences();
  const [levels, setLevels] = useState<Record<string, EmailLevel>>(() => {
    const out: Record<string, EmailLevel> = {};
    KINDS.forEach((k) => (out[k.kind] = prefs.rules.find((r) => r.kind === k.kind)?.email ?? 'off'));
    return out;
  });
  const [quiet, setQuiet] = useState(!!prefs.quietHours);
  const [start, setStart] = useState(prefs.quietHours?.start ?? '22:00');
  const [end, setEnd] = useState(prefs.quietHours?.end ?? '07:00');
  const [zone, setZone] = useState(prefs.timeZone || browserTimeZone());
  const [error, setError] = useState('');
  const server = save.error instanceof ApiError ? save.error.fieldErrors() : {};

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (quiet && (!CLOCK.test(start) || !CLOCK.test(end))) {
      setError('Give both times as HH:MM.');
      return;
    }
    setError('');
    // Rules for kinds this page does not offer are kept as they were.
    const others = prefs.rules.filter((r) => !KINDS.some((k) => k.kind === r.kind));
    save.mutate({
      timeZone: zone,
      rules: [...others, ...KINDS.map((k) => ({ kind: k.kind, email: levels[k.kind] ?? 'off' }))],
      quietHours: quiet ? { start, end } : undefined,
    });
  };

  return (
    <form onSubmit={submit} aria-label="Notification settings" noValidate>
      <Stack gap="lg">
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Title order={2} fz="lg" mb={4}>
            Email
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            Every notification appears under the bell in Tend. Choose which also come by email.
          </Text>
          <Stack gap="md">
            {KINDS.map((k) => (
              <Group key={k.kind} justify="space-between" wrap="wrap" gap="xs" align="flex-end">
                <Stack gap={0} style={{ flex: '1 1 14rem' }}>
                  <Text size="sm" fw={600}>
                    {k.label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {k.description}
                  </Text>
                </Stack>
                <Select
                  aria-label={k.label}
                  data={LEVELS}
                  value={levels[k.kind]}
                  onChange={(v) => v && setLevels((x) => ({ ...x, [k.kind]: v as EmailLevel }))}
                  allowDeselect={false}
                  w={{ base: '100%', xs: 290 }}
                />
              </Group>
            ))}
          </Stack>
        </Paper>
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Title order={2} fz="lg" mb={4}>
            Quiet hours
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            No email during these hours, except for critical alerts, which always come through.
          </Text>
          <Stack gap="sm">
            <Switch label="Keep quiet hours" checked={quiet} onChange={(e) => setQuiet(e.currentTarget.checked)} />
            {quiet && (
              <Group gap="sm" wrap="wrap" align="flex-start">
                <TextInput
                  type="time"
                  label="From"
                  value={start}
                  onChange={(e) => setStart(e.currentTarget.value)}
                  w={140}
                />
                <TextInput
                  type="time"
                  label="Until"
                  value={end}
                  onChange={(e) => setEnd(e.currentTarget.value)}
                  w={140}
                />
                <Select
                  label="Time zone"
                  data={timeZones()}
                  value={zone}
                  onChange={(v) => v && setZone(v)}
                  searchable
                  allowDeselect={false}
                  error={server.timeZone}
                  style={{ flex: '1 1 14rem' }}
                />
              </Group>
            )}
            {error && (
              <Text size="sm" c="red" role="alert">
                {error}
              </Text>
            )}
          </Stack>
        </Paper>
        <ErrorAlert error={save.error} title="Could not save your settings" />
        <Group gap="sm">
          <Button type="submit" loading={save.isPending}>
            Save settings
          </Button>
          {save.isSuccess && (
            <Text size="sm" c="green.8" role="status">
              Saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** Which notifications also come by email, and quiet hours. */
export default function NotificationSettings() {
  const prefs = usePreferences();
  return (
    <>
      <PageHeader
        title="Notification settings"
        description="How Tend tells you about alerts, reminders and appointments."
      />
      <QueryState query={prefs} what="your settings">
        {(p) => <Form prefs={p} />}
      </QueryState>
    </>
  );
}
