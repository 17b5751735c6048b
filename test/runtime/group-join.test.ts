import { describe, expect, it } from 'vitest'
import type { Time } from '../../src/core/clock.js'
import { ConfigError, KafkaError, TaskMigratedError } from '../../src/core/errors.js'
import { joinGroupWithRetries } from '../../src/runtime/group-join.js'

/** A clock that moves only when the code under test sleeps. */
function fakeTime(): Time & { sleeps: number[] } {
  let now = 0
  const sleeps: number[] = []
  return {
    sleeps,
    nowMs: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
  }
}

const timedOut = () => new KafkaError('Joining group "app" failed: Request timed out.', { canRetry: true })

describe('joinGroupWithRetries', () => {
  it('retries retriable failures with a growing backoff until the join succeeds', async () => {
    const time = fakeTime()
    const failures = [timedOut(), new TaskMigratedError('UNKNOWN_MEMBER_ID'), timedOut()]
    const retried: number[] = []
    let attempts = 0
    await joinGroupWithRetries(
      async () => {
        attempts++
        const failure = failures.shift()
        if (failure !== undefined) throw failure
      },
      { taskTimeoutMs: 300_000, time, stopRequested: () => false, onRetry: (_, pauseMs) => retried.push(pauseMs) },
    )
    expect(attempts).toBe(4)
    expect(retried).toEqual(time.sleeps)
    expect(time.sleeps).toHaveLength(3)
    // 100 ms, 200 ms, 400 ms, each within the 20% jitter.
    time.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(100 * 2 ** i * 0.8)
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i * 1.2)
    })
  })

  it('throws at once what no retry fixes', async () => {
    const time = fakeTime()
    const denied = new KafkaError('Joining group "app" failed: another member uses the same groupInstanceId (FENCED_INSTANCE_ID).', { canRetry: false })
    await expect(joinGroupWithRetries(() => Promise.reject(denied), { taskTimeoutMs: 300_000, time, stopRequested: () => false })).rejects.toBe(denied)
    await expect(joinGroupWithRetries(() => Promise.reject(new ConfigError('bad')), { taskTimeoutMs: 300_000, time, stopRequested: () => false })).rejects.toBeInstanceOf(ConfigError)
    expect(time.sleeps).toEqual([])
  })

  it('gives up with the last failure once retriable failures have lasted taskTimeoutMs', async () => {
    const time = fakeTime()
    let attempts = 0
    const failing = joinGroupWithRetries(
      async () => {
        attempts++
        throw timedOut()
      },
      { taskTimeoutMs: 60_000, time, stopRequested: () => false },
    )
    await expect(failing).rejects.toThrow(/Request timed out/)
    expect(time.nowMs()).toBe(60_000)
    expect(attempts).toBeGreaterThan(10)
  })

  it('stops retrying, without an error, once close() is requested', async () => {
    const time = fakeTime()
    let stop = false
    let attempts = 0
    await joinGroupWithRetries(
      async () => {
        attempts++
        stop = attempts === 2
        throw timedOut()
      },
      { taskTimeoutMs: 300_000, time, stopRequested: () => stop },
    )
    expect(attempts).toBe(2)
  })
})
