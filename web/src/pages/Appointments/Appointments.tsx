import { Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAppointment, type Appointment } from '../../api/appointments';
import { AppointmentDetails, type Side } from '../../components/Appointments/AppointmentDetails';
import { AppointmentList } from '../../components/Appointments/AppointmentList';
import { BookAppointment } from '../../components/Appointments/BookAppointment';
import { usePatientLists } from '../../components/Appointments/usePatientLists';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';

/** A titled list of appointments with its loading, failed and empty states. */
export function ListPanel({
  title,
  query,
  items,
  what,
  empty,
  side = 'patient',
  onOpen,
}: {
  title: string;
  query: { data: unknown; isPending: boolean; error: unknown; refetch: () => unknown };
  items: Appointment[];
  what: string;
  empty: { title: string; description?: string };
  side?: Side;
  onOpen: (a: Appointment) => void;
}) {
  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
      <Title order={2} fz="lg" mb="md">
        {title}
      </Title>
      <QueryState
        query={{ ...query, data: query.data === undefined ? undefined : items }}
        what={what}
        isEmpty={(d) => d.length === 0}
        empty={empty}
      >
        {(list) => <AppointmentList items={list} side={side} label={title} onOpen={onOpen} />}
      </QueryState>
    </Paper>
  );
}

/** A patient's appointments: what is coming, what was, and booking a new one. */
export default function Appointments() {
  const { me } = useSession();
  const { ahead, behind, upcoming, past } = usePatientLists(me.id);
  const [open, setOpen] = useState<Appointment | null>(null);
  // A link from a notification or reminder opens one appointment: /appointments?open=ID.
  const [params, setParams] = useSearchParams();
  const linked = useAppointment(me.id, params.get('open'));
  const shown = open ?? linked.data ?? null;
  const close = () => {
    setOpen(null);
    if (params.has('open')) setParams({}, { replace: true });
  };

  return (
    <>
      <PageHeader
        title="Appointments"
        description="Your appointments with your nurses and doctors, and open times to book one. Times are on your clock."
      />
      {linked.error && <ErrorAlert error={linked.error} title="Could not open that appointment" />}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Stack gap="lg">
          <ListPanel
            title="Upcoming"
            query={ahead}
            items={upcoming}
            what="your appointments"
            empty={{ title: 'No appointments coming up', description: 'Book one with the form on this page.' }}
            onOpen={setOpen}
          />
          <ListPanel
            title="Past"
            query={behind}
            items={past}
            what="your past appointments"
            empty={{ title: 'None in the last three months' }}
            onOpen={setOpen}
          />
        </Stack>
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Title order={2} fz="lg" mb={4}>
            Book an appointment
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            Pick who you want to see and one of their open times.
          </Text>
          <BookAppointment patientId={me.id} />
        </Paper>
      </SimpleGrid>
      <AppointmentDetails a={shown} side="patient" onClose={close} onChanged={setOpen} />
    </>
  );
}
