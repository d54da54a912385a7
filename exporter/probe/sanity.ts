// The probe's transcript check: a transcript of a known clip must not be empty and must hold the words it is known to
// contain. Case and punctuation are ignored (smart formatting and punctuation change them, not the words).
import type { TRANSCRIPT_CHECKS } from '../../core/catalog/index.ts';

export type TranscriptCheck = (typeof TRANSCRIPT_CHECKS)[number];

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}'-]/gu, ''))
    .filter((w) => w !== '');

export function checkTranscript(transcript: string, expectedWords: readonly string[]): TranscriptCheck {
  const heard = new Set(words(transcript));
  if (heard.size === 0) return 'empty';
  return expectedWords.flatMap(words).every((w) => heard.has(w)) ? 'ok' : 'missing_words';
}
