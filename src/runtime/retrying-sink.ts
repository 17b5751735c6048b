import type { Time } from '../core/clock.js'
import type { OutgoingRecord, RecordAck } from '../kafka/types.js'
import type { RecordSink } from './kafka-services.js'
import { isRetriable, RetryBackoff } from './retry-backoff.js'

/**
 * Under at-least-once, tries a send again while the cluster fails it with a retriable error, for
 * up to `deliveryTimeoutMs` (Kafka's `delivery.timeout.ms`), as Kafka's producer does: a dropped
 * connection or a restarting broker then costs a pause, not a reset of every task and the
 * reprocessing of everything since the last commit. Sends stay in order: the record writer starts
 * the next one only once this one is answered. A record the broker wrote before its answer was
 * lost may be written again (at-least-once allows it).
 */
export class RetryingSink implements RecordSink {
  constructor(
    private readonly sink: RecordSink,
    private readonly options: { readonly deliveryTimeoutMs: number; readonly time: Time },
  ) {}

  async send(records: readonly OutgoingRecord[]): Promise<RecordAck[]> {
    const { time } = this.options
    const backoff = new RetryBackoff({ taskTimeoutMs: this.options.deliveryTimeoutMs, nowMs: () => time.nowMs() })
    for (;;) {
      try {
        return await this.sink.send(records)
      } catch (error) {
        const pause = isRetriable(error) ? backoff.failed() : undefined
        if (pause === undefined) throw error
        await time.sleep(pause)
      }
    }
  }

  flush(): Promise<void> {
    return this.sink.flush()
  }
}
