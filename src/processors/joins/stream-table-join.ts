import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Record as StreamRecord } from '../../core/record.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../api.js'
import type { ValueAndTimestamp } from '../value-and-timestamp.js'
import { tableValueGetter, type TableValueGetter } from './table-value-getter.js'
import { tableViewGetter, type TableView } from './table-view.js'

export interface StreamTableJoinParams {
  /** The global table's store, when the table is a global table. */
  readonly storeName?: string
  /** How the (co-partitioned) table's rows are read; see TableView. Overrides `storeName`. */
  readonly view?: TableView
  /** Left join: a record without a table row still goes out, joined with `null`. */
  readonly left: boolean
  /** `(key, streamValue, tableValue)`: the key is the stream record's, also for a global table (Kafka's ValueJoinerWithKey). */
  readonly joiner: (key: unknown, value: unknown, tableValue: unknown) => unknown
  /** Global-table joins: which table key a stream record looks up. Absent: the record's own key. */
  readonly keyMapper?: (key: unknown, value: unknown) => unknown
}

/**
 * A stream record looks up the table row of its key (or of the mapped key, for a global table) and
 * is joined with it; the result keeps the stream record's key and timestamp. Table updates only
 * change the store; they never produce output (Kafka Streams' KStreamKTableJoinProcessor and
 * KStreamGlobalKTableJoin).
 */
export function streamTableJoinProcessor(params: StreamTableJoinParams): ProcessorSupplier {
  return () => new StreamTableJoin(params)
}

class StreamTableJoin implements Processor {
  private ctx!: ProcessorContext
  private table!: TableValueGetter

  constructor(private readonly params: StreamTableJoinParams) {}

  init(context: ProcessorContext): void {
    this.ctx = context
    const { view, storeName } = this.params
    if (view !== undefined) this.table = tableViewGetter(context as ProcessorContext<unknown, unknown>, view)
    else if (storeName !== undefined) this.table = tableValueGetter(context as ProcessorContext<unknown, unknown>, storeName, 'keyValue')
    else throw new Error('A stream-table join needs the table\'s view or store.')
  }

  process(record: StreamRecord<unknown, unknown>): MaybePromise<void> {
    const { keyMapper, left } = this.params
    // As Kafka Streams' KStreamKTableJoinProcessor (KIP-962, KAFKA-19208): the key mapper always
    // runs (a keyless record may still map to a table key); a null value drops the record, and so
    // does a null mapped key in an inner join, while a left join joins it with null.
    const hasValue = record.value !== null && record.value !== undefined
    if (!hasValue) return this.ctx.recordDropped('null-value')
    const tableKey = keyMapper === undefined ? record.key : keyMapper(record.key, record.value)
    if (tableKey === null || tableKey === undefined) return left ? this.emit(record, undefined) : this.ctx.recordDropped('null-key')
    const row = this.table.get(tableKey)
    if (isPromiseLike(row)) return row.then((r) => this.emit(record, r))
    return this.emit(record, row)
  }

  private emit(record: StreamRecord<unknown, unknown>, row: ValueAndTimestamp<unknown> | undefined): MaybePromise<void> {
    if (row === undefined && !this.params.left) return undefined
    const joined = this.params.joiner(record.key, record.value, row === undefined ? null : row.value)
    return this.ctx.forward({ key: record.key, value: joined, timestamp: record.timestamp, headers: record.headers })
  }
}
