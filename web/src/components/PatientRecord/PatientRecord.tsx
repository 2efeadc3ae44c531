import { Alert, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { usePatientDevices } from '../../api/devices';
import { useLive } from '../../api/live';
import { useMeasurementTypes } from '../../api/measurementTypes';
import { useLatestReadings } from '../../api/readings';
import type { PatientDetail } from '../../api/types';
import { useSession } from '../../session/SessionContext';
import { browserTimeZone, zoneDiffers } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { Journal } from '../Journal/Journal';
import { PatientDevices } from '../PatientDevices/PatientDevices';
import { ReadingForm } from '../ReadingForm/ReadingForm';
import { ReadingsTable, type Viewer } from '../ReadingsTable/ReadingsTable';
import { Vitals } from '../Vitals/Vitals';

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

/**
 * What a viewer may see of a patient's health: vitals (charts, readings,
 * manual entry, devices) and the journal, each only when the viewer's
 * scopes allow it, kept live over the shared WebSocket.
 */
export function PatientRecord({ p, aside }: { p: PatientDetail; aside?: ReactNode }) {
  const { me } = useSession();
  const self = p.access === 'self' || p.id === me.id;
  const vitals = self || p.scopes.includes('vitals');
  const journal = self || p.scopes.includes('journal');
  const zone = p.profile?.timeZone;
  const differs = zoneDiffers(zone);
  const viewer: Viewer = {
    me,
    patientId: p.id,
    patientName: self ? 'You' : p.name,
    patientZone: differs && !self ? zone : undefined,
  };

  const live = useLive({ patients: [p.id], enabled: vitals || journal });
  const types = useMeasurementTypes();
  const latest = useLatestReadings(p.id, types.data, vitals);
  const devices = usePatientDevices(p.id, vitals);

  return (
    <Stack gap="lg">
      {differs && !self && (
        <Text size="sm" c="dimmed" data-testid="zone-note">
          Times are shown in your time zone ({browserTimeZone()}). {firstName(p.name)}’s time zone is {zone}; their
          local time is shown beside yours.
        </Text>
      )}
      {!vitals && !journal && (
        <Alert color="gray" variant="light" title="Nothing of their health is shared with you">
          {p.name} has not shared their vitals or journal with you.
        </Alert>
      )}
      {vitals && (
        <>
          {types.error ? (
            <ErrorAlert
              error={types.error}
              title="Could not load the measurement types"
              onRetry={() => void types.refetch()}
            />
          ) : latest.error ? (
            <ErrorAlert
              error={latest.error}
              title="Could not load the readings"
              onRetry={() => void latest.refetch()}
            />
          ) : !types.data || !latest.data ? (
            <Skeleton height={360} radius="lg" />
          ) : (
            <Vitals patientId={p.id} types={types.data} latest={latest.data} live={live} />
          )}
        </>
      )}
      {vitals && types.data && <ReadingsTable viewer={viewer} types={types.data} devices={devices.data ?? []} />}
      {vitals && journal && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="lg">
            {types.data && <ReadingForm patientId={p.id} types={types.data} forSelf={self} />}
            <PatientDevices patientId={p.id} />
          </Stack>
          <Journal viewer={viewer} />
        </SimpleGrid>
      )}
      {vitals && !journal && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          {types.data && <ReadingForm patientId={p.id} types={types.data} forSelf={self} />}
          <PatientDevices patientId={p.id} />
        </SimpleGrid>
      )}
      {!vitals && journal && <Journal viewer={viewer} />}
      {aside && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          {aside}
        </SimpleGrid>
      )}
    </Stack>
  );
}
