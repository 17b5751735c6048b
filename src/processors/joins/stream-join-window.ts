import { isPromiseLike } from '../../core/maybe-promise.js'
import type { WindowStore } from '../../state/types.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../api.js'

/**
 * The `KSTREAM-WINDOWED-` node in front of each side of a stream-stream join: forwards the record to
 * its join processor, then buffers it in this side's window store (keyed by its own timestamp, every
 * record kept) where the other side's processor finds it. Forwarding first keeps a self-join from
 * joining a record with itself.
 *
 * A record older than the buffer's retention (`before + after + grace` behind the largest time this
 * buffer holds: the buffer's own clock, not the task's stream time, as in Kafka Streams) cannot be
 * buffered any more: the later records of the other side it should have met will not find it. It
 * still joins with what it finds, and is counted as dropped ('late'), as Kafka Streams' window
 * store counts such a put, instead of vanishing from the buffer silently.
 */
export function streamJoinWindowProcessor<K, V>(storeName: string, retentionMs: number): ProcessorSupplier<K, V, K, V> {
  return () => {
    let ctx!: ProcessorContext<K, V>
    let store!: WindowStore<K, V>
    const processor: Processor<K, V, K, V> = {
      init(context) {
        ctx = context
        store = context.getStateStore(storeName)
      },
      process(record) {
        // A record without a key never joins: neither buffered nor seen by the join.
        if (record.key === null || record.key === undefined) return ctx.forward(record)
        const forwarded = ctx.forward(record)
        // The buffer's rule: an entry is live while its time is above the buffer's time - retention.
        if (record.timestamp <= store.observedStreamTimeMs() - retentionMs) {
          ctx.recordDropped('late')
          return forwarded
        }
        if (isPromiseLike(forwarded)) return forwarded.then(() => store.put(record.key, record.value, record.timestamp))
        return store.put(record.key, record.value, record.timestamp)
      },
    }
    return processor
  }
}
