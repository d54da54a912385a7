// Numbers as people read them in alert texts and runbooks; PromQL literals use promql.ts's num().
import { num } from './promql.ts';

/** 0.05 → "5 %", 0.999 → "99.9 %" (toPrecision drops float noise such as 99.90000000000001). */
export function percent(ratio: number): string {
  return `${num(Number((ratio * 100).toPrecision(12)))} %`;
}

/** 0.4 → "400 ms". */
export function milliseconds(seconds: number): string {
  return `${num(Math.round(seconds * 1000))} ms`;
}

/** The error budget of an objective: 0.999 → 0.001 (without float noise such as 0.0010000000000000009). */
export function errorBudget(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}
