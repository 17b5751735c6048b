/**
 * Failures of the group coordinator itself (not protocol errors, which are answered to clients as
 * error codes). The code is the one the rest of Tributary uses for broker failures, so callers can
 * branch on `code` without importing this class.
 */
export class GroupCoordinatorError extends Error {
  readonly code = 'TRIBUTARY_BROKER' as const

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GroupCoordinatorError'
  }
}

/** The coordinator's persisted state in `dataDir` cannot be read or written. */
export class GroupStoreError extends GroupCoordinatorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'GroupStoreError'
  }
}
