import { ConfigError, isTributaryError, ProcessingError, ProductionError, type ErrorCode } from '../core/errors.js'
/**
 * What to do with a record whose key or value cannot be deserialized: stop the task ('fail'),
 * skip and count it ('continue'), or skip it, count it and send its original bytes to a
 * dead-letter topic with headers describing the failure.
 */
export type DeserializationExceptionHandler = 'fail' | 'continue' | { readonly deadLetterTopic: string }

/**
 * What to do when a processor throws while processing a record (Kafka Streams' KIP-1033): stop the
 * instance ('fail'), skip the record and count it ('continue'), or skip it, count it and send the
 * input record's original bytes to a dead-letter topic with headers describing the failure.
 */
export type ProcessingExceptionHandler = 'fail' | 'continue' | { readonly deadLetterTopic: string }

/**
 * What to do with a record the producer refuses (Kafka Streams' KIP-210 / KIP-399): a key or value
 * a sink cannot serialize, or a send the cluster rejects for good (e.g. a record too large).
 * 'continue' drops the record and counts it; 'fail' stops the instance.
 */
export type ProductionExceptionHandler = 'fail' | 'continue'

/** The three handlers, resolved (defaults filled in). */
export interface ExceptionHandlers {
  readonly deserializationExceptionHandler: DeserializationExceptionHandler
  readonly processingExceptionHandler: ProcessingExceptionHandler
  readonly productionExceptionHandler: ProductionExceptionHandler
}

function isDeadLetterChoice(handler: unknown): handler is { readonly deadLetterTopic: string } {
  if (typeof handler !== 'object' || handler === null) return false
  const topic = (handler as { deadLetterTopic?: unknown }).deadLetterTopic
  return typeof topic === 'string' && /^[A-Za-z0-9._-]+$/.test(topic)
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/** Validates the handler options of a config; every problem is a ConfigError saying what to write instead. */
export function resolveExceptionHandlers(config: {
  readonly deserializationExceptionHandler?: unknown
  readonly processingExceptionHandler?: unknown
  readonly productionExceptionHandler?: unknown
}): ExceptionHandlers {
  const choice = (name: string, value: unknown): 'fail' | 'continue' | { readonly deadLetterTopic: string } => {
    const handler = value ?? 'fail'
    if (handler === 'fail' || handler === 'continue' || isDeadLetterChoice(handler)) return handler
    throw new ConfigError(
      `${name} must be 'fail', 'continue' or { deadLetterTopic: 'name' } (a topic name of letters, digits, ".", "_" or "-"), got ${describe(value)}.`,
    )
  }
  const production = config.productionExceptionHandler ?? 'fail'
  if (production !== 'fail' && production !== 'continue') {
    throw new ConfigError(
      `productionExceptionHandler must be 'fail' or 'continue', got ${describe(production)}. A record the producer refuses has no dead-letter option: ` +
        `it could not be produced in the first place.`,
    )
  }
  return {
    deserializationExceptionHandler: choice('deserializationExceptionHandler', config.deserializationExceptionHandler),
    processingExceptionHandler: choice('processingExceptionHandler', config.processingExceptionHandler),
    productionExceptionHandler: production,
  }
}

/**
 * Errors that say something about the instance, not about the record being processed: skipping the
 * record would not help (or would hide lost data), so they always stop the instance.
 */
const INFRASTRUCTURE_CODES: readonly ErrorCode[] = [
  'TRIBUTARY_KAFKA',
  'TRIBUTARY_TASK_MIGRATED',
  'TRIBUTARY_TIMEOUT',
  'TRIBUTARY_STATE',
  'TRIBUTARY_PRODUCTION',
  'TRIBUTARY_ILLEGAL_STATE',
]

/** True when the processing exception handler may decide about `error` (thrown by user code or an operator). */
export function isRecordProcessingFailure(error: unknown): boolean {
  return !isTributaryError(error) || !INFRASTRUCTURE_CODES.includes(error.code)
}

/** The ProcessingError to stop with under 'fail', saying how to skip such records instead. */
export function processingFailure(error: unknown, where: string): unknown {
  if (isTributaryError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ProcessingError(
    `${where} failed: ${message} Fix the processor, or set processingExceptionHandler to 'continue' (skip and count) or { deadLetterTopic } ` +
      `(skip, count and keep the input record).`,
    { cause: error },
  )
}

/** The ProductionError to stop with when a sink cannot serialize a record under 'fail'. */
export function serializationFailure(error: unknown, topic: string, where: string): ProductionError {
  const message = error instanceof Error ? error.message : String(error)
  return new ProductionError(
    `A record for topic "${topic}" could not be serialized (${where}): ${message} Fix the sink's serde, or set productionExceptionHandler to ` +
      `'continue' to drop and count such records.`,
    { cause: error },
  )
}
