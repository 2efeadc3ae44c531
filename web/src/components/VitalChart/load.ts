// Loads the chart (and uPlot with it) in its own chunk. Started as soon as
// a patient page is on its way, so the chunk is there when the data is, and
// rendered without a Suspense boundary, whose reveal React delays.
import type { ComponentType } from 'react';
import type { VitalChartProps } from './VitalChart';

let promise: Promise<ComponentType<VitalChartProps>> | null = null;
let loaded: ComponentType<VitalChartProps> | null = null;

export function loadChart(): Promise<ComponentType<VitalChartProps>> {
  promise ??= import('./VitalChart').then((m) => (loaded = m.default));
  return promise;
}

/** The chart component if its chunk is in, else null. */
export function loadedChart(): ComponentType<VitalChartProps> | null {
  return loaded;
}
