// Deepgram API key expiry: keys declared in dgmon.yaml, and the hosted keys of a project read from Deepgram's
// management API. The management key is sent only as the Authorization header; errors carry our words and the HTTP
// status, never a URL with credentials or the upstream's text.
import { DGMON } from '../../core/catalog/index.ts';
import type { Sample } from '../../core/exposition/types.ts';
import { fetchText, SourceError } from '../fetch.ts';
import { parseJson } from './shapes.ts';
import type { ExpiryCheck } from './expiry-watch.ts';

export interface DeclaredKey {
  name: string;
  /** ISO 8601 date or date-time (validated by the config). */
  expires: string;
}

/** Declared keys need no check: their samples are fixed for the exporter's life. */
export function declaredKeySamples(keys: readonly DeclaredKey[]): Sample[] {
  return keys.map((k) => ({ name: DGMON.apiKeyExpiry.name, labels: { key: k.name, origin: 'config' }, value: Date.parse(k.expires) / 1000 }));
}

export interface KeyListing {
  baseUrl: string;
  projectId: string;
  managementKey: string;
  maxBytes: number;
  labelComments: boolean;
}

/**
 * GET {baseUrl}/v1/projects/{projectId}/keys?status=active. Shape verified against Deepgram's API reference ("List
 * Project Keys") and the @deepgram/sdk type GetProjectKeysResponse: `{ api_keys: [{ member: {member_id, email,
 * first_name, last_name}, api_key: { api_key_id, comment?, scopes, tags?, created, expiration_date? } }] }`, where
 * expiration_date is an ISO date-time and absent on keys that never expire. Only api_key_id (an identifier, not the
 * secret) and, when asked, the comment become labels; member data (names, e-mail) is never read.
 * Active keys only: an expired key stays listed until someone deletes it, and would otherwise page forever.
 */
export function keyListingCheck(listing: KeyListing): ExpiryCheck {
  const url = `${listing.baseUrl.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(listing.projectId)}/keys?status=active`;
  return {
    check: 'api_key_listing',
    target: listing.projectId,
    async run(signal) {
      const { body } = await fetchText(url, { signal, maxBytes: listing.maxBytes, accept: 'application/json', headers: { authorization: `Token ${listing.managementKey}` } });
      const keys = parseJson(body).api_keys;
      if (!Array.isArray(keys)) throw new SourceError('parse', 'answer has no "api_keys" list');
      const samples: Sample[] = [];
      for (const item of keys) {
        const key = (item as { api_key?: Record<string, unknown> } | null)?.api_key;
        if (!key || typeof key.api_key_id !== 'string' || typeof key.expiration_date !== 'string') continue;
        const expires = Date.parse(key.expiration_date);
        if (!Number.isFinite(expires)) continue;
        const labels: Record<string, string> = { key: key.api_key_id.slice(0, 100), origin: 'listing' };
        if (listing.labelComments && typeof key.comment === 'string') labels.comment = key.comment.slice(0, 200);
        samples.push({ name: DGMON.apiKeyExpiry.name, labels, value: expires / 1000 });
      }
      return samples;
    },
  };
}
