/**
 * Times in store keys: 8 bytes, big-endian, unsigned, so byte order is time order. Written as two
 * 32-bit halves to stay in plain numbers (no BigInt per record).
 */
import { StateStoreError } from '../../core/errors.js'

const TWO_POW_32 = 4294967296

export const TIME_BYTES = 8

export function writeTime(target: Buffer, offset: number, time: number): void {
  if (!(time >= 0) || !Number.isSafeInteger(time)) {
    throw new StateStoreError(
      `Window and session times must be whole non-negative milliseconds, got ${time}. ` +
        `Check the timestamp extractor and the window definition.`,
    )
  }
  target.writeUInt32BE(Math.floor(time / TWO_POW_32), offset)
  target.writeUInt32BE(time % TWO_POW_32, offset + 4)
}

export function readTime(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * TWO_POW_32 + source.readUInt32BE(offset + 4)
}

/** The largest time a key can hold: upper bounds of scans use it. */
export const MAX_TIME = Number.MAX_SAFE_INTEGER

/** Clamps a query bound into the encodable range (queries may pass 0 - gap or Infinity). */
export function clampTime(time: number): number {
  if (!(time > 0)) return 0
  return time > MAX_TIME ? MAX_TIME : Math.floor(time)
}
