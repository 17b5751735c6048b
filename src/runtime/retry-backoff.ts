import { isTributaryError } from '../core/errors.js'

export interface RetryBackoffOptions {
  /** How long failures may go on, uninterrupted by a success, before `failed` gives up. */
  readonly taskTimeoutMs: number
  /** First pause (Kafka's `retry.backoff.ms`). Default 100. */
  readonly initialMs?: number
  /** Largest pause (Kafka's `retry.backoff.max.ms`). Default 1000. */
  readonly maxMs?: number
  /** Each pause is moved by up to this fraction either way, so instances do not retry in step. Default 0.2. */
  readonly jitter?: number
  readonly random?: () => number
  readonly nowMs?: () => number
}

/** True for the failures worth retrying: the Kafka adapter (or the broker) said the same call may succeed later. */
export function isRetriable(error: unknown): boolean {
  return isTributaryError(error) && error.canRetry
}

/**
 * Exponential backoff between retries of the processing loop, bounded and jittered, with a
 * deadline: `failed()` returns the pause before the next attempt, or `undefined` once failures
 * have lasted `taskTimeoutMs` since the first of them, when the caller stops retrying. A
 * success resets both the pause and the deadline.
 */
export class RetryBackoff {
  private attempts = 0
  private firstFailureMs: number | undefined
  private readonly initialMs: number
  private readonly maxMs: number
  private readonly jitter: number
  private readonly random: () => number
  private readonly nowMs: () => number

  constructor(private readonly options: RetryBackoffOptions) {
    this.initialMs = options.initialMs ?? 100
    this.maxMs = Math.max(options.maxMs ?? 1_000, this.initialMs)
    this.jitter = options.jitter ?? 0.2
    this.random = options.random ?? Math.random
    this.nowMs = options.nowMs ?? Date.now
  }

  /** True while failures are being retried (no success since the first of them). */
  get failing(): boolean {
    return this.firstFailureMs !== undefined
  }

  /** Records a failure; the pause before the next attempt, or undefined when the deadline has passed. */
  failed(): number | undefined {
    const now = this.nowMs()
    this.firstFailureMs ??= now
    const elapsed = now - this.firstFailureMs
    if (elapsed >= this.options.taskTimeoutMs) return undefined
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts, 30))
    this.attempts++
    const jittered = base * (1 - this.jitter + 2 * this.jitter * this.random())
    // Never sleep past the deadline: the last attempt happens right at it.
    return Math.max(0, Math.min(Math.round(jittered), this.options.taskTimeoutMs - elapsed))
  }

  succeeded(): void {
    this.attempts = 0
    this.firstFailureMs = undefined
  }
}
