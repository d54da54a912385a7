// Alertmanager routing for the dgmon alerts: severity decides the receiver, alertname+cluster make one incident one
// notification, and inhibitions drop the follow-on alerts of a fault that is already paging.
import type { DgmonConfig } from '../core/config.ts';

/** Alerts about the Engine's service on a node: silenced when that node's Engine or GPU is known broken. */
export const ENGINE_SYMPTOM_ALERTS = [
  'DeepgramHighErrorRate',
  'DeepgramHighLatencyP95',
  'DeepgramStreamingLatencyHigh',
  'DeepgramRealtimeFactorLow',
  'DeepgramStreamCapacityHigh',
  'DeepgramConcurrencyLimitNear',
  'DeepgramGPUIdleWhileServing',
] as const;

/** GPU faults that explain every Engine symptom on the same node. */
export const GPU_HARDWARE_ALERTS = ['DeepgramGPUXidErrors', 'DeepgramGPUMemoryErrors'] as const;

export const RECEIVER_NAMES = { pager: 'deepgram-pager', ticket: 'deepgram-ticket', watchdog: 'deepgram-watchdog' } as const;

export function buildAlertmanagerConfig(config: DgmonConfig): Record<string, unknown> {
  const am = config.alertmanager;
  const cluster = config.cluster.label;
  const node = config.node.label;
  const oneOf = (names: readonly string[]) => `alertname=~"${names.join('|')}"`;
  return {
    route: {
      receiver: RECEIVER_NAMES.ticket,
      group_by: am.groupBy,
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [
        {
          // Everything dgmon sends sits under this one route: copy it into an existing tree to merge.
          matchers: ['alertname=~"Deepgram.+"'],
          receiver: RECEIVER_NAMES.ticket,
          routes: [
            {
              matchers: ['alertname="DeepgramWatchdog"'],
              receiver: RECEIVER_NAMES.watchdog,
              group_wait: '0s',
              group_interval: '1m',
              repeat_interval: '1m',
            },
            { matchers: ['severity="critical"'], receiver: RECEIVER_NAMES.pager },
            { matchers: ['severity=~"warning|info"'], receiver: RECEIVER_NAMES.ticket },
          ],
        },
      ],
    },
    inhibit_rules: [
      {
        // The critical of an alert (API Critical, fast burn, a critical Xid, an expiry three days out) makes its
        // warning on the same node and GPU, TLS target or API key redundant. A label missing on both sides counts as
        // equal, so target and key keep one expiring certificate from silencing another's warning, and source keeps
        // one signal (Engine, probe, an application) from silencing another's.
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', cluster, node, 'gpu', 'target', 'key', 'source'],
      },
      {
        // A node whose target is down cannot be judged on errors or latency: the down target is the incident.
        // Only alerts about a node (the probe's and applications' have none): a label missing on both sides would
        // otherwise count as equal, and a vanished job (no node label) would silence every probe alert.
        source_matchers: ['alertname="DeepgramSourceDown"'],
        target_matchers: [oneOf(ENGINE_SYMPTOM_ALERTS), `${node}=~".+"`],
        equal: [cluster, node],
      },
      {
        // A GPU hardware fault explains every Engine symptom on that node.
        source_matchers: [oneOf(GPU_HARDWARE_ALERTS), 'severity="critical"'],
        target_matchers: [oneOf(ENGINE_SYMPTOM_ALERTS), `${node}=~".+"`],
        equal: [cluster, node],
      },
      {
        // An Engine serving with an idle GPU has fallen back to the CPU: every slow or failing request on that node
        // follows from it, so the GPU page stands for them (the end-to-end suite shows the symptoms suppressed).
        source_matchers: ['alertname="DeepgramGPUIdleWhileServing"'],
        target_matchers: [oneOf(ENGINE_SYMPTOM_ALERTS.filter((name) => name !== 'DeepgramGPUIdleWhileServing'))],
        equal: [cluster, node],
      },
    ],
    receivers: (Object.keys(RECEIVER_NAMES) as (keyof typeof RECEIVER_NAMES)[]).map((key) => ({
      name: RECEIVER_NAMES[key],
      ...am.receivers[key],
    })),
  };
}

/** Receivers with no integration: notifications routed there are dropped. */
export function emptyReceivers(config: DgmonConfig): string[] {
  return (Object.keys(RECEIVER_NAMES) as (keyof typeof RECEIVER_NAMES)[])
    .filter((key) => Object.keys(config.alertmanager.receivers[key]).length === 0)
    .map((key) => RECEIVER_NAMES[key]);
}
