// Units for display. Tend stores every reading in its type's canonical UCUM
// unit; a person may prefer to see some in another unit (°F, mmol/L, lb, in).
// Conversions here are for display only: what is sent is what was typed,
// with the unit it was typed in, and the server converts.
import { useSyncExternalStore } from 'react';

/** UCUM codes as people write them. */
const LABELS: Record<string, string> = {
  Cel: '°C',
  '[degF]': '°F',
  '/min': '/min',
  'mm[Hg]': 'mmHg',
  kPa: 'kPa',
  '%': '%',
  '1': 'fraction',
  'mg/dL': 'mg/dL',
  'mmol/L': 'mmol/L',
  kg: 'kg',
  g: 'g',
  '[lb_av]': 'lb',
  cm: 'cm',
  '[in_i]': 'in',
  m: 'm',
};

export function unitLabel(code: string): string {
  return LABELS[code] ?? code;
}

/** How to go from a unit to the base of its kind: base = (value + offset) * num / den. */
const FACTORS: Record<string, { num: number; den: number; offset?: number }> = {
  Cel: { num: 1, den: 1 },
  '[degF]': { num: 5, den: 9, offset: -32 },
  'mm[Hg]': { num: 1, den: 1 },
  kPa: { num: 1000 / 133.322387415, den: 1 },
  '%': { num: 1, den: 1 },
  '1': { num: 100, den: 1 },
  'mg/dL': { num: 1, den: 1 },
  'mmol/L': { num: 18.016, den: 1 },
  kg: { num: 1, den: 1 },
  g: { num: 1, den: 1000 },
  '[lb_av]': { num: 0.45359237, den: 1 },
  cm: { num: 1, den: 1 },
  '[in_i]': { num: 2.54, den: 1 },
  m: { num: 100, den: 1 },
};

/** Converts a value from one unit to another of the same kind; unknown pairs are returned unchanged. */
export function convert(value: number, from: string, to: string): number {
  if (from === to) return value;
  const f = FACTORS[from];
  const t = FACTORS[to];
  if (!f || !t) return value;
  const base = ((value + (f.offset ?? 0)) * f.num) / f.den;
  return (base * t.den) / t.num - (t.offset ?? 0);
}

/** How many decimals a value in this unit is worth showing. */
export function decimalsFor(unit: string): number {
  switch (unit) {
    case 'Cel':
    case '[degF]':
    case 'mmol/L':
    case 'kg':
    case '[lb_av]':
    case 'kPa':
      return 1;
    case '[in_i]':
      return 1;
    default:
      return 0;
  }
}

export function formatNumber(value: number, unit: string): string {
  const d = decimalsFor(unit);
  return value.toLocaleString(undefined, { minimumFractionDigits: d, maximumFractionDigits: d });
}

// --- The viewer's preferences, kept in this browser ------------------------

/** The quantities a person may choose a unit for, with the choices. */
export const UNIT_CHOICES = {
  temperature: { label: 'Temperature', units: ['Cel', '[degF]'] },
  glucose: { label: 'Blood glucose', units: ['mg/dL', 'mmol/L'] },
  weight: { label: 'Weight', units: ['kg', '[lb_av]'] },
  height: { label: 'Height', units: ['cm', '[in_i]'] },
} as const;

export type UnitQuantity = keyof typeof UNIT_CHOICES;
export type UnitPrefs = Record<UnitQuantity, string>;

export const DEFAULT_PREFS: UnitPrefs = { temperature: 'Cel', glucose: 'mg/dL', weight: 'kg', height: 'cm' };

/** Which preference governs a canonical unit. */
const QUANTITY_OF: Record<string, UnitQuantity> = {
  Cel: 'temperature',
  'mg/dL': 'glucose',
  kg: 'weight',
  cm: 'height',
};

export const UNITS_KEY = 'tend.units';

function readPrefs(): UnitPrefs {
  try {
    const raw = localStorage.getItem(UNITS_KEY);
    if (!raw) return DEFAULT_PREFS;
    const saved = JSON.parse(raw) as Partial<UnitPrefs>;
    const out = { ...DEFAULT_PREFS };
    for (const q of Object.keys(UNIT_CHOICES) as UnitQuantity[]) {
      const v = saved[q];
      if (v && (UNIT_CHOICES[q].units as readonly string[]).includes(v)) out[q] = v;
    }
    return out;
  } catch {
    return DEFAULT_PREFS;
  }
}

const listeners = new Set<() => void>();
let cached: { raw: string | null; prefs: UnitPrefs } | null = null;

function snapshot(): UnitPrefs {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(UNITS_KEY);
  } catch {
    raw = null;
  }
  if (!cached || cached.raw !== raw) cached = { raw, prefs: readPrefs() };
  return cached.prefs;
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  const onStorage = (e: StorageEvent) => {
    if (e.key === UNITS_KEY) fn();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('storage', onStorage);
  };
}

export function setUnitPref(q: UnitQuantity, unit: string): void {
  const next = { ...snapshot(), [q]: unit };
  try {
    localStorage.setItem(UNITS_KEY, JSON.stringify(next));
  } catch {
    // Private browsing: the choice lasts as long as the page.
    cached = { raw: JSON.stringify(next), prefs: next };
  }
  listeners.forEach((fn) => fn());
}

/** The viewer's unit preferences; components re-render when they change (in any tab). */
export function useUnitPrefs(): UnitPrefs {
  return useSyncExternalStore(subscribe, snapshot, () => DEFAULT_PREFS);
}

/** The unit to show values of a canonical unit in, given the preferences. */
export function displayUnit(canonical: string, prefs: UnitPrefs): string {
  const q = QUANTITY_OF[canonical];
  return q ? prefs[q] : canonical;
}

/** A value in its canonical unit, converted and formatted with its display unit: "98.6 °F". */
export function showValue(value: number, canonical: string, prefs: UnitPrefs): string {
  const unit = displayUnit(canonical, prefs);
  return `${formatNumber(convert(value, canonical, unit), unit)} ${unitLabel(unit)}`;
}
