import type { AlertModule } from '../types.ts';

export const gpuAlerts: AlertModule = () => [];
