import type { Time } from '../core/clock.js'
import { isTributaryError } from '../core/errors.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { KafkaConsumer } from '../kafka/types.js'
import type { ResolvedStreamsConfig } from './config.js'
import type { GlobalStateManager } from './global-state-manager.js'
import type { KafkaRecordWriter } from './kafka-services.js'
import { isRetriable, RetryBackoff } from './retry-backoff.js'
import type { StreamsMetricsRecorder } from './streams-metrics.js'
import type { TaskManager } from './task-manager.js'
import type { TaskRecovery } from './task-recovery.js'
import type { TransactionSink } from './transaction-sink.js'

/** What the loop uses of the instance; narrow, so a test can drive it with fakes and a fake clock. */
export interface StreamLoopDeps {
  readonly consumer: Pick<KafkaConsumer, 'poll'>
  readonly tasks: Pick<TaskManager, 'addRecords' | 'process' | 'punctuate' | 'updatePauses' | 'commit' | 'closeAll'>
  readonly recovery: Pick<TaskRecovery, 'resetTasks' | 'resumeAssigned'>
  readonly collector: Pick<KafkaRecordWriter, 'discard'>
  /** Under exactly_once_v2 only. */
  readonly transaction: Pick<TransactionSink, 'abort'> | undefined
  /** The global tables while they are open; undefined without any. */
  readonly globalState: () => Pick<GlobalStateManager, 'update' | 'commit'> | undefined
  readonly recorder: Pick<StreamsMetricsRecorder, 'consumed'>
  readonly config: Pick<ResolvedStreamsConfig, 'maxPollRecords' | 'commitIntervalMs' | 'taskTimeoutMs'>
  readonly time: Time
  /** True once close() was called: the loop ends at its next check. */
  readonly stopRequested: () => boolean
  /** A poll returned while not stopping: the instance processes again (after starting or a rebalance). */
  readonly onPolled: () => void
  /**
   * A retriable failure; the loop pauses `pauseMs` and goes on. `reprocessing` is true when the
   * work since the last commit was abandoned and will be processed again (a failed commit or send,
   * a lost generation).
   */
  readonly onRetry?: (error: unknown, pauseMs: number, reprocessing: boolean) => void
  /**
   * A failure that is not retried, or was retried for taskTimeoutMs in vain. The collector is
   * discarded and the transaction aborted already; the loop ends once this resolves.
   */
  readonly onFailure: (error: unknown) => Promise<void>
}

/** What the loop must do before it polls again, after a failure it retries. */
type PendingRecovery = 'none' | 'resume' | 'reset'

/** How long one poll waits for records when none is buffered: bounds how late a commit or close is noticed. */
const POLL_TIMEOUT_MS = 100

/** How often a backoff pause checks whether close() was called. */
const STOP_CHECK_MS = 50

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * One instance's processing loop: poll -> add records to the tasks -> update the global tables ->
 * process -> punctuate -> pause or resume partitions -> every `commitIntervalMs` commit. A failure
 * the Kafka adapter marks retriable (a broker restarting, a lost generation, a fenced producer) is
 * retried with exponential backoff: a failed commit first abandons the uncommitted work (see
 * `TaskRecovery.resetTasks`). The loop gives up (`onFailure`) only when retriable failures last
 * `taskTimeoutMs` without a success in between, or at once on any other failure.
 */
export class StreamLoop {
  constructor(private readonly deps: StreamLoopDeps) {}

  /** Runs until close() is requested or the instance fails; never rejects on a processing failure. */
  async run(): Promise<void> {
    const { consumer, tasks, recovery, config, time } = this.deps
    const backoff = new RetryBackoff({ taskTimeoutMs: config.taskTimeoutMs, nowMs: () => time.nowMs() })
    let lastCommit = time.nowMs()
    let pending: PendingRecovery = 'none'
    let lastFailure: unknown
    // Set while commits fail: polls that succeed meanwhile do not count as recovering.
    let commitFailing = false
    while (!this.deps.stopRequested()) {
      let committing = false
      try {
        if (pending !== 'none') {
          if (pending === 'reset') await recovery.resetTasks(lastFailure)
          else await recovery.resumeAssigned()
          pending = 'none'
        }
        const records = await consumer.poll(config.maxPollRecords, POLL_TIMEOUT_MS)
        this.deps.recorder.consumed(records.length)
        if (this.deps.stopRequested()) break
        this.deps.onPolled()
        // Synchronous serdes and operators (the usual case) make these plain calls, no promise.
        const added = tasks.addRecords(records)
        if (isPromiseLike(added)) await added
        const globalState = this.deps.globalState()
        if (globalState !== undefined) await globalState.update()
        const now = time.nowMs()
        const processed = tasks.process(now)
        if (isPromiseLike(processed)) await processed
        await tasks.punctuate(now)
        tasks.updatePauses()
        if (commitFailing || time.nowMs() - lastCommit >= config.commitIntervalMs) {
          committing = true
          await tasks.commit()
          await this.deps.globalState()?.commit()
          lastCommit = time.nowMs()
          commitFailing = false
        }
        if (!commitFailing) backoff.succeeded()
        // A poll served from the prefetched buffer resolves without waiting on I/O: give the
        // producer's acks, the next fetch and the collector's linger timer their turn.
        await yieldToEventLoop()
      } catch (error) {
        const migrated = isTributaryError(error, 'TRIBUTARY_TASK_MIGRATED')
        if (isRetriable(error) && this.deps.stopRequested()) {
          // close() was called meanwhile: it commits what can still be committed.
          if (committing || migrated) pending = 'reset'
          break
        }
        const pause = isRetriable(error) ? backoff.failed() : undefined
        if (pause === undefined) {
          // Nothing is committed past the failure: at-least-once may repeat outputs already sent on
          // restart; exactly-once aborts the open transaction, so none of them is ever visible.
          await this.abandonUncommitted()
          await this.deps.onFailure(error)
          return
        }
        lastFailure = error
        if (committing) commitFailing = true
        // What a failed commit sent cannot be committed any more (and the collector forgot it).
        if (committing || migrated || pending === 'reset') pending = 'reset'
        else pending = 'resume'
        this.deps.onRetry?.(error, pause, pending === 'reset')
        await this.sleepUnlessStopping(pause)
      }
    }
    if (pending === 'reset') {
      // Closing with work that can no longer be committed: leave it for the next owner.
      await this.abandonUncommitted()
      await tasks.closeAll(false).catch(() => undefined)
    }
  }

  /** Forgets what was collected and aborts the open transaction, if any (a fenced or broken producer cannot; the broker aborts it then). */
  private async abandonUncommitted(): Promise<void> {
    this.deps.collector.discard()
    await this.deps.transaction?.abort().catch(() => undefined)
  }

  /** Pauses for `ms`, in short steps so that close() does not wait for the whole pause. */
  private async sleepUnlessStopping(ms: number): Promise<void> {
    const { time } = this.deps
    const until = time.nowMs() + ms
    while (!this.deps.stopRequested() && time.nowMs() < until) {
      await time.sleep(Math.min(STOP_CHECK_MS, until - time.nowMs()))
    }
  }
}
