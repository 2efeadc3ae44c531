// The look of the app's uPlot axes, shared by the vital charts and the
// glucose profile.
import type uPlot from 'uplot';
import { formatNumber, unitLabel } from '../../util/units';

/** Axis colours: dark labels, light grid and ticks. */
export const AXIS_STYLE = {
  stroke: '#495057',
  grid: { stroke: '#e9ecef', width: 1 },
  ticks: { stroke: '#dee2e6', width: 1 },
};

/** A value axis in a unit: numbers as the unit writes them, and the unit as its label. */
export function valueAxis(unit: string, size: number): uPlot.Axis {
  return {
    ...AXIS_STYLE,
    size,
    values: (_u, splits) => splits.map((v) => formatNumber(v, unit)),
    label: unitLabel(unit),
    labelSize: 18,
    labelFont: '12px system-ui, sans-serif',
  };
}
