import { SimpleGrid, Stack } from '@mantine/core';
import { startTransition, Suspense, useEffect, useState, type ReactNode } from 'react';
import { usePatientDevices } from '../../api/devices';
import type { MeasurementType } from '../../api/measurementTypes';
import type { PatientDetail } from '../../api/types';
import { Journal } from '../Journal/Journal';
import { PatientDevices } from '../PatientDevices/PatientDevices';
import { PatientMonitoring } from '../PatientMonitoring/PatientMonitoring';
import { ReadingForm } from '../ReadingForm/ReadingForm';
import { ReadingsTable, type Viewer } from '../ReadingsTable/ReadingsTable';
import { Summaries } from '../Summaries/Summaries';
import { whenIdle } from '../../util/idle';

/**
 * Renders its children once the browser is idle, `step` idle periods
 * later, so that several sections render one after another instead of in
 * one long task that a touch on the chart would wait behind.
 */
function Later({ step = 0, children }: { step?: number; children: ReactNode }) {
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (show) return;
    let cancel = () => {};
    let left = step + 1;
    const tick = () => {
      if (--left > 0) cancel = whenIdle(tick);
      else startTransition(() => setShow(true));
    };
    cancel = whenIdle(tick);
    return () => cancel();
  }, [show, step]);
  return show ? <>{children}</> : null;
}

export interface SectionsProps {
  p: PatientDetail;
  viewer: Viewer;
  /** The measurement types, once known. */
  types: MeasurementType[] | undefined;
  self: boolean;
  vitals: boolean;
  journal: boolean;
  aside?: ReactNode;
}

/**
 * Everything of a patient's record below the chart: monitoring, the
 * readings table, summaries, manual entry, devices, the journal and the
 * page's aside. PatientRecord loads this module (and the components only it
 * uses) once the chart is drawn, so that a first visit parses, runs and
 * renders only what the chart needs before it can be touched.
 */
export default function Sections({ p, viewer, types, self, vitals, journal, aside }: SectionsProps) {
  const devices = usePatientDevices(p.id, vitals);
  return (
    <>
      <Later>
        <PatientMonitoring p={p} />
      </Later>
      {vitals && types && (
        <Later>
          <ReadingsTable viewer={viewer} types={types} devices={devices.data ?? []} />
        </Later>
      )}
      <Later step={1}>{vitals && <Summaries patientId={p.id} />}</Later>
      <Later step={1}>
        {vitals && journal && (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            <Stack gap="lg">
              {types && <ReadingForm patientId={p.id} types={types} forSelf={self} />}
              <PatientDevices patientId={p.id} />
            </Stack>
            <Journal viewer={viewer} />
          </SimpleGrid>
        )}
        {vitals && !journal && (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            {types && <ReadingForm patientId={p.id} types={types} forSelf={self} />}
            <PatientDevices patientId={p.id} />
          </SimpleGrid>
        )}
        {!vitals && journal && <Journal viewer={viewer} />}
      </Later>
      {aside && (
        <Later step={2}>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            <Suspense fallback={null}>{aside}</Suspense>
          </SimpleGrid>
        </Later>
      )}
    </>
  );
}
