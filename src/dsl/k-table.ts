import type { KeyValue } from '../core/record.js'
import type { ProcessorSupplier } from '../processors/api.js'
import { tableFilterProcessor } from '../processors/table-filter.js'
import { tableGroupByProcessor } from '../processors/table-group-by.js'
import { tableMapValuesProcessor } from '../processors/table-map-values.js'
import type { Serde } from '../serde/serde.js'
import type { InternalStreamsBuilder } from './internal-builder.js'
import { KGroupedTable } from './k-grouped-table.js'
import { KStream } from './k-stream.js'
import type { GroupedOptions, NamedOptions } from './options.js'
import type { Suppressed } from './suppressed.js'

export interface TableInfo {
  /** The store holding this table's rows, when it is materialized (sources and aggregations). */
  readonly storeName: string | undefined
  /** Grace of the windowed aggregation that produced this table; undefined when not windowed. */
  readonly windowGraceMs: number | undefined
}

/**
 * A changelog stream viewed as a table: the latest value per key. Updates carry the old value too,
 * so that a downstream `groupBy().aggregate()` can subtract it.
 *
 * @example
 * builder.table<string, Driver>('drivers', { keySerde: Serdes.string(), valueSerde: Serdes.json(), storeName: 'drivers' })
 *   .filter((id, d) => d.active)
 *   .groupBy((id, d) => [d.zone, d])
 *   .count()
 */
export class KTable<K, V> {
  /** @internal */
  constructor(
    private readonly builder: InternalStreamsBuilder,
    private readonly nodeId: number,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    private readonly info: TableInfo,
  ) {}

  /** The name of the store holding this table, if it is materialized. */
  get queryableStoreName(): string | undefined {
    return this.info.storeName
  }

  private derive<V2>(operator: string, prefix: string, supplier: ProcessorSupplier, options: NamedOptions | undefined, valueSerde: Serde<V2> | undefined): KTable<K, V2> {
    const name = this.builder.name(prefix, options?.name)
    const id = this.builder.add({ kind: 'table-stateless', name, parents: [this.nodeId], operator, supplier })
    return new KTable(this.builder, id, this.keySerde, valueSerde, { storeName: undefined, windowGraceMs: this.info.windowGraceMs })
  }

  /** Rows the predicate rejects become absent (downstream sees a deletion). */
  filter(predicate: (key: K, value: V) => boolean, options?: NamedOptions): KTable<K, V> {
    return this.derive('filter', 'KTABLE-FILTER-', tableFilterProcessor(predicate, false) as ProcessorSupplier, options, this.valueSerde)
  }

  filterNot(predicate: (key: K, value: V) => boolean, options?: NamedOptions): KTable<K, V> {
    return this.derive('filterNot', 'KTABLE-FILTER-', tableFilterProcessor(predicate, true) as ProcessorSupplier, options, this.valueSerde)
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, options?: NamedOptions): KTable<K, V2> {
    return this.derive<V2>('mapValues', 'KTABLE-MAPVALUES-', tableMapValuesProcessor(mapper) as ProcessorSupplier, options, undefined)
  }

  /** The table's updates as a stream; a deleted row arrives as a `null` value. */
  toStream(options?: NamedOptions): KStream<K, V> {
    const name = this.builder.name('KTABLE-TOSTREAM-', options?.name)
    const id = this.builder.add({ kind: 'table-to-stream', name, parents: [this.nodeId] })
    return new KStream(this.builder, id, this.keySerde, this.valueSerde)
  }

  /**
   * Re-groups the rows by a new key for `aggregate(init, adder, subtractor)`: when a row changes or
   * moves group, its old value is subtracted from the old group and the new value added to the new one.
   */
  groupBy<K2, V2>(selector: (key: K, value: V) => KeyValue<K2, V2>, options: GroupedOptions<K2, V2> = {}): KGroupedTable<K2, V2> {
    const name = this.builder.name('KTABLE-SELECT-', options.name === undefined ? undefined : `${options.name}-select`)
    const id = this.builder.add({ kind: 'table-group-by', name, parents: [this.nodeId], supplier: tableGroupByProcessor(selector) as ProcessorSupplier })
    return new KGroupedTable<K2, V2>(this.builder, id, options.keySerde, options.valueSerde, options.name)
  }

  /** Holds updates back: `Suppressed.untilWindowCloses()` for final window results, or `untilTimeLimit`. */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const name = this.builder.name('KTABLE-SUPPRESS-', suppressed.name)
    const id = this.builder.add({ kind: 'suppress', name, parents: [this.nodeId], spec: suppressed.spec, windowGraceMs: this.info.windowGraceMs })
    return new KTable(this.builder, id, this.keySerde, this.valueSerde, { storeName: undefined, windowGraceMs: this.info.windowGraceMs })
  }
}
