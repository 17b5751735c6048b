import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Time } from '../../src/core/clock.js'
import { KafkaError, ProcessingError, TaskMigratedError } from '../../src/core/errors.js'
import type { RawRecord } from '../../src/core/topic-partition.js'
import { StreamLoop, type StreamLoopDeps } from '../../src/runtime/stream-loop.js'
import { raw } from './fixtures.js'

const T0 = 1_000_000

/** A clock that only moves when a fake poll or a sleep moves it; sleeping takes no real time. */
class FakeTime implements Time {
  now = T0
  readonly sleeps: number[] = []
  /** Runs after each sleep, e.g. to request a stop while the loop backs off. */
  afterSleep: () => void = () => undefined

  nowMs(): number {
    return this.now
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms)
    this.now += ms
    this.afterSleep()
  }
}

/** What one poll does: take `advanceMs` of fake time, then return records or throw; `stop` requests close() during it. */
interface PollStep {
  readonly advanceMs?: number
  readonly records?: readonly RawRecord[]
  readonly error?: unknown
  readonly stop?: boolean
}

interface HarnessOptions {
  readonly polls: readonly PollStep[]
  readonly commitIntervalMs?: number
  readonly taskTimeoutMs?: number
  /** Errors thrown by successive commits; commits past the list succeed. */
  readonly commitErrors?: readonly unknown[]
  /** Errors thrown by successive process calls; calls past the list succeed. */
  readonly processErrors?: readonly unknown[]
  /** Requests close() while the n-th commit (1-based) runs. */
  readonly stopDuringCommit?: number
}

/**
 * Drives a StreamLoop over fakes that log what the loop asks of them. Once the scripted polls
 * are used up the next poll requests a stop, so `run()` always ends.
 */
class LoopHarness {
  readonly time = new FakeTime()
  /** poll, commit, reset, resume, discard, abort, closeAll:<clean>, failure: in the order the loop called them. */
  readonly log: string[] = []
  readonly pollTimes: number[] = []
  readonly commitTimes: number[] = []
  readonly processTimes: number[] = []
  readonly addedRecords: RawRecord[] = []
  readonly resetCauses: unknown[] = []
  readonly retries: { error: unknown; pauseMs: number; reprocessing: boolean }[] = []
  readonly failures: unknown[] = []
  consumed = 0
  polled = 0
  globalCommits = 0
  stop = false
  private readonly polls: PollStep[]
  private readonly commitErrors: unknown[]
  private readonly processErrors: unknown[]
  private commits = 0

  constructor(private readonly options: HarnessOptions) {
    this.polls = [...options.polls]
    this.commitErrors = [...(options.commitErrors ?? [])]
    this.processErrors = [...(options.processErrors ?? [])]
  }

  run(): Promise<void> {
    return new StreamLoop(this.deps()).run()
  }

  private deps(): StreamLoopDeps {
    const { log, time } = this
    return {
      consumer: {
        poll: async () => {
          log.push('poll')
          this.pollTimes.push(time.now)
          const step = this.polls.shift()
          if (step === undefined) {
            this.stop = true
            return []
          }
          if (step.stop === true) this.stop = true
          time.now += step.advanceMs ?? 0
          if (step.error !== undefined) throw step.error
          return [...(step.records ?? [])]
        },
      },
      tasks: {
        addRecords: (records) => {
          this.addedRecords.push(...records)
        },
        process: (now) => {
          this.processTimes.push(now)
          const error = this.processErrors.shift()
          if (error !== undefined) throw error
          return 0
        },
        punctuate: async () => undefined,
        updatePauses: () => undefined,
        commit: async () => {
          log.push('commit')
          this.commitTimes.push(time.now)
          this.commits++
          if (this.commits === this.options.stopDuringCommit) this.stop = true
          const error = this.commitErrors.shift()
          if (error !== undefined) throw error
        },
        closeAll: async (clean) => {
          log.push(`closeAll:${clean}`)
        },
      },
      recovery: {
        resetTasks: async (cause) => {
          log.push('reset')
          this.resetCauses.push(cause)
        },
        resumeAssigned: async () => {
          log.push('resume')
        },
      },
      collector: { discard: () => log.push('discard') },
      transaction: {
        abort: async () => {
          log.push('abort')
        },
      },
      globalState: () => ({
        update: async () => undefined,
        commit: async () => {
          this.globalCommits++
        },
      }),
      recorder: { consumed: (count) => (this.consumed += count) },
      config: { maxPollRecords: 500, commitIntervalMs: this.options.commitIntervalMs ?? 1_000, taskTimeoutMs: this.options.taskTimeoutMs ?? 60_000 },
      time,
      stopRequested: () => this.stop,
      onPolled: () => this.polled++,
      onRetry: (error, pauseMs, reprocessing) => this.retries.push({ error, pauseMs, reprocessing }),
      onFailure: async (error) => {
        log.push('failure')
        this.failures.push(error)
      },
    }
  }
}

const retriable = (message: string) => new KafkaError(message, { canRetry: true })
const record = (offset: number) => raw('rides', 0, offset, 'k', 'v', T0)
const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - (times[i] as number))

describe('StreamLoop', () => {
  beforeEach(() => {
    // No jitter: each backoff pause is exactly its base (100, 200, 400, ...).
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
  })

  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('processes each poll at the clock time and commits only once commitIntervalMs has passed since the last commit', async () => {
    const polls = Array.from({ length: 25 }, (_, i) => ({ advanceMs: 100, records: [record(i)] }))
    const loop = new LoopHarness({ polls, commitIntervalMs: 1_000 })
    await loop.run()
    expect(loop.commitTimes).toEqual([T0 + 1_000, T0 + 2_000])
    expect(loop.globalCommits).toBe(2)
    expect(loop.processTimes).toEqual(Array.from({ length: 25 }, (_, i) => T0 + 100 * (i + 1)))
    expect(loop.addedRecords.map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i)))
    expect(loop.consumed).toBe(25)
    expect(loop.polled).toBe(25)
    expect(loop.time.sleeps).toEqual([])
  })

  it('backs off longer after each retriable failure, resumes the tasks before polling again, and starts over after a success', async () => {
    const error = retriable('broker restarting')
    const loop = new LoopHarness({ polls: [{ error }, { error }, { error }, {}, {}, { error }, {}] })
    await loop.run()
    expect(gaps(loop.pollTimes)).toEqual([100, 200, 400, 0, 0, 100, 0])
    expect(loop.retries.map((r) => [r.pauseMs, r.reprocessing])).toEqual([
      [100, false],
      [200, false],
      [400, false],
      [100, false],
    ])
    expect(loop.log).toEqual(['poll', 'resume', 'poll', 'resume', 'poll', 'resume', 'poll', 'poll', 'poll', 'resume', 'poll', 'poll'])
    // The pause is slept in short steps so that close() is noticed.
    expect(Math.max(...loop.time.sleeps)).toBeLessThanOrEqual(50)
    expect(loop.failures).toEqual([])
  })

  it('resets the tasks after a failed commit before the next poll, and retries the commit at once', async () => {
    const first = retriable('coordinator moved')
    const second = retriable('coordinator moved again')
    const loop = new LoopHarness({ polls: [{ advanceMs: 1_000 }, {}, {}, {}], commitErrors: [first, second] })
    await loop.run()
    expect(loop.log).toEqual(['poll', 'commit', 'reset', 'poll', 'commit', 'reset', 'poll', 'commit', 'poll', 'poll'])
    expect(loop.resetCauses).toEqual([first, second])
    // Each retry is reported, saying that the work since the last commit is done again.
    expect(loop.retries).toEqual([
      { error: first, pauseMs: 100, reprocessing: true },
      { error: second, pauseMs: 200, reprocessing: true },
    ])
    // Polls that succeed while commits fail do not reset the backoff: the second pause is longer.
    expect(gaps(loop.pollTimes)).toEqual([1_100, 200, 0, 0])
    expect(loop.commitTimes).toEqual([T0 + 1_000, T0 + 1_100, T0 + 1_300])
    expect(loop.globalCommits).toBe(1)
  })

  it('resets the tasks, not only resumes them, when they migrated', async () => {
    const migrated = new TaskMigratedError('fenced by a newer producer')
    const loop = new LoopHarness({ polls: [{}, {}], processErrors: [migrated] })
    await loop.run()
    expect(loop.log).toEqual(['poll', 'reset', 'poll', 'poll'])
    expect(loop.resetCauses).toEqual([migrated])
  })

  it('fails once retriable failures have lasted taskTimeoutMs, after discarding the collector and aborting the transaction', async () => {
    const error = retriable('broker down')
    const loop = new LoopHarness({ polls: Array.from({ length: 10 }, () => ({ error })), taskTimeoutMs: 1_000 })
    await loop.run()
    // Pauses of 100, 200, 400, then 300 (not 800): the last attempt happens right at the deadline.
    expect(gaps(loop.pollTimes)).toEqual([100, 200, 400, 300])
    expect(loop.log).toEqual(['poll', 'resume', 'poll', 'resume', 'poll', 'resume', 'poll', 'resume', 'poll', 'discard', 'abort', 'failure'])
    expect(loop.failures).toEqual([error])
    expect(loop.time.now).toBe(T0 + 1_000)
  })

  it('fails at once on an error that is not retriable', async () => {
    const error = new ProcessingError('mapper threw')
    const loop = new LoopHarness({ polls: [{ records: [record(0)] }, {}], processErrors: [error] })
    await loop.run()
    expect(loop.log).toEqual(['poll', 'discard', 'abort', 'failure'])
    expect(loop.failures).toEqual([error])
    expect(loop.time.sleeps).toEqual([])
  })

  it('ends when close() is requested during a poll, without processing what it returned', async () => {
    const loop = new LoopHarness({ polls: [{ advanceMs: 5_000, records: [record(0)], stop: true }, {}] })
    await loop.run()
    expect(loop.log).toEqual(['poll'])
    expect(loop.addedRecords).toEqual([])
    expect(loop.polled).toBe(0)
    expect(loop.consumed).toBe(1)
  })

  it('closes the tasks dirty when close() is requested while a failed commit waits for its reset', async () => {
    const loop = new LoopHarness({ polls: [{ advanceMs: 1_000 }, {}], commitErrors: [retriable('coordinator moved')] })
    loop.time.afterSleep = () => (loop.stop = true)
    await loop.run()
    expect(loop.log).toEqual(['poll', 'commit', 'discard', 'abort', 'closeAll:false'])
    expect(loop.resetCauses).toEqual([])
  })

  it('closes the tasks dirty, without backing off, when a commit fails after close() was requested', async () => {
    const loop = new LoopHarness({ polls: [{ advanceMs: 1_000 }, {}], commitErrors: [retriable('coordinator moved')], stopDuringCommit: 1 })
    await loop.run()
    expect(loop.log).toEqual(['poll', 'commit', 'discard', 'abort', 'closeAll:false'])
    expect(loop.time.sleeps).toEqual([])
  })

  it('leaves the tasks to close() when a poll fails after close() was requested', async () => {
    const loop = new LoopHarness({ polls: [{ error: retriable('broker restarting'), stop: true }, {}] })
    await loop.run()
    expect(loop.log).toEqual(['poll'])
    expect(loop.failures).toEqual([])
  })
})
