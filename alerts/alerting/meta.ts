// The dead man's switch: an alert that always fires, so its absence at the receiver proves the pipeline is broken.
import type { AlertModule } from '../types.ts';

export const metaAlerts: AlertModule = () => [
  {
    name: 'DeepgramWatchdog',
    summary: 'The Deepgram alerting pipeline is alive.',
    dashboard: 'fleet',
    rules: [
      {
        expr: 'vector(1)',
        for: '0s',
        // Not a real severity: it routes to its own receiver and never pages or opens tickets.
        severity: 'none',
        description: 'This alert always fires while Prometheus evaluates the dgmon rules and reaches Alertmanager. If the watchdog receiver stops getting it, alerting is broken.',
      },
    ],
    runbook: {
      meaning: 'Always firing, on purpose. It travels Prometheus → Alertmanager → the watchdog receiver every repeat interval. A dead man\'s switch service (Healthchecks.io, PagerDuty\'s heartbeat, Opsgenie\'s heartbeat, …) behind that receiver alerts when it stops arriving.',
      impact: 'None while it fires. If it stops, no Deepgram alert can reach anyone.',
      confirm: [
        { what: 'Alertmanager holds it', shell: 'amtool alert query alertname=DeepgramWatchdog --alertmanager.url=http://<alertmanager>:9093' },
        { what: 'Prometheus evaluates the dgmon rule groups', promql: 'prometheus_rule_group_last_evaluation_timestamp_seconds{rule_group=~".*dgmon.*"}' },
      ],
      causes: [
        'When the heartbeat service reports it missing: Prometheus is down, it no longer loads the dgmon rule files, it cannot reach Alertmanager, or Alertmanager cannot reach the receiver.',
      ],
      actions: [
        'Check Prometheus is up and /rules lists the dgmon groups.',
        'Check Prometheus /status shows the Alertmanager as discovered and prometheus_notifications_errors_total is not rising.',
        'Check the Alertmanager log for notification failures to the watchdog receiver.',
      ],
      escalate: 'A silent watchdog means all alerting is down: treat it as critical and page the monitoring owner.',
    },
  },
];
