import type { AlertModule } from '../types.ts';

export const sloAlerts: AlertModule = () => [];
