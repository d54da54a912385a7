// Field builders shared by the config sections: each takes the default and the reason for it, which becomes the
// field's description (in the JSON Schema for editors and in `dgmon init`'s comments), and refuses bad values with a
// message that says what a good one looks like.
import { z } from 'zod';
import { isDuration } from '../duration.ts';

export const duration = (fallback: string, why: string) =>
  z
    .string({ error: 'must be a Prometheus duration string such as "30s", "5m" or "1h"' })
    .refine(isDuration, { message: 'must be a Prometheus duration such as "30s", "5m" or "1h" (digits then ms|s|m|h|d|w|y, no spaces)' })
    .default(fallback)
    .describe(why);

export const ratio = (fallback: number, why: string) =>
  z
    .number({ error: 'must be a number' })
    .min(0, { message: 'must be a ratio between 0 and 1 (write 5 % as 0.05)' })
    .max(1, { message: 'must be a ratio between 0 and 1 (write 5 % as 0.05)' })
    .default(fallback)
    .describe(why);

export const positive = (fallback: number, why: string) =>
  z.number({ error: 'must be a number' }).positive({ message: 'must be greater than 0' }).default(fallback).describe(why);

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severity = (fallback: Severity, why: string) =>
  z.enum(SEVERITIES, { error: 'must be one of critical, warning, info' }).default(fallback).describe(why);

export const labelName = (fallback: string, why: string) =>
  z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: 'must be a Prometheus label name (letters, digits, underscore; not starting with a digit)' })
    .default(fallback)
    .describe(why);
