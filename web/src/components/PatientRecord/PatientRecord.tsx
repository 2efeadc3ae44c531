import { Alert, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import { startTransition, useCallback, useEffect, useState, type ReactNode } from 'react';
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
import { PatientMonitoring } from '../PatientMonitoring/PatientMonitoring';
import { ReadingForm } from '../ReadingForm/ReadingForm';
import { ReadingsTable, type Viewer } from '../ReadingsTable/ReadingsTable';
import { Summaries } from '../Summaries/Summaries';
import { Vitals } from '../Vitals/Vitals';

/** Runs fn when the browser has nothing more pressing to do (or after at most a second). */
function whenIdle(fn: () => void): () => void {
  const w = window as Window & {
    requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number;
    cancelIdleCallback?: (id: number) => void;
  };
  if (w.requestIdleCallback && w.cancelIdleCallback) {
    const id = w.requestIdleCallback(fn, { timeout: 1000 });
    return () => w.cancelIdleCallback!(id);
  }
  const id = setTimeout(fn, 1);
  return () => clearTimeout(id);
}

/**
 * Renders its children once `ready` (the chart is drawn, or there is none
 * to draw) and the browser is idle, so the sections below the chart never
 * hold up the chart nor the first touch on it. `step` staggers several of
 * them one idle period apart.
 */
function Later({ ready, step = 0, children }: { ready: boolean; step?: number; children: ReactNode }) {
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (!ready || show) return;
    let cancel = () => {};
    let left = step + 1;
    const tick = () => {
      if (--left > 0) cancel = whenIdle(tick);
      else startTransition(() => setShow(true));
    };
    cancel = whenIdle(tick);
    return () => cancel();
  }, [ready, show, step]);
  return show ? <>{children}</> : null;
}

/** True once the chart has been drawn, or after a while in any case. */
function useChartSettled(): [boolean, () => void] {
  const [settled, setSettled] = useState(false);
  useEffect(() => {
    const id = setTimeout(() => setSettled(true), 1500);
    return () => clearTimeout(id);
  }, []);
  const settle = useCallback(() => setSettled(true), []);
  return [settled, settle];
}

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
  const latest = useLatestReadings(p.id, vitals);
  const devices = usePatientDevices(p.id, vitals);
  const [drawn, onDrawn] = useChartSettled();
  const nothingToDraw =
    !vitals ||
    !!types.error ||
    !!latest.error ||
    (!!types.data && !!latest.data && Object.keys(latest.data).length === 0);
  const ready = drawn || nothingToDraw;

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
            <Vitals patientId={p.id} types={types.data} latest={latest.data} live={live} onDrawn={onDrawn} />
          )}
        </>
      )}
      <Later ready={ready}>
        <PatientMonitoring p={p} />
      </Later>
      {vitals && types.data && (
        <Later ready={ready}>
          <ReadingsTable viewer={viewer} types={types.data} devices={devices.data ?? []} />
        </Later>
      )}
      <Later ready={ready} step={1}>
        {vitals && <Summaries patientId={p.id} />}
      </Later>
      <Later ready={ready} step={1}>
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
      </Later>
      {aside && (
        <Later ready={ready} step={2}>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            {aside}
          </SimpleGrid>
        </Later>
      )}
    </Stack>
  );
}
