// Every dgmon dashboard, built from config. Each dashboard is one file; this list is the only place that names them.
import type { DgmonConfig } from '../core/config.ts';
import { dashboardContext } from './common.ts';
import { fleetDashboard } from './fleet.ts';
import { nodeDashboard } from './node.ts';
import { streamingDashboard } from './streaming.ts';
import { gpuDashboard } from './gpu.ts';
import { ttsDashboard } from './tts.ts';

export interface BuiltDashboard {
  uid: string;
  title: string;
  json: Record<string, unknown>;
}

const DASHBOARDS = [fleetDashboard, streamingDashboard, gpuDashboard, nodeDashboard, ttsDashboard];

export function buildDashboards(config: DgmonConfig): BuiltDashboard[] {
  const ctx = dashboardContext(config);
  return DASHBOARDS.map((build) => {
    const json = build(ctx).build() as unknown as Record<string, unknown>;
    return { uid: String(json.uid), title: String(json.title), json };
  });
}
