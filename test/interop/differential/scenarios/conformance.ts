/**
 * Case kinds of the conformance suite only, twins of SplitStreamJoin and TimeLimitCount.java:
 * what the random cases do not need (both join sides in one topic, suppression until a time limit).
 */
import type { KStream, KTable, StreamsBuilder } from '../../../../src/dsl/index.js'
import { JoinWindows, Suppressed } from '../../../../src/dsl/index.js'
import { consumed, numberOption, produced, text, textOption, topicOf, type CaseParams } from './text.js'

const joiner = (left: string | null, right: string | null): string => `${left}+${right}`

/**
 * `L:x` is x on the left, `R:x` x on the right, a bare `L` or `R` a null value on that side: one
 * partition fixes the order of records with equal timestamps, which two topics would not.
 */
function side(input: KStream<string, string>, name: 'L' | 'R'): KStream<string, string> {
  return input.filter((_key, value) => value !== null && value.startsWith(name)).mapValues((value) => (value.length === 1 ? (null as unknown as string) : value.slice(2)))
}

export function splitStreamJoin(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const input = b.stream<string, string>(topicOf(p, 'in'), consumed)
  const left = side(input, 'L')
  const right = side(input, 'R')
  const windows = JoinWindows.ofTimeDifferenceAndGrace(numberOption(p, 'after'), numberOption(p, 'grace')).before(numberOption(p, 'before')).after(numberOption(p, 'after'))
  const joined = { keySerde: text, valueSerde: text, otherValueSerde: text }
  const type = textOption(p, 'type')
  let result: KStream<string, string>
  if (type === 'inner') result = left.join(right, joiner, windows, joined)
  else if (type === 'left') result = left.leftJoin(right, joiner, windows, joined)
  else if (type === 'outer') result = left.outerJoin(right, joiner, windows, joined)
  else throw new Error(`join type ${type}`)
  result.to(topicOf(p, 'out') + suffix, produced)
}

/** Option input `table` (regrouped by value) or `stream` (per key); limit; maxRecords (0: unbounded). */
export function timeLimitCount(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const input = textOption(p, 'input')
  let counts: KTable<string, number>
  if (input === 'table') counts = b.table<string, string>(topicOf(p, 'in'), consumed).groupBy((key, value) => [value, key], consumed).count()
  else if (input === 'stream') counts = b.stream<string, string>(topicOf(p, 'in'), consumed).groupByKey(consumed).count()
  else throw new Error(`input ${input}`)
  const maxRecords = numberOption(p, 'maxRecords')
  counts
    .suppress(Suppressed.untilTimeLimit(numberOption(p, 'limit'), maxRecords === 0 ? {} : { maxRecords }))
    .toStream()
    .mapValues((count) => (count === null ? (null as unknown as string) : String(count)))
    .to(topicOf(p, 'out') + suffix, produced)
}
