// The simulator's "speech recogniser": it finds tone bursts in 16-bit PCM by their energy and names the n-th burst
// after the n-th of SPOKEN_WORDS. Fed chunk by chunk (streaming) or all at once (batch), it gives the same words with
// the same timings, so dgmon's generated clip has a known transcript end to end.
import { SPOKEN_WORDS } from '../core/audio/clip.ts';
import type { PcmFormat } from '../core/audio/wav.ts';

export interface Word {
  word: string;
  punctuated_word: string;
  start: number;
  end: number;
  confidence: number;
}

const FRAME_SECONDS = 0.01;
/** RMS above which a 10 ms frame counts as sound (the clip's bursts are at 0.35 RMS, its silence at 0). */
const VOICED_RMS = 0.05;
/** Silence that ends a word; shorter dips belong to the word. */
const END_OF_WORD_SECONDS = 0.05;

export class ToneRecognizer {
  private readonly frameSamples: number;
  private readonly bytesPerFrame: number;
  private carry = Buffer.alloc(0);
  private frames = 0;
  private wordStart?: number;
  private lastVoicedEnd = 0;
  private count = 0;

  constructor(private readonly format: PcmFormat) {
    this.frameSamples = Math.max(1, Math.round(format.sampleRate * FRAME_SECONDS));
    this.bytesPerFrame = this.frameSamples * format.channels * (format.bitsPerSample / 8);
  }

  /** Consumes PCM bytes; returns the words that ended within them. */
  push(pcm: Uint8Array): Word[] {
    const bytes = this.carry.length ? Buffer.concat([this.carry, pcm]) : Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    const done: Word[] = [];
    let at = 0;
    for (; at + this.bytesPerFrame <= bytes.length; at += this.bytesPerFrame) {
      const voiced = this.format.bitsPerSample === 16 && this.rms(bytes, at) > VOICED_RMS;
      const frameEnd = (++this.frames * this.frameSamples) / this.format.sampleRate;
      if (voiced) {
        this.wordStart ??= frameEnd - FRAME_SECONDS;
        this.lastVoicedEnd = frameEnd;
      } else if (this.wordStart !== undefined && frameEnd - this.lastVoicedEnd >= END_OF_WORD_SECONDS) {
        done.push(this.close());
      }
    }
    this.carry = Buffer.from(bytes.subarray(at));
    return done;
  }

  /** The end of the audio: a word still sounding is complete now. */
  end(): Word[] {
    return this.wordStart === undefined ? [] : [this.close()];
  }

  private close(): Word {
    const word = SPOKEN_WORDS[this.count % SPOKEN_WORDS.length] as string;
    const start = round(this.wordStart ?? 0);
    this.count++;
    this.wordStart = undefined;
    return { word, punctuated_word: word, start, end: round(this.lastVoicedEnd), confidence: 0.99 };
  }

  /** RMS of the first channel over one frame. */
  private rms(bytes: Buffer, at: number): number {
    const step = this.format.channels * 2;
    let sum = 0;
    for (let i = 0; i < this.frameSamples; i++) {
      const s = bytes.readInt16LE(at + i * step) / 32768;
      sum += s * s;
    }
    return Math.sqrt(sum / this.frameSamples);
  }
}

const round = (s: number) => Math.round(s * 1000) / 1000;

/** Deepgram's transcript text for a list of words; punctuate/smart_format capitalise and close the sentence. */
export function transcriptOf(words: Word[], punctuate: boolean): { transcript: string; words: Word[] } {
  if (!punctuate || words.length === 0) return { transcript: words.map((w) => w.word).join(' '), words };
  const punctuated = words.map((w, i) => {
    let p = i === 0 ? w.word.charAt(0).toUpperCase() + w.word.slice(1) : w.word;
    if (i === words.length - 1) p += '.';
    return { ...w, punctuated_word: p };
  });
  return { transcript: punctuated.map((w) => w.punctuated_word).join(' '), words: punctuated };
}
