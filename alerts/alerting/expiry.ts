// Things that stop working on a date: the TLS certificate of the proxy in front of the API, Deepgram API keys, and
// the expiry watch that reads them. Each expiry alert warns early and pages late (node-mixin's two-severity scheme);
// the critical silences the warning of the same target or key through the routing's severity inhibition.
import { DGMON } from '../../core/catalog/index.ts';
import { by, num } from '../../core/promql.ts';
import type { AlertDefinition, AlertModule, AlertRuleSpec } from '../types.ts';

const DAY_SECONDS = 86400;

export const expiryAlerts: AlertModule = (ctx) => {
  const { config, q, inCluster } = ctx;
  const a = config.alerts;
  const x = config.exporter.expiry;
  const tls = a.DeepgramTLSCertificateExpiringSoon;
  const keys = a.DeepgramAPIKeyExpiringSoon;
  const failing = a.DeepgramExpiryCheckFailing;
  // Several exporters may watch the same proxy or project: one alert per certificate or key, the earliest reading.
  const tlsLeft = `${by('min', [q.cluster, 'target', 'server_name'], q.exporter(DGMON.tlsChainExpiry.name))} - time()`;
  const keyLeft = `${by('min', [q.cluster, 'key', 'origin', 'comment'], q.exporter(DGMON.apiKeyExpiry.name))} - time()`;
  const left = '{{ if lt $value 0.0 }}has expired{{ else }}expires in {{ $value | humanizeDuration }}{{ end }}';
  const twoSeverities = (
    expr: string,
    t: { severity: string; criticalSeverity: string; warningDays: number; criticalDays: number; for: string },
    what: string,
  ): AlertRuleSpec[] =>
    (
      [
        [t.severity, t.warningDays],
        [t.criticalSeverity, t.criticalDays],
      ] as const
    ).map(([severity, days]) => ({
      expr: `${expr} < ${num(days * DAY_SECONDS)}`,
      for: t.for,
      severity,
      description: `${what}${inCluster} ${left}: less than ${num(days)} days left.`,
    }));

  const defs: AlertDefinition[] = [
    {
      name: 'DeepgramTLSCertificateExpiringSoon',
      summary: 'The TLS certificate in front of the Deepgram API expires soon.',
      dashboard: 'fleet',
      rules: twoSeverities(tlsLeft, tls, 'The TLS certificate chain served by {{ $labels.target }}{{ with $labels.server_name }} (server name {{ . }}){{ end }}'),
      runbook: {
        meaning: `The proxy terminating TLS in front of the Deepgram API (NGINX, HAProxy, Apache; exporter.expiry.tls) presents a certificate chain whose first expiry (the leaf, or an intermediate in the bundle; self-signed roots are left out) is less than ${num(tls.warningDays)} days away (warning) or ${num(tls.criticalDays)} days away (critical). The exporter reads it with a TLS handshake every ${x.interval}, whether or not the certificate verifies.`,
        impact: 'None until the date. Then every client that verifies certificates (all SDKs, browsers, curl) refuses the connection: every transcription request through this endpoint fails.',
        confirm: [
          { what: 'Days left per endpoint, first expiry in the chain (what the alert reads)', promql: `(${by('min', ['target'], q.exporter(DGMON.tlsChainExpiry.name))} - time()) / ${DAY_SECONDS}` },
          { what: 'Days left of the leaf alone (later than the line above: an intermediate expires first)', promql: `(${by('min', ['target'], q.exporter(DGMON.tlsCertExpiry.name))} - time()) / ${DAY_SECONDS}` },
          { what: 'Whether the certificate verifies and matches the name', promql: q.exporter(DGMON.tlsCertVerified.name) },
          { what: 'What the proxy serves, as a client sees it', shell: 'openssl s_client -connect <host>:443 -servername <name> -showcerts </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate' },
        ],
        causes: [
          'Automatic renewal (certbot, cert-manager, acme.sh) failing: DNS or HTTP-01 challenge blocked, rate limits, expired account credentials.',
          'The certificate was renewed on disk but the proxy was not reloaded, so it still serves the old one.',
          'A manually bought certificate nobody put in the calendar.',
          'The leaf is fine but the bundle carries an old intermediate (the chain metric is earlier than the leaf metric): the fullchain file was assembled by hand.',
          'Several proxies behind one address, one of them not renewed (the reading flips between checks).',
        ],
        actions: [
          'Renew the certificate (or fix the automation and re-run it), then install the new certificate and its full chain on every proxy.',
          'NGINX: point ssl_certificate at the full chain (leaf first, then intermediates) and ssl_certificate_key at the key; `nginx -t && nginx -s reload` (a reload keeps open connections).',
          'HAProxy: the crt file holds leaf, intermediates and key in one PEM; `haproxy -c -f /etc/haproxy/haproxy.cfg`, then `systemctl reload haproxy` (or update it live with `set ssl cert` and `commit ssl cert` on the runtime API).',
          'Apache: SSLCertificateFile (full chain) and SSLCertificateKeyFile; `apachectl configtest && apachectl graceful`.',
          `Verify from outside with the openssl command above; the alert resolves after the next check (within ${x.interval}) plus its for: (${tls.for}).`,
          'If only the chain metric is early, replace the intermediate in the bundle with the one your CA currently issues.',
        ],
        escalate: 'If the certificate cannot be renewed before the critical threshold, escalate to whoever owns the domain and the CA account; a few hours before expiry, plan a maintenance notice for API clients.',
      },
    },
    {
      name: 'DeepgramAPIKeyExpiringSoon',
      summary: 'A Deepgram API key expires soon.',
      dashboard: 'fleet',
      rules: twoSeverities(keyLeft, keys, 'Deepgram API key {{ $labels.key }} ({{ $labels.origin }})'),
      runbook: {
        meaning: `A Deepgram API key expires in less than ${num(keys.warningDays)} days (warning) or ${num(keys.criticalDays)} days (critical). The key label is the name declared in dgmon.yaml (origin config) or the api_key_id from Deepgram's key listing of the project (origin listing, active keys only); neither is the secret. Production keys are created with a 90-day expiry and a prepared fallback key, so this alert is the reminder to rotate.`,
        impact: 'None until the date. Then every request made with the key is refused (HTTP 401), and whatever uses it (your applications, a proxy injecting it, the health check) fails at once.',
        confirm: [
          { what: 'Days left per key', promql: `(${q.exporter(DGMON.apiKeyExpiry.name)} - time()) / ${DAY_SECONDS}` },
          { what: 'The project\'s keys and their expiry dates (management key with keys:read)', shell: 'curl -s -H "Authorization: Token $DEEPGRAM_MANAGEMENT_API_KEY" "https://api.deepgram.com/v1/projects/<project_id>/keys?status=active"' },
        ],
        causes: [
          'Normal ageing of a key created with an expiry: the rotation is due.',
          'A key created by hand with a short time to live for a test and then used in production.',
          'A declared expiry in dgmon.yaml that was not updated after the key was rotated (the old date is still declared).',
        ],
        actions: [
          'Find who uses the key (its comment in the console names it; your secrets manager lists the consumers).',
          'Put the prepared fallback key in service: store it as the new version of the secret in the secrets manager, then roll the consumers (rolling restart or secret reload), so old and new keys overlap and no request fails.',
          'Verify: the exporter\'s /health answers 200, DeepgramHealthCheckFailing stays silent, and the callers\' 401 count (dgmon client metrics by status) does not rise.',
          'Create the next fallback key now (console or POST /v1/projects/<project_id>/keys with the same minimal scopes and a 90-day expiry) and store it beside the active one, so the next rotation is prepared too.',
          'Only when no traffic uses the old key any more, delete it (DELETE /v1/projects/<project_id>/keys/<key_id>) rather than letting it lapse.',
          'For a declared key, update its name and expires in dgmon.yaml and restart the exporter; listed keys update on their own within the check interval.',
          'If the key has already expired: switch to the fallback key first, investigate afterwards.',
        ],
        escalate: 'If nobody with keys:write access is reachable before the critical threshold, escalate to the Deepgram account owner; Deepgram support cannot extend an existing key\'s expiry, so a new key is the only fix.',
      },
    },
    {
      name: 'DeepgramExpiryCheckFailing',
      summary: 'A certificate or API key expiry check is failing.',
      dashboard: 'fleet',
      rules: [
        {
          // max: only when no exporter can check the target is its expiry out of sight.
          expr: `${by('max', [q.cluster, 'check', 'target'], q.exporter(DGMON.expiryCheckSuccess.name))} == 0`,
          for: failing.for,
          severity: failing.severity,
          description: `The {{ $labels.check }} expiry check of {{ $labels.target }}${inCluster} has failed on every exporter for ${failing.for}.`,
        },
      ],
      runbook: {
        meaning: `No exporter has been able to read the certificate (check tls) or the key listing (check api_key_listing) of this target for ${failing.for}. The exporter keeps serving the last expiry it read, so an expiry already seen still alerts; one that was never read, or a renewal that went wrong since, does not. The exporter's scrape-target alert (DeepgramSourceDown) covers an exporter that is gone; this one covers an exporter that is up but blind.`,
        impact: 'None now. The certificate or key alerts for this target may miss an expiry while this lasts.',
        confirm: [
          { what: 'Failing checks and why (timeout, connection, http_status, too_large, parse)', promql: `${q.exporter(DGMON.expiryCheckSuccess.name)} == 0 or increase(${q.exporter(DGMON.expiryCheckFailures.name)}[1h]) > 0` },
          { what: 'The exporter log names the check, the target and the reason', shell: 'journalctl -u dgmon-exporter | grep "expiry check failed"   # or kubectl logs / docker logs' },
        ],
        causes: [
          'tls, connection: the proxy address or port changed, a firewall blocks the exporter, or the proxy is down (then the health check fails too).',
          'tls, timeout: the address answers TCP but not TLS (a plain-HTTP port, or a load balancer dropping the handshake).',
          'api_key_listing, http_status: the management key is wrong, expired or lacks keys:read (401/403), or the project id is wrong (404).',
          'api_key_listing, connection or timeout: no egress to api.deepgram.com from the exporter.',
          'api_key_listing, parse: something other than Deepgram\'s API answered (a captive proxy).',
        ],
        actions: [
          'For tls: `openssl s_client -connect <address> -servername <name>` from the exporter\'s host, and compare with exporter.expiry.tls.',
          'For the listing: the curl of DeepgramAPIKeyExpiringSoon\'s runbook with the same management key, from the exporter\'s host.',
          'Replace an expired management key the same way as any other key (it has an expiry too: declare it in exporter.expiry.apiKeys.declared so it is watched).',
        ],
        escalate: 'Fix within the business day; expiry alerts have days of lead time, but not forever.',
      },
    },
  ];
  return defs;
};
