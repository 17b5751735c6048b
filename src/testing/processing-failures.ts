import { ConfigError, isTributaryError, type ErrorCode } from '../core/errors.js'
import type { Headers } from '../core/record.js'

/** As `processingExceptionHandler` of KafkaStreams: stop, skip and count, or skip, count and dead-letter. */
export type ProcessingExceptionHandler = 'fail' | 'continue' | { readonly deadLetterTopic: string }

/**
 * The header names KafkaStreams puts on a dead letter (see the runtime's dead-letter records); the
 * driver writes the same ones so that a test can assert on them.
 */
export const DRIVER_DEAD_LETTER_HEADERS = {
  topic: '__tributary.errors.topic',
  partition: '__tributary.errors.partition',
  offset: '__tributary.errors.offset',
  exception: '__tributary.errors.exception',
  message: '__tributary.errors.message',
} as const

/** Errors about the driver or a store rather than the record: never skipped, as in KafkaStreams. */
const NOT_SKIPPABLE: readonly ErrorCode[] = ['TRIBUTARY_STATE', 'TRIBUTARY_ILLEGAL_STATE', 'TRIBUTARY_PRODUCTION', 'TRIBUTARY_KAFKA', 'TRIBUTARY_TIMEOUT']

/** The input record being processed when a processor threw. */
export interface FailedInput {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
}

export function validateProcessingHandler(handler: unknown): ProcessingExceptionHandler {
  const value = handler ?? 'fail'
  if (value === 'fail' || value === 'continue') return value
  const topic = typeof value === 'object' && value !== null ? (value as { deadLetterTopic?: unknown }).deadLetterTopic : undefined
  if (typeof topic === 'string' && /^[A-Za-z0-9._-]+$/.test(topic)) return { deadLetterTopic: topic }
  throw new ConfigError(`processingExceptionHandler must be 'fail', 'continue' or { deadLetterTopic: 'name' }, got ${JSON.stringify(handler)}.`)
}

/**
 * Applies the processing exception handler in the test driver: rethrows under 'fail', otherwise
 * counts the failure and, for a dead-letter topic, writes the input record as it was piped.
 */
export class ProcessingFailures {
  count = 0

  constructor(
    private readonly handler: ProcessingExceptionHandler,
    private readonly deadLetter: (topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers) => void,
  ) {}

  /** A punctuation has no input record: 'continue' and a dead-letter topic both skip it and count it. */
  handlePunctuation(error: unknown): void {
    if (this.handler === 'fail' || (isTributaryError(error) && NOT_SKIPPABLE.includes(error.code))) throw error
    this.count++
  }

  handle(error: unknown, input: FailedInput): void {
    if (this.handler === 'fail' || (isTributaryError(error) && NOT_SKIPPABLE.includes(error.code))) throw error
    this.count++
    if (this.handler === 'continue') return
    // The task wraps what a processor threw in a ProcessingError: name the original error.
    const original = isTributaryError(error, 'TRIBUTARY_PROCESSING') && error.cause !== undefined ? error.cause : error
    const exception = original instanceof Error ? original.name || original.constructor.name : typeof original
    const message = original instanceof Error ? original.message : String(original)
    const h = DRIVER_DEAD_LETTER_HEADERS
    this.deadLetter(this.handler.deadLetterTopic, input.key, input.value, input.timestamp, {
      ...input.headers,
      [h.topic]: Buffer.from(input.topic),
      [h.partition]: Buffer.from(String(input.partition)),
      [h.offset]: Buffer.from(String(input.offset)),
      [h.exception]: Buffer.from(exception),
      [h.message]: Buffer.from(message),
    })
  }
}
