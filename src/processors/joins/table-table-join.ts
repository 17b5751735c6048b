import type { Change } from '../../core/windowed.js'
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js'
import type { Record as StreamRecord } from '../../core/record.js'
import type { Processor, ProcessorContext, ProcessorSupplier } from '../api.js'
import type { ValueAndTimestamp } from '../value-and-timestamp.js'
import type { TableValueGetter } from './table-value-getter.js'
import { tableViewGetter, type TableView } from './table-view.js'

export type TableJoinType = 'inner' | 'left' | 'outer'

export interface TableTableJoinParams {
  readonly side: 'left' | 'right'
  readonly type: TableJoinType
  /**
   * How the other table's current row is read (its store, or its parents' through the operators
   * between, as Kafka's value getters): this update's partner.
   */
  readonly otherView: TableView
  readonly joiner: (left: unknown, right: unknown) => unknown
  /**
   * Forward the joined old value (Kafka's sendOldValues): only when an operator downstream needs it
   * (a `groupBy`, a left or outer join of this result); otherwise the old value goes out as null.
   * Default true.
   */
  readonly sendOldValues?: boolean
}

/**
 * One side of a table-table join (Kafka Streams' KTableKTableInnerJoin, LeftJoin, RightJoin and
 * OuterJoin): an update of this table is joined with the other table's current row. The old value is
 * joined too, so that downstream aggregations subtract the right thing and a deleted row becomes a
 * tombstone of the joined row. The result carries the larger of the two rows' timestamps.
 * Windowed tables join per key and window: the partner is the other table's row of the same window.
 */
export function tableTableJoinProcessor(params: TableTableJoinParams): ProcessorSupplier {
  return () => new TableTableJoin(params)
}

class TableTableJoin implements Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>
  private other!: TableValueGetter
  /** May this side be absent from a result (the right side of a left join, both sides of an outer join)? */
  private readonly thisOptional: boolean
  private readonly otherOptional: boolean

  constructor(private readonly params: TableTableJoinParams) {
    const { type, side } = params
    this.thisOptional = type === 'outer' || (type === 'left' && side === 'right')
    this.otherOptional = type === 'outer' || (type === 'left' && side === 'left')
  }

  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context
    this.other = tableViewGetter(context as ProcessorContext<unknown, unknown>, this.params.otherView)
  }

  process(record: StreamRecord<unknown, Change<unknown>>): MaybePromise<void> {
    if (record.key === null || record.key === undefined) return this.ctx.recordDropped('null-key')
    const row = this.other.get(record.key)
    if (isPromiseLike(row)) return row.then((r) => this.join(record, r))
    return this.join(record, row)
  }

  private join(record: StreamRecord<unknown, Change<unknown>>, row: ValueAndTimestamp<unknown> | undefined): MaybePromise<void> {
    const other = row === undefined ? null : row.value
    const { newValue, oldValue } = record.value
    if (other === null && (!this.otherOptional || (newValue === null && oldValue === null))) return undefined
    const joined = {
      newValue: this.joinValue(newValue, other),
      oldValue: this.params.sendOldValues === false ? null : this.joinValue(oldValue, other),
    }
    const timestamp = row === undefined ? record.timestamp : Math.max(record.timestamp, row.timestamp)
    return this.ctx.forward({ key: record.key, value: joined, timestamp, headers: record.headers })
  }

  private joinValue(value: unknown, other: unknown): unknown {
    if (value === null && !(this.thisOptional && other !== null)) return null
    return this.params.side === 'left' ? this.params.joiner(value, other) : this.params.joiner(other, value)
  }
}
