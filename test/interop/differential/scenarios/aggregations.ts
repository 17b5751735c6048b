/** Unwindowed aggregations, twins of GroupedAggregate and TableAggregate.java. */
import type { KTable, StreamsBuilder } from '../../../../src/dsl/index.js'
import { consumed, numberOption, produced, seedOf, text, textOption, topicOf, type CaseParams } from './text.js'

export function groupedAggregate(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const grouped = b.stream<string, string>(topicOf(p, 'in'), consumed).groupByKey(consumed)
  const op = textOption(p, 'op')
  let result: KTable<string, string>
  if (op === 'reduce') result = grouped.reduce((aggregate, value) => `${aggregate},${value}`, { valueSerde: text })
  else if (op === 'aggregate') result = grouped.aggregate(() => 'i', (_key, value, aggregate) => `${aggregate},${value}`, { valueSerde: text })
  else if (op === 'count') result = grouped.count().mapValues((count) => String(count))
  else throw new Error(`op ${op}`)
  result.toStream().to(topicOf(p, 'out') + suffix, produced)
}

/** Regrouped by the value's number modulo `groups` within the key's seed (a repartition), then added and subtracted. */
export function tableAggregate(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const groups = numberOption(p, 'groups')
  b.table<string, string>(topicOf(p, 'in'), consumed)
    .groupBy((key, value) => [`${seedOf(key)}.g${Number(value.slice(1)) % groups}`, value], consumed)
    .aggregate(() => 'i', (_key, value, aggregate) => `${aggregate}+${value}`, (_key, value, aggregate) => `${aggregate}-${value}`, { valueSerde: text })
    .toStream()
    .to(topicOf(p, 'out') + suffix, produced)
}
