// Alertmanager routing for the dgmon alerts: severity decides the receiver, alertname+cluster make one incident one
// notification, and inhibitions drop the follow-on alerts of a fault that is already paging.
import type { DgmonConfig } from '../core/config.ts';
import { isEnabled } from './index.ts';

/** Alerts about the Engine's service on a node: silenced when that node's Engine is down (DeepgramHighErrorRate never). */
export const ENGINE_SYMPTOM_ALERTS = [
  'DeepgramHighErrorRate',
  'DeepgramHighLatencyP95',
  'DeepgramStreamingLatencyHigh',
  'DeepgramRealtimeFactorLow',
  'DeepgramStreamCapacityHigh',
  'DeepgramConcurrencyLimitNear',
  'DeepgramGPUIdleWhileServing',
] as const;

export const RECEIVER_NAMES = { pager: 'deepgram-pager', ticket: 'deepgram-ticket', watchdog: 'deepgram-watchdog' } as const;

export function buildAlertmanagerConfig(config: DgmonConfig): Record<string, unknown> {
  const am = config.alertmanager;
  const cluster = config.cluster.label;
  const node = config.node.label;
  const oneOf = (names: readonly string[]) => `alertname=~"${names.join('|')}"`;
  const on = (name: string) => isEnabled(config, name);
  const symptoms = ENGINE_SYMPTOM_ALERTS.filter((name) => name !== 'DeepgramHighErrorRate' && on(name));
  // An inhibition or route only while the alerts it names are on: for a disabled alert it could never act, and a
  // reader of the file would look for an alert that is not there.
  const only = <T>(when: boolean, rule: T): T | undefined => (when ? rule : undefined);
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
            ...(on('DeepgramWatchdog')
              ? [
                  {
                    matchers: ['alertname="DeepgramWatchdog"'],
                    receiver: RECEIVER_NAMES.watchdog,
                    group_wait: '0s',
                    group_interval: '1m',
                    repeat_interval: '1m',
                  },
                ]
              : []),
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
        // one signal (Engine, probe, an application) from silencing another's. This is the only rule that may mute
        // DeepgramHighErrorRate: nothing but its own higher severity.
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', cluster, node, 'gpu', 'target', 'key', 'source'],
      },
      only(on('DeepgramSourceDown') && symptoms.length > 0, {
        // Only a down Engine mutes that Engine's symptoms: with its target down (or its exporter, or the exporter's
        // Engine source) there is nothing left to judge its latency or capacity on. Monitoring-only sources
        // (dcgm-exporter, an exporter that does not carry the Engine, the API or License Proxy source) never
        // inhibit: in Compose and systemd every series carries the exporter's node key, and Alertmanager inhibits
        // from silenced alerts too, so a silenced dcgm-exporter outage would otherwise hide real ones. GPU faults and
        // CPU fallback do not inhibit either: they explain symptoms, they do not blind them. Only alerts about a
        // node (the probe's and applications' have none): a label missing on both sides counts as equal.
        source_matchers: ['alertname="DeepgramSourceDown"', 'source="engine"'],
        target_matchers: [oneOf(symptoms), `${node}=~".+"`],
        equal: [cluster, node],
      }),
      only(on('DeepgramEngineDisconnected') && on('DeepgramSourceDown'), {
        // An API with no Engine is the incident: the Engines it lost are down or unreachable, and it says so first
        // (its for: is the shorter). One lost Engine, one page: the Engine's DeepgramSourceDown in that cluster
        // (scrape failed, exporter source unreachable, or none left) is held back. Its health-check twin
        // (check="engine_connection") is left out of DeepgramHealthCheckFailing's rule, as it reads the same answer.
        source_matchers: ['alertname="DeepgramEngineDisconnected"'],
        target_matchers: ['alertname="DeepgramSourceDown"', 'source="engine"'],
        equal: [cluster],
      }),
      only(on('DeepgramConcurrencyLimitNear') && on('DeepgramStreamCapacityHigh'), {
        // One full node, one ticket. Streams near the Engine's estimated capacity and active requests near
        // max_active_requests are two gauges of the same saturation, fixed the same way (add capacity, spread load).
        // The concurrency limit is the nearer wall (at it the API answers 429) and the quicker alert (its for: is the
        // shorter), so while it fires on a node the stream-capacity warning of that node adds nothing and is held.
        // Where no limit is set, the concurrency alert is never evaluated and the stream-capacity ticket goes out.
        source_matchers: ['alertname="DeepgramConcurrencyLimitNear"'],
        target_matchers: ['alertname="DeepgramStreamCapacityHigh"'],
        equal: [cluster, node],
      }),
      only(on('DeepgramGPUXidErrors'), {
        // One Xid, one page. DeepgramGPUXidErrors has two signals for the same event: xid_count reads dcgm-exporter's
        // Xid counter directly, last_xid a recorded series of the last code, one evaluation later. Both in one group,
        // the later one joining after the first notification would page again a group interval later. The counter's
        // alert, when dcgm-exporter has the counter, holds back the last-code alert of the same GPU and severity (a
        // warning Xid never hides a critical one); without the counter last_xid alone pages, as before.
        source_matchers: ['alertname="DeepgramGPUXidErrors"', 'signal="xid_count"'],
        target_matchers: ['alertname="DeepgramGPUXidErrors"', 'signal="last_xid"'],
        equal: [cluster, node, 'gpu', 'severity'],
      }),
    ].filter((rule) => rule !== undefined),
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
