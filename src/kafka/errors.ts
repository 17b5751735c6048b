import { KafkaAuthenticationError, KafkaError, TaskMigratedError, type TributaryError, isTributaryError } from '../core/errors.js'

/** Broker error names that mean another instance owns the work now (fencing or a new generation). */
const migratedApiIds = [
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
] as const

interface ClientErrorShape {
  message?: unknown
  code?: unknown
  canRetry?: unknown
  apiId?: unknown
  serverErrorMessage?: unknown
  errors?: unknown
  findBy?: (property: string, value: unknown) => unknown
}

/** The broker error names (e.g. `PRODUCER_FENCED`) found anywhere in a client error. */
export function brokerErrorNames(error: unknown): string[] {
  const names: string[] = []
  const visit = (e: unknown, depth: number): void => {
    if (typeof e !== 'object' || e === null || depth > 5) return
    const shape = e as ClientErrorShape
    if (typeof shape.apiId === 'string') names.push(shape.apiId)
    if (Array.isArray(shape.errors)) for (const inner of shape.errors) visit(inner, depth + 1)
    visit((e as { cause?: unknown }).cause, depth + 1)
  }
  visit(error, 0)
  return names
}

/**
 * Network failures, including a request that timed out. The client marks its request timeouts as
 * not retriable (and gives them the network code); Kafka's clients treat a timeout as retriable,
 * and so does Tributary: a broker that restarts, or holds a JoinGroup until a dead member's session
 * expires, answers a later attempt.
 */
const networkErrorCodes: readonly unknown[] = ['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']

/** True when the client itself marked the error (or any error it wraps) as retriable, or it is a network failure. */
function clientSaysRetriable(error: unknown): boolean {
  let retriable = false
  const visit = (e: unknown, depth: number): void => {
    if (typeof e !== 'object' || e === null || depth > 5) return
    const shape = e as ClientErrorShape
    if (shape.canRetry === true || networkErrorCodes.includes(shape.code)) retriable = true
    if (Array.isArray(shape.errors)) for (const inner of shape.errors) visit(inner, depth + 1)
    visit((e as { cause?: unknown }).cause, depth + 1)
  }
  visit(error, 0)
  return retriable
}

/** Node's codes for a server certificate it does not trust or that names another host. */
const certificateErrorCodes: ReadonlySet<unknown> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * A refused SASL authentication or an untrusted certificate somewhere in a client error, with
 * what the broker or Node said. The client wraps both in a retriable network error, but no retry
 * can fix credentials or trust: they must fail at once, saying which settings to check.
 */
function authenticationFailure(error: unknown): { reason: 'sasl' | 'tls' | 'provider'; detail: string } | undefined {
  let found: { reason: 'sasl' | 'tls' | 'provider'; detail: string } | undefined
  const visit = (e: unknown, depth: number): void => {
    if (found !== undefined || typeof e !== 'object' || e === null || depth > 6) return
    const shape = e as ClientErrorShape
    const message = typeof shape.message === 'string' ? shape.message.replace(/\.+$/, '') : ''
    if (shape.code === 'PLT_KFK_AUTHENTICATION' && /^The SASL\/\S+ .*provider /.test(message)) {
      // The application's own token (or credential) provider failed, not the broker: an identity
      // provider that is down for a moment answers the next attempt.
      const cause = (e as { cause?: unknown }).cause
      found = { reason: 'provider', detail: cause instanceof Error ? `${message}: ${cause.message}` : message }
    } else if (shape.code === 'PLT_KFK_AUTHENTICATION') {
      // The broker's own message when it sent one (SaslAuthenticate), else its error names (SaslHandshake).
      const said = serverMessages(e)
      const names = said.length === 0 ? [...new Set(brokerErrorNames(e))] : []
      found = { reason: 'sasl', detail: [message, ...said].filter((m) => m !== '').join(': ') + (names.length === 0 ? '' : `, ${names.join(', ')}`) }
    } else if (certificateErrorCodes.has(shape.code)) {
      found = { reason: 'tls', detail: `${message} (${String(shape.code)})` }
    }
    if (Array.isArray(shape.errors)) for (const inner of shape.errors) visit(inner, depth + 1)
    visit((e as { cause?: unknown }).cause, depth + 1)
  }
  visit(error, 0)
  return found
}

/** What the broker said about a refused authentication (SaslAuthenticate's error message). */
function serverMessages(error: unknown): string[] {
  const messages: string[] = []
  const visit = (e: unknown, depth: number): void => {
    if (typeof e !== 'object' || e === null || depth > 5) return
    const shape = e as ClientErrorShape
    if (typeof shape.serverErrorMessage === 'string' && shape.serverErrorMessage !== '') messages.push(shape.serverErrorMessage)
    if (Array.isArray(shape.errors)) for (const inner of shape.errors) visit(inner, depth + 1)
    visit((e as { cause?: unknown }).cause, depth + 1)
  }
  visit(error, 0)
  return messages
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // The client's messages end with a full stop of their own; ours follows.
    const message = error.message.replace(/\.+$/, '')
    const names = brokerErrorNames(error)
    return names.length > 0 ? `${message} (${[...new Set(names)].join(', ')})` : message
  }
  return String(error)
}

/**
 * Turns whatever the Kafka client threw into a Tributary error: `TaskMigratedError` when the
 * producer was fenced or the consumer fell out of its generation, otherwise `KafkaError` with
 * `canRetry` as the client judged it. Tributary errors pass through unchanged.
 */
export function toKafkaError(operation: string, error: unknown): TributaryError {
  if (isTributaryError(error)) return error
  const refused = authenticationFailure(error)
  if (refused?.reason === 'sasl') {
    return new KafkaAuthenticationError(
      `${operation} failed: the brokers refused SASL authentication (${refused.detail}). ` +
        'Check sasl.mechanism, sasl.username and sasl.password (or sasl.token), and that the listener accepts that mechanism.',
      'sasl',
      { cause: error },
    )
  }
  if (refused?.reason === 'provider') {
    return new KafkaError(`${operation} failed: ${refused.detail}. It is asked again when the operation is retried.`, { cause: error, canRetry: true })
  }
  if (refused?.reason === 'tls') {
    return new KafkaAuthenticationError(
      `${operation} failed: the brokers' TLS certificate is not trusted (${refused.detail}). ` +
        "Give tls.ca the CA that signed the brokers' certificates, or tls.servername the name they carry.",
      'tls',
      { cause: error },
    )
  }
  const names = brokerErrorNames(error)
  if (names.includes('FENCED_INSTANCE_ID')) {
    // Another live member joined with this groupInstanceId: two instances share one, which no retry fixes.
    return new KafkaError(
      `${operation} failed: another member of the group uses the same groupInstanceId (FENCED_INSTANCE_ID). Give every instance its own groupInstanceId.`,
      { cause: error, canRetry: false },
    )
  }
  const migrated = names.find((name) => (migratedApiIds as readonly string[]).includes(name))
  if (migrated !== undefined) {
    return new TaskMigratedError(
      `${operation} failed because another instance took over (${migrated}); close the affected tasks and rejoin the group.`,
      { cause: error },
    )
  }
  return new KafkaError(
    `${operation} failed: ${describe(error)}. Check that the Kafka cluster is reachable and healthy.`,
    { cause: error, canRetry: clientSaysRetriable(error) },
  )
}

/**
 * Runs a client call and maps its failure with `toKafkaError`. With `deadlineMs`, a call that
 * neither resolves nor rejects in time fails with a retriable `KafkaError`: some client paths
 * (an idempotent send to a broker that went away) otherwise never settle.
 */
export async function callKafka<T>(operation: string, call: () => Promise<T>, deadlineMs?: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    const pending = call()
    if (deadlineMs === undefined) return await pending
    // The abandoned call may still reject later; that must not become an unhandled rejection.
    pending.catch(() => undefined)
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new KafkaError(
            `${operation} did not complete within ${deadlineMs} ms. Check that the Kafka cluster is reachable and healthy; the operation may be retried.`,
            { canRetry: true },
          ),
        )
      }, deadlineMs)
      timer.unref()
    })
    return await Promise.race([pending, expired])
  } catch (error) {
    throw toKafkaError(operation, error)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A read asked for an offset outside the partition's log, usually below its start after
 * DeleteRecords or retention. A restoring task should wipe its state and restore from the
 * earliest offset.
 */
export class OffsetOutOfRangeError extends KafkaError {
  readonly topic: string
  readonly partition: number
  readonly offset: bigint

  constructor(topic: string, partition: number, offset: bigint) {
    super(
      `Offset ${offset} of ${topic}-${partition} is outside the log (its records were deleted or expired). Read from the earliest offset instead; a restoring store must be rebuilt from there.`,
    )
    this.name = 'OffsetOutOfRangeError'
    this.topic = topic
    this.partition = partition
    this.offset = offset
  }
}
