// How readings read to a person: values in their preferred units, flags
// and sources in words.
import { humanize } from '../api/devices';
import type { Reading } from '../api/readings';
import { convert, displayUnit, formatNumber, unitLabel, type UnitPrefs } from './units';

type Valued = Pick<Reading, 'type' | 'value' | 'components' | 'unit'>;

/** A reading's number ("142/91", "98.6") and unit ("mmHg", "°F"), apart, in the viewer's units. */
export function readingParts(r: Valued, prefs: UnitPrefs): { number: string; unit: string } {
  const unit = displayUnit(r.unit, prefs);
  const fmt = (v: number) => formatNumber(convert(v, r.unit, unit), unit);
  if (r.components?.length) {
    const by = (k: string) => r.components!.find((c) => c.key === k)?.value;
    const sys = by('systolic');
    const dia = by('diastolic');
    if (sys !== undefined && dia !== undefined) return { number: `${fmt(sys)}/${fmt(dia)}`, unit: unitLabel(unit) };
    return { number: r.components.map((c) => `${humanize(c.key)} ${fmt(c.value)}`).join(', '), unit: unitLabel(unit) };
  }
  if (r.value === undefined || r.value === null) return { number: '—', unit: '' };
  return { number: fmt(r.value), unit: unitLabel(unit) };
}

/** "142/91 mmHg", "72 /min", "98.6 °F". */
export function readingValue(r: Valued, prefs: UnitPrefs): string {
  const p = readingParts(r, prefs);
  return p.unit ? `${p.number} ${p.unit}` : p.number;
}

/** Device flags in plain words; anything unknown is spelt out from its name. */
const FLAG_LABELS: Record<string, string> = {
  'cuff-too-loose': 'Cuff too loose',
  'body-movement': 'Moved during measurement',
  'irregular-pulse': 'Irregular pulse',
  'improper-position': 'Improper position',
  'pulse-rate-above-range': 'Pulse above device range',
  'pulse-rate-below-range': 'Pulse below device range',
  'battery-low': 'Device battery low',
  'sensor-malfunction': 'Sensor malfunction',
  'sensor-contact-not-detected': 'No skin contact',
  'sample-insufficient': 'Sample too small',
  'result-above-device-range': 'Above device range',
  'result-below-device-range': 'Below device range',
  'control-solution': 'Control solution, not a patient sample',
  'time-of-receipt': 'Time is when received',
  'early-estimate': 'Early estimate',
  'questionable-measurement': 'Questionable measurement',
  'invalid-measurement': 'Invalid measurement',
};

export function flagLabel(flag: string): string {
  return FLAG_LABELS[flag] ?? humanize(flag);
}

/** Flags that say the number itself may be off, shown in orange; the rest are grey. */
export function flagIsWarning(flag: string): boolean {
  return !['time-of-receipt', 'from-measurement-storage', 'validated-data', 'fully-qualified-data'].includes(flag);
}

export const SOURCE_LABELS: Record<string, string> = {
  device: 'Device',
  manual: 'Entered by hand',
  import: 'Imported',
};
