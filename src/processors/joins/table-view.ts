import { andThen } from '../../state/maybe-promise-chain.js'
import type { StoreType } from '../../state/types.js'
import type { ProcessorContext } from '../api.js'
import type { ValueAndTimestamp } from '../value-and-timestamp.js'
import type { TableJoinType } from './table-table-join.js'
import { tableValueGetter, type TableValueGetter } from './table-value-getter.js'

/**
 * How a join reads the current row of a table, as Kafka Streams' value getters do: from the store
 * that keeps the table, or, for a table with no store of its own (a filter, a mapValues, a table
 * join), from its parents' rows with the operator applied on the fly.
 */
export type TableView =
  | { readonly kind: 'store'; readonly storeName: string; readonly storeType: StoreType }
  | { readonly kind: 'filter'; readonly parent: TableView; readonly predicate: (key: unknown, value: unknown) => boolean; readonly negate: boolean }
  | { readonly kind: 'map-values'; readonly parent: TableView; readonly mapper: (value: unknown, key: unknown) => unknown }
  | { readonly kind: 'join'; readonly type: TableJoinType; readonly left: TableView; readonly right: TableView; readonly joiner: (left: unknown, right: unknown) => unknown }

/** The stores a view reads: the processor that uses it must be connected to them. */
export function tableViewStores(view: TableView): string[] {
  switch (view.kind) {
    case 'store':
      return [view.storeName]
    case 'filter':
    case 'map-values':
      return tableViewStores(view.parent)
    case 'join':
      return [...new Set([...tableViewStores(view.left), ...tableViewStores(view.right)])]
  }
}

type Row = ValueAndTimestamp<unknown> | undefined

/** The getter of a view, opened on the processor's task (its stores). */
export function tableViewGetter(context: ProcessorContext<unknown, unknown>, view: TableView): TableValueGetter {
  switch (view.kind) {
    case 'store':
      return tableValueGetter(context, view.storeName, view.storeType)
    case 'filter': {
      const parent = tableViewGetter(context, view.parent)
      const { predicate, negate } = view
      // KTableFilter's value getter: a row the predicate rejects is absent.
      return { get: (key) => andThen(parent.get(key), (row): Row => (row === undefined || row.value === null || predicate(key, row.value) === negate ? undefined : row)) }
    }
    case 'map-values': {
      const parent = tableViewGetter(context, view.parent)
      const { mapper } = view
      // KTableMapValues' value getter: the mapped value, with the parent row's timestamp.
      return { get: (key) => andThen(parent.get(key), (row): Row => (row === undefined || row.value === null ? undefined : { value: mapper(row.value, key), timestamp: row.timestamp })) }
    }
    case 'join':
      return joinGetter(tableViewGetter(context, view.left), tableViewGetter(context, view.right), view.type, view.joiner)
  }
}

/**
 * Kafka Streams' KTableKTable{Inner,Left,Outer}JoinValueGetter: the joined row of a key, with the
 * larger of the two rows' timestamps; absent when the join type needs a side that is absent.
 */
function joinGetter(left: TableValueGetter, right: TableValueGetter, type: TableJoinType, joiner: (l: unknown, r: unknown) => unknown): TableValueGetter {
  const present = (row: Row): row is ValueAndTimestamp<unknown> => row !== undefined && row.value !== null
  return {
    get: (key) =>
      andThen(left.get(key), (l) => {
        if (!present(l) && type !== 'outer') return undefined
        return andThen(right.get(key), (r): Row => {
          const hasLeft = present(l)
          const hasRight = present(r)
          if (type === 'inner' && !hasRight) return undefined
          if (!hasLeft && !hasRight) return undefined
          const timestamp = Math.max(hasLeft ? l.timestamp : Number.NEGATIVE_INFINITY, hasRight ? r.timestamp : Number.NEGATIVE_INFINITY)
          return { value: joiner(hasLeft ? l.value : null, hasRight ? r.value : null), timestamp }
        })
      }),
  }
}
