import type { Headers } from '../core/record.js'
import type { CollectedRecord, RawHeader, RawRecord } from './types.js'

/** Header names a dead-letter record carries, besides the original record's own headers. */
export const DEAD_LETTER_HEADERS = {
  topic: '__tributary.errors.topic',
  partition: '__tributary.errors.partition',
  offset: '__tributary.errors.offset',
  exception: '__tributary.errors.exception',
  message: '__tributary.errors.message',
} as const

/** Wire headers as the object processors see; a repeated key keeps its last value, a null value becomes empty. */
export function headersOf(raw: readonly RawHeader[]): Headers {
  const headers: Headers = {}
  for (const [key, value] of raw) headers[key] = value ?? Buffer.alloc(0)
  return headers
}

/**
 * A record that could not be deserialized, for the dead-letter topic: its original key and value
 * bytes, timestamp and headers, plus headers saying where it came from and what failed.
 */
export function deadLetterRecord(deadLetterTopic: string, raw: RawRecord, error: unknown): CollectedRecord {
  const exception = error instanceof Error ? error.name || error.constructor.name : typeof error
  const message = error instanceof Error ? error.message : String(error)
  return {
    topic: deadLetterTopic,
    key: raw.key,
    value: raw.value,
    timestamp: raw.timestamp,
    headers: {
      ...headersOf(raw.headers),
      [DEAD_LETTER_HEADERS.topic]: Buffer.from(raw.topic),
      [DEAD_LETTER_HEADERS.partition]: Buffer.from(String(raw.partition)),
      [DEAD_LETTER_HEADERS.offset]: Buffer.from(String(raw.offset)),
      [DEAD_LETTER_HEADERS.exception]: Buffer.from(exception),
      [DEAD_LETTER_HEADERS.message]: Buffer.from(message),
    },
  }
}
