import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';

export interface MeasurementComponent {
  key: string;
  name: string;
  loinc: string;
  required: boolean;
  min: number;
  max: number;
}

/** A kind of measurement, as GET /api/v1/measurement-types describes it. */
export interface MeasurementType {
  key: string;
  name: string;
  loinc: string;
  category?: string;
  /** The canonical UCUM unit: stored values are in it. */
  unit: string;
  /** Units accepted on input, canonical first. */
  units: string[];
  /** Units a person may choose to see values in. */
  displayUnits: string[];
  min?: number;
  max?: number;
  components?: MeasurementComponent[];
}

/** The catalogue hardly ever changes: load it once per session. */
export const typesQuery = {
  queryKey: keys.measurementTypes,
  queryFn: ({ signal }: { signal?: AbortSignal }) =>
    api<{ types: MeasurementType[] }>('/api/v1/measurement-types', { signal }).then((r) => r.types ?? []),
  staleTime: Infinity,
};

export function useMeasurementTypes() {
  return useQuery(typesQuery);
}

/** Short names for tiles and tabs. */
export const SHORT_NAMES: Record<string, string> = {
  body_temperature: 'Temperature',
  heart_rate: 'Heart rate',
  blood_pressure: 'Blood pressure',
  spo2: 'SpO₂',
  respiratory_rate: 'Breathing rate',
  blood_glucose: 'Glucose',
  body_weight: 'Weight',
  body_height: 'Height',
};

export function shortName(t: { key: string; name: string }): string {
  return SHORT_NAMES[t.key] ?? t.name;
}

/** The order charts are offered in: what a clinician looks at first. */
export const CHART_ORDER = [
  'blood_pressure',
  'heart_rate',
  'blood_glucose',
  'spo2',
  'body_temperature',
  'respiratory_rate',
  'body_weight',
  'body_height',
];

export function byChartOrder<T extends { key: string }>(a: T, b: T): number {
  const ia = CHART_ORDER.indexOf(a.key);
  const ib = CHART_ORDER.indexOf(b.key);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
}

/** The types a patient has readings of, in chart order. */
export function presentTypes<T extends { key: string }>(types: T[], latest: Record<string, unknown>): T[] {
  return types.filter((t) => latest[t.key]).sort(byChartOrder);
}
