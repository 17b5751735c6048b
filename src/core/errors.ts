/**
 * Every error Tributary throws carries a stable `code` from this list, so callers can branch on
 * the code (which survives bundling, worker boundaries and duplicate package copies) instead of
 * on `instanceof`.
 */
export const errorCodes = [
  'TRIBUTARY_CONFIG',
  'TRIBUTARY_CLI',
  'TRIBUTARY_TOPOLOGY',
  'TRIBUTARY_SERDE',
  'TRIBUTARY_STATE',
  'TRIBUTARY_PROCESSING',
  'TRIBUTARY_PRODUCTION',
  'TRIBUTARY_KAFKA',
  'TRIBUTARY_BROKER',
  'TRIBUTARY_REGISTRY',
  'TRIBUTARY_TASK_MIGRATED',
  'TRIBUTARY_ILLEGAL_STATE',
  'TRIBUTARY_TIMEOUT',
] as const

export type ErrorCode = (typeof errorCodes)[number]

export interface TributaryErrorOptions {
  cause?: unknown
  /** True when the same operation may succeed if tried again (e.g. a broker that is restarting). */
  canRetry?: boolean
}

const kTributaryError = Symbol.for('tributary.error')

/**
 * Base class of all Tributary errors. The message says what went wrong and what to do about it;
 * `code` is stable across releases; `cause` keeps the underlying error.
 *
 * @example
 * try { builder.build() } catch (e) { if (isTributaryError(e, 'TRIBUTARY_TOPOLOGY')) ... }
 */
export class TributaryError extends Error {
  readonly code: ErrorCode
  readonly canRetry: boolean
  readonly [kTributaryError] = true

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'TributaryError'
    this.code = code
    this.canRetry = options.canRetry ?? false
  }
}

/** A configuration value is missing, of the wrong type or out of range. */
export class ConfigError extends TributaryError {
  static readonly code = 'TRIBUTARY_CONFIG' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(ConfigError.code, message, options)
    this.name = 'ConfigError'
  }
}

/** The command line could not be understood (unknown command, unknown or malformed flag). */
export class CliError extends TributaryError {
  static readonly code = 'TRIBUTARY_CLI' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(CliError.code, message, options)
    this.name = 'CliError'
  }
}

/** The DSL was used in a way that cannot compile into a topology; names the operator at fault. */
export class TopologyError extends TributaryError {
  static readonly code = 'TRIBUTARY_TOPOLOGY' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(TopologyError.code, message, options)
    this.name = 'TopologyError'
  }
}

/** Bytes could not be turned into a value, or a value into bytes. */
export class SerdeError extends TributaryError {
  static readonly code = 'TRIBUTARY_SERDE' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(SerdeError.code, message, options)
    this.name = 'SerdeError'
  }
}

/** A state store failed (closed, corrupt, unknown, or its backing storage errored). */
export class StateStoreError extends TributaryError {
  static readonly code = 'TRIBUTARY_STATE' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(StateStoreError.code, message, options)
    this.name = 'StateStoreError'
  }
}

/**
 * A `KTable.suppress` buffer configured to shut down when full (`BufferConfig...shutDownWhenFull()`)
 * went over its `maxRecords` or `maxBytes`: Kafka Streams' StreamsException "... buffer exceeded its
 * max capacity". It stops the task whatever the processing exception handler (the record is already
 * held, so skipping it cannot help). The counts are as they were when the bound was crossed.
 */
export class SuppressionBufferFullError extends StateStoreError {
  constructor(
    message: string,
    /** The suppress operator, e.g. `KTABLE-SUPPRESS-0000000003`. */
    readonly nodeName: string,
    readonly numRecords: number,
    readonly maxRecords: number,
    /** The buffer's size by Kafka Streams' accounting; only counted under a `maxBytes` bound (else 0). */
    readonly bufferSizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(message)
    this.name = 'SuppressionBufferFullError'
  }
}

/** User code (a mapper, aggregator, processor) threw while processing a record. */
export class ProcessingError extends TributaryError {
  static readonly code = 'TRIBUTARY_PROCESSING' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(ProcessingError.code, message, options)
    this.name = 'ProcessingError'
  }
}

/** A record could not be sent to Kafka. */
export class ProductionError extends TributaryError {
  static readonly code = 'TRIBUTARY_PRODUCTION' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(ProductionError.code, message, options)
    this.name = 'ProductionError'
  }
}

/** Talking to the Kafka cluster failed. */
export class KafkaError extends TributaryError {
  static readonly code = 'TRIBUTARY_KAFKA' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(KafkaError.code, message, options)
    this.name = 'KafkaError'
  }
}

/**
 * The cluster refused this client's SASL credentials (`reason: 'sasl'`), or the TLS handshake
 * failed: an untrusted or mismatched certificate, TLS to a plaintext listener (`reason: 'tls'`).
 * A `KafkaError` (same code) that is never retried: the settings must change.
 */
export class KafkaAuthenticationError extends KafkaError {
  readonly reason: 'sasl' | 'tls'
  constructor(message: string, reason: 'sasl' | 'tls', options?: TributaryErrorOptions) {
    super(message, { ...options, canRetry: false })
    this.name = 'KafkaAuthenticationError'
    this.reason = reason
  }
}

/** A task's partitions moved to another instance (rebalance or fencing); the task must be closed. */
export class TaskMigratedError extends TributaryError {
  static readonly code = 'TRIBUTARY_TASK_MIGRATED' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(TaskMigratedError.code, message, { canRetry: true, ...options })
    this.name = 'TaskMigratedError'
  }
}

/** An operation was called in a state that does not allow it (e.g. `start()` twice). */
export class IllegalStateError extends TributaryError {
  static readonly code = 'TRIBUTARY_ILLEGAL_STATE' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(IllegalStateError.code, message, options)
    this.name = 'IllegalStateError'
  }
}

/** An operation did not complete within its deadline. */
export class TimeoutError extends TributaryError {
  static readonly code = 'TRIBUTARY_TIMEOUT' as const
  constructor(message: string, options?: TributaryErrorOptions) {
    super(TimeoutError.code, message, { canRetry: true, ...options })
    this.name = 'TimeoutError'
  }
}

/**
 * True when `error` is a Tributary error (optionally with the given code). Works across copies of
 * the package, where `instanceof` would not.
 */
export function isTributaryError(error: unknown, code?: ErrorCode): error is TributaryError {
  if (typeof error !== 'object' || error === null) return false
  const e = error as { [kTributaryError]?: unknown; code?: unknown }
  if (e[kTributaryError] !== true) return false
  return code === undefined || e.code === code
}
