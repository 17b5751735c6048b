/**
 * The broker's own error type. The broker is self-contained (it imports nothing from the rest of
 * Tributary), so it defines its error here with the same stable code the library uses for broker
 * failures.
 */
export class BrokerError extends Error {
  readonly code = 'TRIBUTARY_BROKER' as const

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'BrokerError'
  }
}

/** A frame a client sent cannot be decoded; the connection that sent it is closed. */
export class ProtocolError extends BrokerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'ProtocolError'
  }
}

export function isBrokerError(error: unknown): error is BrokerError {
  return error instanceof Error && (error as { code?: unknown }).code === 'TRIBUTARY_BROKER'
}
