import type { KeyValueStore, Processor, ProcessorContext, ProcessorSupplier } from '../../src/index.js'
import { closedAt } from './events.js'
import { SHOP_STORES, type ClosingTicket } from './types.js'

/**
 * Passes on the first complete ticket per ticket id and nothing after it. The table join emits
 * again whenever one of its sides changes (a second payment, a rebooking, a re-sent event); a
 * ticket is closed once.
 */
export function closeOnce(): ProcessorSupplier<string, ClosingTicket | null, string, ClosingTicket> {
  return (): Processor<string, ClosingTicket | null, string, ClosingTicket> => {
    let ctx!: ProcessorContext<string, ClosingTicket>
    let closed!: KeyValueStore<string, number>
    return {
      init(context) {
        ctx = context
        closed = context.getStateStore(SHOP_STORES.closed)
      },
      async process(record) {
        // A null is the join result being deleted (a side was deleted): nothing to close.
        if (record.value === null || (await closed.get(record.key)) !== undefined) return
        await closed.put(record.key, closedAt(record.value))
        await ctx.forward({ key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}
