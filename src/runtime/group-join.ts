import type { Time } from '../core/clock.js'
import { isRetriable, RetryBackoff } from './retry-backoff.js'

export interface GroupJoinOptions {
  /** How long joining may keep failing with retriable errors before it gives up (Kafka Streams' `task.timeout.ms`). */
  readonly taskTimeoutMs: number
  readonly time: Time
  /** True once `close()` was called: joining stops retrying and returns. */
  readonly stopRequested: () => boolean
  /** Told of each failed attempt that will be retried. */
  readonly onRetry?: (error: unknown, pauseMs: number) => void
}

/**
 * Joins the consumer group, retrying what may succeed later: a JoinGroup the broker held past
 * the request timeout (it waits for a dead member's session to expire), a coordinator that moved
 * or is loading, a broker that is restarting. Only what no retry fixes (authorization, a shared
 * groupInstanceId, a config error), or retriable failures that last `taskTimeoutMs`, are thrown.
 */
export async function joinGroupWithRetries(join: () => Promise<void>, options: GroupJoinOptions): Promise<void> {
  const backoff = new RetryBackoff({ taskTimeoutMs: options.taskTimeoutMs, nowMs: () => options.time.nowMs(), maxMs: 5_000 })
  for (;;) {
    try {
      await join()
      return
    } catch (error) {
      if (options.stopRequested()) return
      const pauseMs = isRetriable(error) ? backoff.failed() : undefined
      if (pauseMs === undefined) throw error
      options.onRetry?.(error, pauseMs)
      await options.time.sleep(pauseMs)
      if (options.stopRequested()) return
    }
  }
}
