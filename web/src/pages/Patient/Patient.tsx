import { Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { lazy } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { usePatient } from '../../api/patients';
import type { PatientDetail, Sex } from '../../api/types';
import { AccessBadge, ScopeBadges } from '../../components/Badges/Badges';
import { BackLink } from '../../components/BackLink/BackLink';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { News2Badge } from '../../components/News2Badge/News2Badge';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { PatientRecord } from '../../components/PatientRecord/PatientRecord';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';
import { ageFrom, formatCalendarDate } from '../../util/format';

// Shown beside the record, below the chart: loaded with the sections there, not before the chart.
const NextAppointments = lazy(() =>
  import('../../components/Appointments/NextAppointments').then((m) => ({ default: m.NextAppointments })),
);

const SEX: Record<Sex, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

export default function Patient() {
  const { patientId = '' } = useParams();
  const patient = usePatient(patientId);
  const { role } = useSession();
  const back =
    role === 'patient' ? null : <BackLink to="/patients">{role === 'family' ? 'Family' : 'My patients'}</BackLink>;

  if (patient.error instanceof ApiError && patient.error.status === 404) {
    return (
      <>
        <PageHeader above={back} title="Patient not found" />
        <ErrorAlert
          title="You cannot see this patient"
          error={
            new Error(
              'Either there is no such patient, or they have not shared their data with you and you are not on their care team.',
            )
          }
        />
      </>
    );
  }

  return (
    <QueryState query={patient} what="the patient">
      {(p) => <PatientView p={p} back={back} />}
    </QueryState>
  );
}

function Field({ label, value }: { label: string; value: string | undefined }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: '0.04em' }}>
        {label}
      </Text>
      <Text size="sm" c={value ? undefined : 'dimmed'}>
        {value || 'Not recorded'}
      </Text>
    </div>
  );
}

function PatientView({ p, back }: { p: PatientDetail; back: React.ReactNode }) {
  const profile = p.profile ?? {};
  const age = ageFrom(profile.birthDate);
  return (
    <>
      <PageHeader
        above={back}
        title={p.name}
        description={
          <Group gap="xs" component="span">
            <News2Badge patientId={p.id} />
            {age !== null && <span>{age} years</span>}
            <AccessBadge access={p.access} />
          </Group>
        }
      />
      <PatientRecord
        p={p}
        aside={
          <>
            <NextAppointments p={p} />
            <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
              <Title order={2} fz="lg" mb="md">
                Profile
              </Title>
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
                <Field label="Date of birth" value={formatCalendarDate(profile.birthDate)} />
                <Field label="Sex" value={profile.sex ? SEX[profile.sex] : undefined} />
                <Field label="Time zone" value={profile.timeZone} />
                <Field label="MRN" value={profile.mrn} />
                <Field label="Email" value={p.email} />
              </SimpleGrid>
            </Paper>
            <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
              <Title order={2} fz="lg" mb="md">
                Your access
              </Title>
              <Stack gap="sm">
                <Text size="sm">
                  {p.access === 'care' && 'You are on this patient’s care team.'}
                  {p.access === 'share' && `${p.name} shared their data with you.`}
                  {p.access === 'self' && 'This is your own record.'}
                </Text>
                <div>
                  <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={4} style={{ letterSpacing: '0.04em' }}>
                    You may see
                  </Text>
                  <ScopeBadges scopes={p.scopes} />
                </div>
              </Stack>
            </Paper>
          </>
        }
      />
    </>
  );
}
