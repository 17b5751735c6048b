import { describe, expect, it } from 'vitest'
import { KafkaError, ProcessingError, TaskMigratedError } from '../../src/core/errors.js'
import { isRetriable, RetryBackoff } from '../../src/runtime/retry-backoff.js'

function clock(start = 0) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

describe('RetryBackoff', () => {
  it('doubles the pause from the initial one up to the maximum', () => {
    const time = clock()
    const backoff = new RetryBackoff({ taskTimeoutMs: 60_000, initialMs: 100, maxMs: 1_000, jitter: 0, nowMs: time.now })
    const pauses = []
    for (let i = 0; i < 6; i++) pauses.push(backoff.failed())
    expect(pauses).toEqual([100, 200, 400, 800, 1_000, 1_000])
  })

  it('moves each pause by at most the jitter fraction either way', () => {
    const low = new RetryBackoff({ taskTimeoutMs: 60_000, initialMs: 1_000, jitter: 0.2, random: () => 0 })
    const high = new RetryBackoff({ taskTimeoutMs: 60_000, initialMs: 1_000, maxMs: 1_000, jitter: 0.2, random: () => 0.999999 })
    expect(low.failed()).toBe(800)
    expect(high.failed()).toBe(1_200)
  })

  it('gives up once failures have lasted taskTimeoutMs, never pausing past the deadline', () => {
    const time = clock(5_000)
    const backoff = new RetryBackoff({ taskTimeoutMs: 1_000, initialMs: 400, maxMs: 400, jitter: 0, nowMs: time.now })
    expect(backoff.failed()).toBe(400)
    time.advance(400)
    expect(backoff.failed()).toBe(400)
    time.advance(400)
    expect(backoff.failed()).toBe(200)
    time.advance(200)
    expect(backoff.failed()).toBeUndefined()
    expect(backoff.failing).toBe(true)
  })

  it('starts over after a success', () => {
    const time = clock()
    const backoff = new RetryBackoff({ taskTimeoutMs: 1_000, initialMs: 100, jitter: 0, nowMs: time.now })
    backoff.failed()
    time.advance(900)
    backoff.failed()
    backoff.succeeded()
    expect(backoff.failing).toBe(false)
    time.advance(900)
    expect(backoff.failed()).toBe(100)
  })

  it('with taskTimeoutMs 0, gives up at the first failure', () => {
    expect(new RetryBackoff({ taskTimeoutMs: 0 }).failed()).toBeUndefined()
  })
})

describe('isRetriable', () => {
  it('follows canRetry of Tributary errors and refuses anything else', () => {
    expect(isRetriable(new KafkaError('broker restarting', { canRetry: true }))).toBe(true)
    expect(isRetriable(new TaskMigratedError('fenced'))).toBe(true)
    expect(isRetriable(new KafkaError('unknown topic'))).toBe(false)
    expect(isRetriable(new ProcessingError('mapper threw'))).toBe(false)
    expect(isRetriable(new Error('plain'))).toBe(false)
  })
})
