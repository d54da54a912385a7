import type { AlertModule } from '../types.ts';

export const capacityAlerts: AlertModule = () => [];
