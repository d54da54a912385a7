// WAV (RIFF, PCM) in both directions: wrapping 16-bit PCM samples in a header, and reading a header back to learn an
// audio's format and duration. Enough for dgmon's own generated clips and for the simulator to price what it is sent;
// not a general decoder (no compressed formats, no WAVE_FORMAT_EXTENSIBLE sub-formats).

export interface PcmFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export interface WavInfo extends PcmFormat {
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data (as the data chunk declares it, cut to what the buffer holds). */
  dataBytes: number;
  durationSeconds: number;
}

const HEADER_BYTES = 44;

/** A canonical 44-byte-header WAV holding `samples` as 16-bit little-endian PCM (values clamped to -1..1). */
export function encodeWav(samples: Float32Array | readonly number[], sampleRate: number): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(HEADER_BYTES + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16); // fmt chunk size for PCM
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28); // byte rate
  out.writeUInt16LE(2, 32); // block align
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    out.writeInt16LE(Math.round(s * 32767), HEADER_BYTES + i * 2);
  }
  return out;
}

/** Reads a RIFF/WAVE header; undefined when the bytes are not a PCM WAV this module understands. */
export function parseWav(bytes: Uint8Array): WavInfo | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let format: PcmFormat | undefined;
  // Chunks follow one another, each padded to an even length; LIST/fact chunks may come before data.
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      const audioFormat = buf.readUInt16LE(body);
      if (audioFormat !== 1 && audioFormat !== 0xfffe) return undefined;
      format = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bitsPerSample: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.sampleRate === 0 || format.channels === 0 || format.bitsPerSample === 0) return undefined;
      const dataBytes = Math.min(size, buf.length - body);
      const bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
      return { ...format, dataOffset: body, dataBytes, durationSeconds: dataBytes / bytesPerSecond };
    }
    at = body + size + (size % 2);
  }
  return undefined;
}

/** Seconds of audio in `bytes` of raw PCM of the given format. */
export function pcmDurationSeconds(bytes: number, format: PcmFormat): number {
  return bytes / (format.sampleRate * format.channels * (format.bitsPerSample / 8));
}
