import type { ProcessorSupplier } from './api.js'
import { flatMapProcessor } from './flat-map.js'
import type { KeyValue } from '../core/record.js'

/** `flatMapValues`: zero or more values per record under the same key. */
export function flatMapValuesProcessor<K, V, V2>(mapper: (value: V, key: K) => Iterable<V2>): ProcessorSupplier<K, V, K, V2> {
  return flatMapProcessor<K, V, K, V2>(function* (key, value): Iterable<KeyValue<K, V2>> {
    for (const mapped of mapper(value, key)) yield [key, mapped]
  })
}
