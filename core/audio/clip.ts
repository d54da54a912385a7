// dgmon's own test clip, synthesised in code (nothing downloaded): 16 kHz mono 16-bit PCM, a few tone bursts ("words")
// between stretches of silence. The simulator hears each burst as one word of SPOKEN_WORDS, in order, so a client or a
// probe can check the transcript it gets back; a real Deepgram hears tones as silence and answers an empty transcript.
import { encodeWav } from './wav.ts';

/** The words the simulator's recogniser assigns to the 1st, 2nd, … tone burst of a stream or file. */
export const SPOKEN_WORDS = ['alfa', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'] as const;

export interface ClipOptions {
  /** Tone bursts, 1 to SPOKEN_WORDS.length (default 3). */
  words?: number;
  sampleRate?: number;
  /** Seconds of each burst and of the silence before each burst and at the end. */
  wordSeconds?: number;
  gapSeconds?: number;
}

export interface Clip {
  wav: Buffer;
  sampleRate: number;
  durationSeconds: number;
  /** What the simulator transcribes this clip as. */
  transcript: string;
}

/** Synthesises the clip; the same options always give the same bytes. */
export function synthesizeClip(options: ClipOptions = {}): Clip {
  const words = options.words ?? 3;
  const sampleRate = options.sampleRate ?? 16_000;
  const wordSeconds = options.wordSeconds ?? 0.45;
  const gapSeconds = options.gapSeconds ?? 0.3;
  if (!Number.isInteger(words) || words < 1 || words > SPOKEN_WORDS.length) throw new Error(`words must be an integer from 1 to ${SPOKEN_WORDS.length}, got ${words}`);
  const gap = Math.round(gapSeconds * sampleRate);
  const word = Math.round(wordSeconds * sampleRate);
  const samples = new Float32Array(gap + words * (word + gap));
  for (let w = 0; w < words; w++) {
    const start = gap + w * (word + gap);
    const hz = 330 + 110 * w;
    // A short fade in and out keeps the bursts free of clicks (and their edges easy to find by energy).
    const fade = Math.round(0.01 * sampleRate);
    for (let i = 0; i < word; i++) {
      const envelope = Math.min(1, i / fade, (word - 1 - i) / fade);
      samples[start + i] = 0.5 * envelope * Math.sin((2 * Math.PI * hz * i) / sampleRate);
    }
  }
  return { wav: encodeWav(samples, sampleRate), sampleRate, durationSeconds: samples.length / sampleRate, transcript: SPOKEN_WORDS.slice(0, words).join(' ') };
}
