/** Joins, twins of StreamStreamJoin, StreamTableJoin and TableTableJoin.java. */
import type { KStream, KTable, StreamsBuilder } from '../../../../src/dsl/index.js'
import { JoinWindows } from '../../../../src/dsl/index.js'
import { consumed, numberOption, produced, text, textOption, topicOf, type CaseParams } from './text.js'

const joiner = (left: string | null, right: string | null): string => `${left}+${right}`

export function streamStreamJoin(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const left = b.stream<string, string>(topicOf(p, 'left'), consumed)
  const right = b.stream<string, string>(topicOf(p, 'right'), consumed)
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

export function streamTableJoin(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const left = b.stream<string, string>(topicOf(p, 'left'), consumed)
  const right = b.table<string, string>(topicOf(p, 'right'), consumed)
  const type = textOption(p, 'type')
  let result: KStream<string, string>
  if (type === 'inner') result = left.join(right, joiner)
  else if (type === 'left') result = left.leftJoin(right, joiner)
  else throw new Error(`join type ${type}`)
  result.to(topicOf(p, 'out') + suffix, produced)
}

export function tableTableJoin(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  const left = b.table<string, string>(topicOf(p, 'left'), consumed)
  const right = b.table<string, string>(topicOf(p, 'right'), consumed)
  const type = textOption(p, 'type')
  let result: KTable<string, string>
  if (type === 'inner') result = left.join(right, joiner, { valueSerde: text })
  else if (type === 'left') result = left.leftJoin(right, joiner, { valueSerde: text })
  else if (type === 'outer') result = left.outerJoin(right, joiner, { valueSerde: text })
  else throw new Error(`join type ${type}`)
  result.toStream().to(topicOf(p, 'out') + suffix, produced)
}
