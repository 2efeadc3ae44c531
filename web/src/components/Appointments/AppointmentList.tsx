import { Group, Paper, Stack, Text, UnstyledButton } from '@mantine/core';
import type { Appointment } from '../../api/appointments';
import { AppointmentWhen, IconChevronRight, KindBadge, StatusBadge } from './Bits';
import type { Side } from './AppointmentDetails';

/**
 * Appointments as a list of cards, each one a button that opens it. The
 * viewer's side decides whose name and whose clock stand beside the time.
 */
export function AppointmentList({
  items,
  side,
  label,
  clock,
  onOpen,
}: {
  items: Appointment[];
  side: Side;
  /** Whose clock to show beside the viewer's; by default the other side's. */
  clock?: Side;
  label: string;
  onOpen: (a: Appointment) => void;
}) {
  return (
    <Stack gap="xs" component="ul" aria-label={label} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {items.map((a) => {
        const other = side === 'professional' ? a.patientName : a.professionalName;
        const faded = a.status === 'cancelled';
        return (
          <li key={a.id}>
            <Paper withBorder radius="md" style={{ opacity: faded ? 0.75 : 1 }}>
              <UnstyledButton
                onClick={() => onOpen(a)}
                w="100%"
                p="sm"
                aria-label={`Open the appointment with ${other}`}
                style={{ borderRadius: 'var(--mantine-radius-md)' }}
              >
                <Group justify="space-between" wrap="nowrap" gap="sm" align="center">
                  <Stack gap={4} style={{ minWidth: 0 }}>
                    <AppointmentWhen a={a} side={clock ?? (side === 'professional' ? 'patient' : 'professional')} />
                    <Text size="sm" truncate>
                      {side === 'professional' ? a.patientName : `With ${a.professionalName}`}
                    </Text>
                    <Group gap={6}>
                      <KindBadge kind={a.kind} size="xs" />
                      {a.status !== 'booked' && <StatusBadge a={a} />}
                    </Group>
                  </Stack>
                  <IconChevronRight size={18} color="var(--mantine-color-dimmed)" />
                </Group>
              </UnstyledButton>
            </Paper>
          </li>
        );
      })}
    </Stack>
  );
}
