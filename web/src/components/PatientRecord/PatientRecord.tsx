import { Alert, Skeleton, Stack, Text } from '@mantine/core';
import { lazy, Suspense, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useLive } from '../../api/live';
import { useMeasurementTypes } from '../../api/measurementTypes';
import { useLatestReadings } from '../../api/readings';
import type { PatientDetail } from '../../api/types';
import { useSession } from '../../session/SessionContext';
import { browserTimeZone, zoneDiffers } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import type { Viewer } from '../ReadingsTable/ReadingsTable';
import { whenIdle } from '../../util/idle';
import { Vitals } from '../Vitals/Vitals';
import type { SectionsProps } from './Sections';

// The sections below the chart, and the components only they use, are a
// chunk of their own: asked for once the chart is drawn, never preloaded.
const Sections = lazy(() => import('./Sections'));

/** A one-off event (the chart's first draw) that components can wait for without their parent rendering again. */
interface Signal {
  fire: () => void;
  fired: () => boolean;
  subscribe: (f: () => void) => () => void;
}

function useSignal(): Signal {
  const [signal] = useState<Signal>(() => {
    let fired = false;
    const subs = new Set<() => void>();
    return {
      fire: () => {
        if (fired) return;
        fired = true;
        subs.forEach((f) => f());
      },
      fired: () => fired,
      subscribe: (f) => {
        subs.add(f);
        return () => subs.delete(f);
      },
    };
  });
  return signal;
}

/**
 * The sections below the chart, once the chart has been drawn (or there is
 * nothing to draw, or after 1.5 s in any case) and the browser is idle. Only
 * this component renders again when the chart is drawn, not the chart's
 * parents: the chart answers the first touch without waiting for them.
 */
function SectionsOnceDrawn({ drawn, now, ...props }: SectionsProps & { drawn: Signal; now: boolean }) {
  const chartDrawn = useSyncExternalStore(drawn.subscribe, drawn.fired);
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    const id = setTimeout(() => setWaited(true), 1500);
    return () => clearTimeout(id);
  }, []);
  // Once shown, the sections stay: a first reading entered below must not take them away until it is charted.
  const [shown, setShown] = useState(false);
  const ready = chartDrawn || waited || now;
  // Their code is asked for when the browser is next idle: not in the task
  // that drew the chart, nor ahead of a first touch on it.
  useEffect(() => {
    if (!ready || shown) return;
    return whenIdle(() => setShown(true));
  }, [ready, shown]);
  if (!shown) return null;
  return (
    <Suspense fallback={null}>
      <Sections {...props} />
    </Suspense>
  );
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

  useLive({ patients: [p.id], enabled: vitals || journal });
  const types = useMeasurementTypes();
  const latest = useLatestReadings(p.id, vitals);
  const drawn = useSignal();
  const nothingToDraw =
    !vitals ||
    !!types.error ||
    !!latest.error ||
    (!!types.data && !!latest.data && Object.keys(latest.data).length === 0);

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
            <Vitals patientId={p.id} types={types.data} latest={latest.data} onDrawn={drawn.fire} />
          )}
        </>
      )}
      <SectionsOnceDrawn
        drawn={drawn}
        now={nothingToDraw}
        p={p}
        viewer={viewer}
        types={types.data}
        self={self}
        vitals={vitals}
        journal={journal}
        aside={aside}
      />
    </Stack>
  );
}
