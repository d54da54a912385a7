// The fleet benchmark's comparison of a query's two forms (through the recording rules and raw): what it calls a
// difference, and how it says where.
import { describe, it, expect } from 'vitest';
import { firstDifference } from '../../bench/fleet/measure.ts';

const values = (entries: [string, number][]) => new Map(entries);

describe('firstDifference', () => {
  it('finds none between the same series with values equal to a millionth, NaN included', () => {
    expect(firstDifference(values([['a', 1], ['b', NaN]]), values([['a', 1 + 1e-9], ['b', NaN]]))).toBeUndefined();
  });

  it('names a series only one form holds, either way round', () => {
    expect(firstDifference(values([['a', 1]]), values([['a', 1], ['b', 2]]))).toBe('b only in the raw form');
    expect(firstDifference(values([['a', 1], ['b', 2]]), values([['a', 1]]))).toBe('b only through the recorded series');
  });

  it('gives both values of the first series that differs, unless only the series are compared', () => {
    expect(firstDifference(values([['a', 1], ['b', 2]]), values([['a', 1], ['b', 2.5]]))).toBe('b: 2 through the recorded series, 2.5 raw');
    expect(firstDifference(values([['a', 1], ['b', 2]]), values([['a', 1], ['b', 2.5]]), false)).toBeUndefined();
  });
});
