import { describe, expect, it } from 'vitest';
import { convert, DEFAULT_PREFS, displayUnit, showValue } from './units';

describe('units', () => {
  it('converts for display between the units a person may prefer', () => {
    expect(convert(37, 'Cel', '[degF]')).toBeCloseTo(98.6, 5);
    expect(convert(98.6, '[degF]', 'Cel')).toBeCloseTo(37, 5);
    expect(convert(180.16, 'mg/dL', 'mmol/L')).toBeCloseTo(10, 5);
    expect(convert(70, 'kg', '[lb_av]')).toBeCloseTo(154.32, 2);
    expect(convert(180, 'cm', '[in_i]')).toBeCloseTo(70.87, 2);
    expect(convert(72, '/min', '/min')).toBe(72);
  });

  it('shows a value in the preferred unit', () => {
    const prefs = { ...DEFAULT_PREFS, glucose: 'mmol/L', temperature: '[degF]' };
    expect(displayUnit('mg/dL', prefs)).toBe('mmol/L');
    expect(displayUnit('mm[Hg]', prefs)).toBe('mm[Hg]');
    expect(showValue(99, 'mg/dL', prefs)).toBe('5.5 mmol/L');
    expect(showValue(38.2, 'Cel', prefs)).toBe('100.8 °F');
    expect(showValue(38.2, 'Cel', DEFAULT_PREFS)).toBe('38.2 °C');
  });
});
