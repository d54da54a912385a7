// Where an alert leads: the runbooks it links, the Grafana it points at, and the Alertmanager routing that delivers it.
import { z } from 'zod';
import { duration } from './fields.ts';

const receiver = z
  .record(z.string(), z.unknown())
  .default({})
  .describe(
    'An Alertmanager receiver body without its name: webhook_configs, slack_configs, pagerduty_configs, email_configs, … exactly as in alertmanager.yml. Empty means notifications for this route are dropped; dgmon generate warns about it.',
  );

export const runbooks = z
  .strictObject({
    baseUrl: z
      .string()
      .url({ message: 'must be an absolute URL such as https://wiki.example.com/runbooks' })
      .default('https://runbooks.example.com/dgmon')
      .describe('Where you publish the generated runbooks (DIR/runbooks/*.md). Each alert links to <baseUrl>/<AlertName>.md. Change it: the default is a placeholder, and dgmon generate says so.'),
    escalation: z
      .strictObject({
        team: z.string().min(1).default('the Deepgram platform team').describe('Who owns Deepgram in your organisation: every runbook escalates to this name where it says "the Deepgram platform owner".'),
        contact: z.string().default('').describe('How to reach that team out of hours (a pager schedule, an on-call rota URL, a phone number). Empty: the runbooks say to set it.'),
        channel: z.string().default('').describe('Where an incident is run (a chat channel such as #deepgram-incidents, a bridge). Empty: the runbooks say to set it.'),
        deepgramSupport: z
          .strictObject({
            contact: z.string().min(1).default('Deepgram support (support portal or your Deepgram account team)').describe('How your organisation opens a case with Deepgram.'),
            attach: z
              .array(z.string().min(1))
              .default([
                'the alert: name, labels and start time, and the dgmon version (dgmon_rules_info)',
                'API and Engine logs from 15 minutes before the start (docker logs / kubectl logs; lines prefixed stem:: and impeller::, License Proxy hermes::)',
                'request ids (dg-request-id header) of failed or slow requests',
                'the Engine and API image tags, engine.toml and api.toml without secrets, and the GPU driver version (nvidia-smi)',
                'for GPU faults: nvidia-smi -q, the kernel log (journalctl -k) and the GPU serial',
              ])
              .describe('What to attach to a Deepgram support case, listed in every runbook.'),
          })
          .prefault({})
          .describe('Deepgram support, the last step of every escalation.'),
      })
      .prefault({})
      .describe('Who the runbooks escalate to: your team, its channel, and Deepgram support with what to attach. Rendered into the "When to escalate" section of every runbook.'),
  })
  .prefault({})
  .describe('Where on-call finds the runbook linked from each alert.');

export const grafana = z
  .strictObject({
    url: z
      .string()
      .url({ message: 'must be an absolute URL such as https://grafana.example.com' })
      .default('http://localhost:3000')
      .describe('Your Grafana, for the dashboard_url annotation on every alert.'),
    folder: z.string().default('Deepgram').describe('Grafana folder the dashboards are provisioned into.'),
  })
  .prefault({})
  .describe('Your Grafana, for links from alerts to dashboards.');

export const alertmanager = z
  .strictObject({
    groupBy: z
      .array(z.string())
      .default(['alertname', 'cluster'])
      .describe('One notification per alert name and cluster: ten nodes with the same fault are one incident. Inhibitions remove the follow-on alerts of a node that is down.'),
    groupWait: duration('30s', 'Waits for alerts of the same incident to arrive before the first notification.'),
    groupInterval: duration('5m', 'Minimum time between notifications about changes in a group.'),
    repeatInterval: duration('4h', 'Re-notify about a still-firing alert this often.'),
    receivers: z
      .strictObject({
        pager: receiver.describe('Critical alerts: a paging integration (pagerduty_configs, opsgenie_configs, …).'),
        ticket: receiver.describe('Warning and info alerts: a ticket queue or chat channel.'),
        watchdog: receiver.describe('DeepgramWatchdog, every minute: a dead man\'s switch service that alerts when it stops.'),
      })
      .prefault({})
      .describe('Where notifications go, by route: pages, tickets and the watchdog heartbeat.'),
  })
  .prefault({})
  .describe('Routing, grouping and receivers for the generated alertmanager.yml.');
