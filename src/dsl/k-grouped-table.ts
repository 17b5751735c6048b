import type { Serde } from '../serde/serde.js'
import type { InternalStreamsBuilder } from './internal-builder.js'
import { aggregationBase, countStoreSerde, type Grouping } from './k-grouped-stream.js'
import { KTable } from './k-table.js'
import type { AggregateOptions } from './options.js'

/**
 * A table re-grouped by a new key. Aggregations take an adder and a subtractor: a row's old value
 * is subtracted from its old group and its new value added to its new group.
 *
 * @example
 * drivers.groupBy((id, d) => [d.zone, d]).aggregate(() => 0, (zone, d, n) => n + 1, (zone, d, n) => n - 1)
 */
export class KGroupedTable<K, V> {
  private readonly grouping: Grouping<K, V>

  /** @internal */
  constructor(builder: InternalStreamsBuilder, parentId: number, keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined, groupedName: string | undefined) {
    this.grouping = { builder, parentId, keySerde, valueSerde, groupedName }
  }

  count(options: AggregateOptions<number> = {}): KTable<K, number> {
    return this.add('KTABLE-AGGREGATE-', (_k, _v, n: number | undefined) => (n ?? 0) + 1, (_k, _v, n: number) => n - 1, options, countStoreSerde())
  }

  reduce(adder: (aggregate: V, value: V) => V, subtractor: (aggregate: V, value: V) => V, options: AggregateOptions<V> = {}): KTable<K, V> {
    return this.add(
      'KTABLE-REDUCE-',
      (_k, value, aggregate: V | undefined) => (aggregate === undefined ? value : adder(aggregate, value)),
      (_k, value, aggregate: V) => subtractor(aggregate, value),
      options,
    )
  }

  aggregate<A>(
    initializer: () => A,
    adder: (key: K, value: V, aggregate: A) => A,
    subtractor: (key: K, value: V, aggregate: A) => A,
    options: AggregateOptions<A> = {},
  ): KTable<K, A> {
    return this.add('KTABLE-AGGREGATE-', (key, value, aggregate: A | undefined) => adder(key, value, aggregate === undefined ? initializer() : aggregate), subtractor, options)
  }

  private add<A>(
    prefix: string,
    add: (key: K, value: V, aggregate: A | undefined) => A,
    subtract: (key: K, value: V, aggregate: A) => A,
    options: AggregateOptions<A>,
    storeSerde?: Serde<A>,
  ): KTable<K, A> {
    const base = aggregationBase(this.grouping, prefix, options, storeSerde, { table: true })
    const id = this.grouping.builder.add({
      kind: 'table-aggregate',
      ...base,
      add: add as (key: unknown, value: unknown, aggregate: unknown) => unknown,
      subtract: subtract as (key: unknown, value: unknown, aggregate: unknown) => unknown,
    })
    return new KTable<K, A>(this.grouping.builder, id, this.grouping.keySerde, options.valueSerde, { storeName: base.storeName, storeNamedByUser: options.storeName !== undefined, windowGraceMs: undefined })
  }
}
