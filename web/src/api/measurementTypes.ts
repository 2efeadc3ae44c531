import { useQuery } from '@tanstack/react-query';
import { typesQuery } from './queries';

export { byChartOrder, CHART_ORDER, presentTypes, typesQuery } from './queries';

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
