import type { MaybePromise } from '../core/maybe-promise.js'
import { isPromiseLike } from '../core/maybe-promise.js'
import type { KeyValue, Record as StreamRecord } from '../core/record.js'
import type { ProcessorContext, ProcessorSupplier } from './api.js'

/** `flatMap`: zero or more key-value pairs per record, forwarded in order with the input's timestamp. */
export function flatMapProcessor<K, V, K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>): ProcessorSupplier<K, V, K2, V2> {
  return () => {
    let ctx!: ProcessorContext<K2, V2>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        const pairs = mapper(record.key, record.value)[Symbol.iterator]()
        return forwardEach(ctx, pairs, record)
      },
    }
  }
}

function forwardEach<K, V, K2, V2>(
  ctx: ProcessorContext<K2, V2>,
  pairs: Iterator<KeyValue<K2, V2>>,
  input: StreamRecord<K, V>,
): MaybePromise<void> {
  for (let next = pairs.next(); next.done !== true; next = pairs.next()) {
    const [key, value] = next.value
    const sent = ctx.forward({ key, value, timestamp: input.timestamp, headers: input.headers })
    if (isPromiseLike(sent)) return sent.then(() => forwardEach(ctx, pairs, input))
  }
  return undefined
}
