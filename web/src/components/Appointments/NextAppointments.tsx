import { Button, Group, Modal, Paper, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Appointment } from '../../api/appointments';
import type { PatientDetail } from '../../api/types';
import { useSession } from '../../session/SessionContext';
import { QueryState } from '../QueryState/QueryState';
import { AppointmentDetails } from './AppointmentDetails';
import { AppointmentList } from './AppointmentList';
import { BookAppointment } from './BookAppointment';
import { usePatientLists } from './usePatientLists';
import { useNarrow } from '../../util/useNarrow';

/**
 * A patient's next appointments on their page, for those the patient lets
 * see them (care team, family with the appointments scope), with booking
 * for the patient.
 */
export function NextAppointments({ p }: { p: PatientDetail }) {
  const { me } = useSession();
  const allowed = p.access === 'self' || p.scopes.includes('appointments');
  if (!allowed) return null;
  return <Section p={p} myId={me.id} />;
}

function Section({ p, myId }: { p: PatientDetail; myId: string }) {
  const { ahead, upcoming } = usePatientLists(p.id, false);
  const [open, setOpen] = useState<Appointment | null>(null);
  const [booking, setBooking] = useState(false);
  const phone = useNarrow();
  const next = upcoming.filter((a) => a.status === 'booked').slice(0, 5);

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
      <Group justify="space-between" mb="md" gap="xs">
        <Title order={2} fz="lg">
          Next appointments
        </Title>
        <Button size="xs" variant="light" onClick={() => setBooking(true)}>
          Book for {p.name}
        </Button>
      </Group>
      <QueryState
        query={{ ...ahead, data: ahead.data === undefined ? undefined : next }}
        what="appointments"
        isEmpty={(d) => d.length === 0}
        empty={{ title: 'Nothing booked', description: `${p.name} has no appointment in the next three months.` }}
      >
        {(items) => (
          <AppointmentList
            items={items}
            side="patient"
            clock={p.access === 'self' ? 'professional' : 'patient'}
            label="Next appointments"
            onOpen={setOpen}
          />
        )}
      </QueryState>
      {upcoming.length > next.length && next.length === 5 && (
        <Text size="xs" c="dimmed" mt="xs">
          Showing the next five.
        </Text>
      )}
      <Modal
        opened={booking}
        onClose={() => setBooking(false)}
        title={
          <Title order={2} fz="lg">
            Book an appointment for {p.name}
          </Title>
        }
        size="lg"
        fullScreen={phone}
      >
        <BookAppointment patientId={p.id} patientName={p.name} myId={myId} />
      </Modal>
      <AppointmentDetails
        a={open}
        side={open?.professionalId === myId ? 'professional' : 'patient'}
        onClose={() => setOpen(null)}
        onChanged={setOpen}
      />
    </Paper>
  );
}
