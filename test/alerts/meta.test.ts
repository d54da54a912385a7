// The watchdog has no threshold: it must fire always, with or without any Deepgram series, and route on its own.
import { describe, it, expect } from 'vitest';
import { promtoolTestRules, defaultConfig, links } from '../support/promtool.ts';
import { buildRules } from '../../alerts/index.ts';

const watchdog = {
  labels: { severity: 'none' },
  annotations: {
    summary: 'The Deepgram alerting pipeline is alive.',
    description:
      'This alert always fires while Prometheus evaluates the dgmon rules and reaches Alertmanager. If the watchdog receiver stops getting it, alerting is broken.',
    ...links('DeepgramWatchdog', 'deepgram-fleet'),
  },
};

describe('DeepgramWatchdog', () => {
  it('fires from the first evaluation, with no series at all', () => {
    const result = promtoolTestRules(defaultConfig(), [
      { name: 'watchdog', input: [], alerts: [{ at: '0m', alert: 'DeepgramWatchdog', expect: [watchdog] }, { at: '3h', alert: 'DeepgramWatchdog', expect: [watchdog] }] },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it('is the only alert firing on a healthy, idle stack', () => {
    const others = buildRules(defaultConfig()).definitions.map((d) => d.name).filter((n) => n !== 'DeepgramWatchdog');
    expect(others.length).toBeGreaterThan(8);
    const up = (job: string, instance: string) => ({ series: `up{job="${job}",instance="${instance}"}`, values: '1x60' });
    const result = promtoolTestRules(defaultConfig(), [
      {
        name: 'healthy idle stack',
        // With what each source publishes from start-up: the presence rules count an Engine and a GPU by them.
        input: [
          up('deepgram-engine', '10.0.0.5:9991'),
          up('dcgm-exporter', '10.0.0.5:9400'),
          up('dgmon', '10.0.0.5:9898'),
          { series: 'engine_estimated_stream_capacity{job="deepgram-engine",instance="10.0.0.5:9991"}', values: '40x60' },
          { series: 'DCGM_FI_DEV_GPU_TEMP{job="dcgm-exporter",instance="10.0.0.5:9400",gpu="0",UUID="GPU-0",modelName="NVIDIA L4",Hostname="gpu-1"}', values: '40x60' },
          { series: 'DCGM_FI_DEV_GPU_UTIL{job="dcgm-exporter",instance="10.0.0.5:9400",gpu="0",UUID="GPU-0",modelName="NVIDIA L4",Hostname="gpu-1"}', values: '0x60' },
        ],
        alerts: [
          { at: '60m', alert: 'DeepgramWatchdog', expect: [watchdog] },
          ...others.map((alert) => ({ at: '60m', alert, expect: [] })),
        ],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });
});
