// Issue 23, item 13: every runbook escalates to a configured team, channel and Deepgram support (with what to
// attach), by default with a structure that says what to fill in; the License Proxy runbook gives its status port
// for Compose (8089 on the host) and Kubernetes (8080).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/config.ts';
import { buildRules } from '../alerts/index.ts';
import { renderRunbook } from '../alerts/runbooks.ts';

const runbooks = (raw: unknown) => {
  const config = parseConfig(raw);
  return new Map(buildRules(config).definitions.map((d) => [d.name, renderRunbook(d, config)]));
};
const escalation = (page: string) => page.slice(page.indexOf('## When to escalate'), page.indexOf('## The rule'));

describe('runbook escalation', () => {
  it('has a default structure in every runbook: team, out-of-hours contact, channel, Deepgram support and what to attach', () => {
    for (const [name, page] of runbooks({})) {
      const section = escalation(page);
      expect(section, name).toContain('- Team: the Deepgram platform team; out of hours: not set (runbooks.escalation.contact in dgmon.yaml)');
      expect(section, name).toContain('- Incident channel: not set (runbooks.escalation.channel in dgmon.yaml)');
      expect(section, name).toContain('- Deepgram: Deepgram support (support portal or your Deepgram account team). Attach:');
      expect(section, name).toContain('  - request ids (dg-request-id header) of failed or slow requests');
      expect(section, name).not.toContain('platform owner');
    }
  });

  it('names the configured team, contact, channel and support path', () => {
    const pages = runbooks({
      runbooks: {
        escalation: {
          team: 'Speech Platform (team-speech)',
          contact: 'PagerDuty schedule "speech-primary"',
          channel: '#speech-incidents',
          deepgramSupport: { contact: 'support case via the Deepgram console, severity 1', attach: ['the Engine logs'] },
        },
      },
    });
    const section = escalation(pages.get('DeepgramEngineDisconnected')!);
    expect(section).toContain('Page Speech Platform (team-speech) at once');
    expect(section).toContain('- Team: Speech Platform (team-speech); out of hours: PagerDuty schedule "speech-primary"');
    expect(section).toContain('- Incident channel: #speech-incidents');
    expect(section).toContain('- Deepgram: support case via the Deepgram console, severity 1. Attach:\n  - the Engine logs');
  });

  it('gives the License Proxy status port for Compose and Kubernetes', () => {
    const page = runbooks({}).get('DeepgramLicenseProxyTrustBased')!;
    expect(page).toContain('curl -s http://<license-proxy>:8089/v1/status   # Compose, from the host');
    expect(page).toContain('port-forward svc/deepgram-license-proxy-status 8080:8080');
  });
});
