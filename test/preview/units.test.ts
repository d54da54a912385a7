// Values and axes in the panel's unit, as Grafana prints them.
import { describe, it, expect } from 'vitest';
import { formatValue, valueAxis, niceStep, toFixed } from '../../preview/units.ts';

describe('formatValue', () => {
  const cases: [number | null, string, string][] = [
    [0.999, 'percentunit', '99.9%'],
    [0.05, 'percentunit', '5%'],
    [0.12345, 'percentunit', '12.3%'],
    [45.67, 'percent', '45.7%'],
    [0, 's', '0 s'],
    [0.25, 's', '250 ms'],
    [0.0004, 's', '400 µs'],
    [12.5, 's', '12.5 s'],
    [90, 's', '1.5 min'],
    [7200, 's', '2 hour'],
    [1500, 'ms', '1.5 s'],
    [17179869184, 'bytes', '16 GiB'],
    [1536, 'bytes', '1.5 KiB'],
    [512, 'bytes', '512 B'],
    [1500, 'decbytes', '1.5 kB'],
    [12.34, 'reqps', '12.3 req/s'],
    [1500, 'reqps', '1.5 K req/s'],
    [1234567, 'short', '1.23 Mil'],
    [42, 'short', '42'],
    [78.5, 'celsius', '78.5°C'],
    [250, 'watt', '250 W'],
    [1500, 'watt', '1.5 kW'],
    [0.00215, 'kwatth', '2.15 Wh'],
    [3.5, 'kwatth', '3.5 kWh'],
    [1.7e9, 'hertz', '1.7 GHz'],
    [60, 'd', '8.57 week'],
    [2.5, 'd', '2.5 day'],
    [146.6, 'h', '6.11 day'],
    [1, 'bool_on_off', 'On'],
    [0, 'bool_on_off', 'Off'],
    [1, 'bool_yes_no', 'Yes'],
    [0, 'bool_yes_no', 'No'],
    [3, 'none', '3'],
    [95.234, 'x', '95.2 x'],
    [null, 'percentunit', 'No data'],
    [NaN, 's', 'NaN'],
    [Infinity, 's', '+Inf'],
  ];
  for (const [value, unit, text] of cases) {
    it(`${value} ${unit} → ${text}`, () => expect(formatValue(value, unit)).toBe(text));
  }

  it('takes explicit decimals', () => {
    expect(formatValue(0.12345, 'percentunit', 0)).toBe('12%');
    expect(toFixed(2.5, 0)).toBe('3');
    expect(toFixed(-0.0000001)).toBe('-0.0000001');
    expect(toFixed(-0.0000001, 2)).toBe('0');
  });
});

describe('valueAxis', () => {
  it('uses the panel min and max and labels ticks in the unit', () => {
    const axis = valueAxis(0.4, 0.6, 'percentunit', { min: 0, max: 1 });
    expect([axis.min, axis.max]).toEqual([0, 1]);
    expect(axis.labels).toEqual(['0%', '25%', '50%', '75%', '100%']);
  });

  it('pads the data to whole steps, never below zero for data that never is', () => {
    const axis = valueAxis(20, 78, 'reqps');
    expect(axis.min).toBe(0);
    expect(axis.max).toBeGreaterThanOrEqual(78);
    expect(axis.ticks.every((t, i) => i === 0 || t > axis.ticks[i - 1]!)).toBe(true);
    expect(axis.labels.at(-1)).toMatch(/ req\/s$/);
  });

  it('steps byte axes in whole binary units', () => {
    const axis = valueAxis(0, 17179869184, 'bytes', { min: 0 });
    expect(axis.labels).toContain('10 GiB');
    for (const t of axis.ticks) expect((t / 2 ** 30) % 1).toBe(0);
  });

  it('gives a flat line room and a missing range a default', () => {
    expect(valueAxis(0, 0, 'short')).toMatchObject({ min: 0, max: 1 });
    const flat = valueAxis(50, 50, 'celsius');
    expect(flat.min).toBeLessThan(50);
    expect(flat.max).toBeGreaterThan(50);
    expect(valueAxis(undefined, undefined, 'short')).toMatchObject({ min: 0, max: 1 });
  });

  it('keeps negative data below zero', () => {
    const axis = valueAxis(-50, 1, 'percentunit');
    expect(axis.min).toBeLessThanOrEqual(-50);
    expect(axis.labels[0]).toMatch(/^-/);
  });

  it('chooses round steps', () => {
    expect(niceStep(100, 4)).toBe(25);
    expect(niceStep(1, 4)).toBe(0.25);
    expect(niceStep(70, 4)).toBe(20);
  });
});
