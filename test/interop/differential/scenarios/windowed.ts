/** Windowed aggregations, twins of WindowedCount, WindowedAggregate, SessionAggregate and SlidingAggregate.java. */
import type { StreamsBuilder } from '../../../../src/dsl/index.js'
import { SessionWindows, SlidingWindows, Suppressed, TimeWindows } from '../../../../src/dsl/index.js'
import { consumed, numberOption, produced, text, textOption, topicOf, windowedText, type CaseParams } from './text.js'

function timeWindows(p: CaseParams): TimeWindows {
  return TimeWindows.ofSizeAndGrace(numberOption(p, 'size'), numberOption(p, 'grace')).advanceBy(numberOption(p, 'advance'))
}

function groupedInput(b: StreamsBuilder, p: CaseParams) {
  return b.stream<string, string>(topicOf(p, 'in'), consumed).groupByKey(consumed)
}

export function windowedCount(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  groupedInput(b, p)
    .windowedBy(timeWindows(p))
    .count()
    .toStream()
    .map((key, count) => [windowedText(key), count === null ? null : String(count)])
    .to(topicOf(p, 'out') + suffix, produced)
}

export function windowedAggregate(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  let table = groupedInput(b, p)
    .windowedBy(timeWindows(p))
    .aggregate(() => 'i', (_key, value, aggregate) => `${aggregate},${value}`, { valueSerde: text })
  if (textOption(p, 'suppress') === 'true') table = table.suppress(Suppressed.untilWindowCloses())
  table.toStream().map((key, aggregate) => [windowedText(key), aggregate]).to(topicOf(p, 'out') + suffix, produced)
}

export function sessionAggregate(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  let table = groupedInput(b, p)
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(numberOption(p, 'gap'), numberOption(p, 'grace')))
    .aggregate(() => 'i', (_key, value, aggregate) => `${aggregate},${value}`, (_key, a, b) => `${a}|${b}`, { valueSerde: text })
  if (textOption(p, 'suppress') === 'true') table = table.suppress(Suppressed.untilWindowCloses())
  table.toStream().map((key, aggregate) => [windowedText(key), aggregate]).to(topicOf(p, 'out') + suffix, produced)
}

export function slidingAggregate(b: StreamsBuilder, p: CaseParams, suffix: string): void {
  groupedInput(b, p)
    .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(numberOption(p, 'difference'), numberOption(p, 'grace')))
    .aggregate(() => 'i', (_key, value, aggregate) => `${aggregate},${value}`, { valueSerde: text })
    .toStream()
    .map((key, aggregate) => [windowedText(key), aggregate])
    .to(topicOf(p, 'out') + suffix, produced)
}
