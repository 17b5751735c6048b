/**
 * The windowing and join scenarios of Tributary's unit tests that were ported from Kafka Streams'
 * (test/dsl/*window*, suppress, test/processors/joins), as fixed inputs for the differential
 * harness: each case reads topics of its own prefix, one partition, so a case is one task and its
 * output one sequence. The unit tests assert what Tributary was believed to do; here Kafka Streams
 * itself says what is right.
 *
 * Across two topics a task takes the record with the smallest timestamp first, and which of two
 * equal timestamps it takes is not part of Kafka's contract; a unit test pipes records in an order
 * of its own. So:
 * - stream-stream joins read both sides from one topic (SplitStreamJoin: `L:x` left, `R:x` right),
 *   which keeps the tests' timestamps and their order exactly;
 * - stream-table and table-table joins need a table read from a topic (Tributary has no
 *   KStream.toTable), so each step of the test (records piped into one topic in a row) is shifted
 *   by 100 ms per step: timestamps then order the steps as the test pipes them, and within a step
 *   (one topic, offset order) they stay as the test wrote them. Results carry the shifted times.
 */
import { CASE_KINDS, type CaseKind } from './scenarios/index.js'
import { splitStreamJoin, timeLimitCount } from './scenarios/conformance.js'
import type { CaseParams } from './scenarios/text.js'

export const CONFORMANCE_KINDS = {
  ...Object.fromEntries(Object.entries(CASE_KINDS).map(([kind, d]) => [kind, d.build])),
  SplitStreamJoin: splitStreamJoin,
  TimeLimitCount: timeLimitCount,
} as Record<ConformanceKind, typeof splitStreamJoin>

export type ConformanceKind = CaseKind | 'SplitStreamJoin' | 'TimeLimitCount'

type Role = 'in' | 'left' | 'right'
/** key, value, timestamp */
type Row = readonly [string | null, string | null, number]
export type Input = readonly [Role, string | null, string | null, number]

export interface ConformanceCase extends CaseParams {
  readonly kind: ConformanceKind
  /** The unit test it ports. */
  readonly from: string
  readonly inputs: readonly Input[]
  /** Records Kafka Streams writes at least (so that two empty outputs cannot pass). */
  readonly least: number
}

export const inputRoles = (c: ConformanceCase): Role[] => [...new Set(c.inputs.map(([role]) => role))]

const one = (rows: readonly Row[]): Input[] => rows.map(([k, v, t]) => ['in', k, v, t])
const keys = ['0', '1', '2', '3']
/** `n` records of one join side, keys 0.., values `<prefix><key>`. */
const each = (side: 'L' | 'R', prefix: string, n: number, time: (i: number) => number): Row[] =>
  keys.slice(0, n).map((k, i) => [k, `${side}:${prefix}${k}`, time(i)])
/** Steps of a two-topic test, each shifted by 100 ms (see above). */
const steps = (...list: (readonly Input[])[]): Input[] => list.flatMap((step, s) => step.map(([r, k, v, t]): Input => [r, k, v, t + 100 * s]))
const to = (role: Role, rows: readonly Row[]): Input[] => rows.map(([k, v, t]) => [role, k, v, t])
const series = (role: Role, prefix: string, n: number, time: (i: number) => number): Input[] => to(role, keys.slice(0, n).map((k, i) => [k, `${prefix}${k}`, time(i)]))

const timeWindowCases: ConformanceCase[] = [
  {
    prefix: 'tw-hopping', kind: 'WindowedAggregate', from: 'time-window-aggregate: hopping windows, out-of-order within grace', least: 29,
    options: { size: 10, advance: 5, grace: 100, suppress: false },
    inputs: one([
      ['A', '1', 0], ['B', '2', 1], ['C', '3', 2], ['D', '4', 3], ['A', '1', 4], ['A', '1', 5], ['B', '2', 6], ['D', '4', 7], ['B', '2', 8], ['C', '3', 9],
      ['A', '1', 10], ['B', '2', 11], ['D', '4', 12], ['B', '2', 13], ['C', '3', 14], ['B', '1', 3], ['B', '2', 2], ['B', '3', 9],
    ]),
  },
  {
    prefix: 'tw-hopping-late', kind: 'WindowedAggregate', from: 'time-window-aggregate: drops a record once per closed window', least: 4,
    options: { size: 10, advance: 5, grace: 90, suppress: false },
    inputs: one([['k', '100', 100], ...[0, 1, 2, 3, 4, 5, 6].map((t): Row => ['k', String(t), t])]),
  },
  {
    prefix: 'tw-tumbling-late', kind: 'WindowedAggregate', from: 'time-window-aggregate: tumbling windows with grace', least: 1,
    options: { size: 10, advance: 10, grace: 90, suppress: false },
    inputs: one([['k', '100', 200], ...[100, 101, 102, 103, 104, 105, 6].map((t): Row => ['k', String(t), t])]),
  },
  {
    prefix: 'tw-count-null-key', kind: 'WindowedCount', from: 'time-window-aggregate: counts per tumbling window, null key skipped', least: 3,
    options: { size: 60_000, advance: 60_000, grace: 0 },
    inputs: one([['r1', 'a', 1_000], ['r1', 'b', 59_999], [null, 'c', 60_000], ['r1', 'd', 60_000], ['r2', 'e', 30_000]]),
  },
  {
    prefix: 'tw-count-grace', kind: 'WindowedCount', from: 'time-window-aggregate: windowed count per key (KGroupedStreamImplTest)', least: 7,
    options: { size: 500, advance: 500, grace: 100 },
    inputs: one([['1', 'A', 0], ['2', 'B', 499], ['3', 'C', 499], ['1', 'A', 500], ['1', 'A', 500], ['2', 'B', 500], ['3', 'B', 100]]),
  },
]

const GAP = 300_000
const sessionCases: ConformanceCase[] = [
  {
    prefix: 'sw-merge', kind: 'SessionAggregate', from: 'session-window-aggregate: a record between two sessions merges them', least: 5,
    options: { gap: GAP, grace: GAP * 3, suppress: false },
    inputs: one([['mel', 'first', 0], ['mel', 'second', GAP + 1], ['mel', 'third', GAP / 2]]),
  },
  {
    prefix: 'sw-bursts', kind: 'SessionAggregate', from: 'session-window-aggregate: one session per key and burst', least: 9,
    options: { gap: GAP, grace: GAP * 3, suppress: false },
    inputs: one(([['a', 0], ['b', 0], ['c', 0], ['d', 0], ['d', GAP / 2], ['a', GAP + 1], ['b', GAP + 1], ['a', GAP + 1 + GAP / 2], ['c', GAP + 1 + GAP / 2]] as const).map(([k, t]): Row => [k, '1', t])),
  },
  {
    prefix: 'sw-merge-no-grace', kind: 'SessionAggregate', from: 'session-window-aggregate: a merged-away session is forwarded as null at once', least: 3,
    options: { gap: GAP, grace: 0, suppress: false },
    inputs: one([['a', '1', 0], ['a', '1', 5]]),
  },
  {
    prefix: 'sw-late', kind: 'SessionAggregate', from: 'session-window-aggregate: drops a record whose session closed', least: 5,
    options: { gap: 10, grace: 1, suppress: false },
    inputs: one([['dummy', 'x', 0], ['OnTime1', '1', 0], ['dummy', 'x', 11], ['OnTime2', '1', 0], ['dummy', 'x', 12], ['Late1', '1', 0]]),
  },
  {
    prefix: 'sw-grouped', kind: 'SessionAggregate', from: 'session-window-aggregate: count and reduce per session (KGroupedStreamImplTest)', least: 6,
    options: { gap: 30, grace: 100, suppress: false },
    inputs: one([['1', 'A', 10], ['2', 'Z', 15], ['1', 'B', 30], ['1', 'A', 70], ['1', 'B', 100], ['1', 'C', 90]]),
  },
]

const slidingCases: ConformanceCase[] = [
  {
    prefix: 'sl-small', kind: 'SlidingAggregate', from: 'sliding-window-aggregate: small input', least: 9,
    options: { difference: 10, grace: 50 },
    inputs: one(([['1', 10], ['2', 15], ['3', 20], ['4', 22], ['5', 30]] as const).map(([v, t]): Row => ['A', v, t])),
  },
  {
    prefix: 'sl-out-of-order', kind: 'SlidingAggregate', from: 'sliding-window-aggregate: out-of-order records', least: 6,
    options: { difference: 10, grace: 50 },
    inputs: one(([['1', 13], ['2', 20], ['3', 15], ['4', 22], ['5', 24]] as const).map(([v, t]): Row => ['A', v, t])),
  },
  {
    prefix: 'sl-early', kind: 'SlidingAggregate', from: 'sliding-window-aggregate: records before the time difference', least: 3,
    options: { difference: 10, grace: 50 },
    inputs: one(([['1', 2], ['2', 5], ['3', 8]] as const).map(([v, t]): Row => ['A', v, t])),
  },
  {
    prefix: 'sl-late', kind: 'SlidingAggregate', from: 'sliding-window-aggregate: drops records whose every window closed', least: 1,
    options: { difference: 10, grace: 0 },
    inputs: one([['A', '1', 100], ['A', '2', 50]]),
  },
]

const suppressCases: ConformanceCase[] = [
  {
    // The unit test counts after groupBy(k => k): one partition, so groupByKey gives the same sequence.
    prefix: 'sup-raw', kind: 'WindowedCount', from: 'suppress: untilWindowCloses (the raw counts)', least: 6,
    options: { size: 2, advance: 2, grace: 1 },
    inputs: one([0, 1, 2, 1, 0, 5, 0].map((t): Row => ['k1', 'v1', t])),
  },
  {
    prefix: 'sup-windows', kind: 'WindowedAggregate', from: 'suppress: untilWindowCloses emits each time window once', least: 2,
    options: { size: 2, advance: 2, grace: 1, suppress: true },
    inputs: one([0, 1, 2, 1, 0, 5, 0].map((t, i): Row => ['k1', `v${i}`, t])),
  },
  {
    prefix: 'sup-sessions', kind: 'SessionAggregate', from: 'suppress: untilWindowCloses on sessions', least: 3,
    options: { gap: 5, grace: 0, suppress: true },
    inputs: one([['k1', 'v1', 0], ['k1', 'v2', 5], ['k2', 'v3', 1], ['k1', 'v4', 30], ['k2', 'v5', 40]]),
  },
  {
    prefix: 'sup-session-close', kind: 'SessionAggregate', from: 'suppress-after-join: a session accepted at its close time is published', least: 1,
    options: { gap: 5, grace: 0, suppress: true },
    inputs: one([['B', 'c', 10], ['A', 'c', 5]]),
  },
  {
    prefix: 'sup-time-limit', kind: 'TimeLimitCount', from: 'suppress: untilTimeLimit emits the latest value once the limit passed', least: 3,
    options: { input: 'table', limit: 2, maxRecords: 0 },
    inputs: one([['k1', 'v1', 0], ['k1', 'v2', 1], ['k2', 'v1', 2], ['tick', 'tick', 3], ['tick', 'tock', 4], ['x', 'x', 5]]),
  },
  {
    prefix: 'sup-max-records', kind: 'TimeLimitCount', from: 'suppress: untilTimeLimit with maxRecords emits the oldest early', least: 1,
    options: { input: 'stream', limit: 1_000, maxRecords: 1 },
    inputs: one([['a', 'x', 0], ['a', 'x', 1], ['b', 'x', 2]]),
  },
]

const L = (v: string): string => `L:${v}`
const R = (v: string): string => `R:${v}`
const ssj = (type: string, before: number, after: number, grace: number) => ({ type, before, after, grace })
const DAY = 86_400_000
/** A test of KStreamKStreamOuterJoinTest: X records buffered on one side, expired by a record on either. */
function outerExpiry(expired: 'L' | 'R', trigger: 'L' | 'R'): ConformanceCase {
  const other = (s: 'L' | 'R'): 'L' | 'R' => (s === 'L' ? 'R' : 'L')
  return {
    prefix: `ssj-outer-expired-${expired}-by-${trigger}`, kind: 'SplitStreamJoin', least: 4,
    from: `stream-stream-outer-join: expired ${expired} records are emitted by the ${trigger} processor`,
    options: ssj('outer', 100, 100, 0),
    inputs: one([
      ['0', `${expired}:X0`, 1], ['1', `${expired}:X1`, 2], ['0', `${expired}:X0-0`, 3], ['1', `${other(expired)}:Y1`, 3],
      ['2', `${trigger}:dummy`, 401], ['2', `${other(trigger)}:other`, 402],
    ]),
  }
}

const streamStreamCases: ConformanceCase[] = [
  {
    prefix: 'ssj-inner', kind: 'SplitStreamJoin', from: 'stream-stream-join: inner join (testJoin)', least: 22,
    options: ssj('inner', 100, 100, DAY),
    inputs: one([...each('L', 'A', 2, () => 0), ...each('R', 'a', 2, () => 0), ...each('L', 'B', 4, () => 0), ...each('R', 'b', 4, () => 0), ...each('L', 'C', 4, () => 0), ...each('R', 'c', 2, () => 0)]),
  },
  {
    prefix: 'ssj-windowing', kind: 'SplitStreamJoin', from: 'stream-stream-join: window bounds inclusive (testWindowing)', least: 8,
    options: ssj('inner', 100, 100, DAY),
    inputs: one([...each('L', 'A', 4, (i) => 1000 + i), ...each('R', 'b', 4, () => 901), ...each('R', 'c', 4, () => 902), ...each('R', 'd', 4, () => 1101)]),
  },
  {
    // The unit test ends with no output; a last left record that joins makes the comparison mean something.
    prefix: 'ssj-nulls', kind: 'SplitStreamJoin', from: 'stream-stream-join: null key or value dropped', least: 1,
    options: ssj('inner', 100, 100, 0),
    inputs: one([['0', R('a0'), 0], [null, L('A'), 0], ['0', 'L', 0], ['0', L('B'), 0]]),
  },
  {
    prefix: 'ssj-left-null-key', kind: 'SplitStreamJoin', from: 'stream-stream-join: left join keyless left record (KIP-962)', least: 1,
    options: ssj('left', 100, 100, 0),
    inputs: one([[null, L('A'), 5], [null, R('b'), 6]]),
  },
  {
    prefix: 'ssj-after', kind: 'SplitStreamJoin', from: 'stream-stream-join: asymmetric windows (testAsymmetricWindowingAfter)', least: 5,
    options: ssj('inner', 0, 100, DAY),
    inputs: one([...each('L', 'A', 4, (i) => 1000 + i), ...each('R', 'b', 4, () => 999), ...each('R', 'c', 4, () => 1001), ...each('R', 'd', 4, () => 1101)]),
  },
  {
    // Kafka's testAsymmetricWindowingBefore, whose twin the unit test names but does not run.
    prefix: 'ssj-before', kind: 'SplitStreamJoin', from: 'stream-stream-join: asymmetric windows (testAsymmetricWindowingBefore)', least: 10,
    options: ssj('inner', 100, 0, DAY),
    inputs: one([...each('L', 'A', 4, (i) => 1000 + i), ...[899, 900, 903, 999, 1000, 1003, 1004].flatMap((t) => each('R', `r${t}-`, 4, () => t))]),
  },
  {
    prefix: 'ssj-left-after-0', kind: 'SplitStreamJoin', from: 'stream-stream-join: left join with after(0) (testLeftJoinedRecordsWithZeroAfterAreEmitted)', least: 13,
    options: ssj('left', 100, 0, 0),
    inputs: one([...each('L', 'A', 4, (i) => 1000 + i), ...(['a', 'b', 'c', 'd', 'e', 'f'] as const).flatMap((p, i) => each('R', p, 4, () => [999, 1000, 1001, 1002, 1003, 1100][i]!))]),
  },
  {
    prefix: 'ssj-left-grace', kind: 'SplitStreamJoin', from: 'stream-stream-join: left join, no spurious null result while a partner may come', least: 2,
    options: ssj('left', 100, 100, 10),
    inputs: one([['0', L('A0'), 1000], ['1', L('A1'), 1000], ['0', R('a0'), 1050], ['9', R('x'), 1110], ['9', R('y'), 1111], ['5', L('late-left-side-trigger'), 2000]]),
  },
  {
    prefix: 'ssj-left-late', kind: 'SplitStreamJoin', from: 'stream-stream-join: left join, a record later than its window is emitted at once', least: 1,
    options: ssj('left', 100, 100, 50),
    inputs: one([['0', L('A0'), 1000], ['1', L('old'), 800]]),
  },
  {
    prefix: 'ssj-left-duplicates', kind: 'SplitStreamJoin', from: 'stream-stream-join: left join duplicates each emitted', least: 2,
    options: ssj('left', 10, 10, 0),
    inputs: one([['0', L('A'), 100], ['0', L('B'), 100], ['7', R('tick'), 111]]),
  },
  {
    prefix: 'ssj-outer', kind: 'SplitStreamJoin', from: 'stream-stream-join: outer join, unmatched records after their windows close', least: 5,
    options: ssj('outer', 100, 100, 0),
    inputs: one([['0', L('A0'), 0], ['1', R('a1'), 0], ['2', L('A2'), 50], ['2', R('a2'), 60], ['3', L('A3'), 101], ['3', R('a3'), 150], ['9', L('A9'), 400], ['9', R('a9'), 600]]),
  },
  {
    prefix: 'ssj-outer-grace', kind: 'SplitStreamJoin', from: 'stream-stream-join: outer join honours grace', least: 2,
    options: ssj('outer', 10, 10, 20),
    inputs: one([['0', L('A0'), 100], ['1', R('b1'), 130], ['0', R('late'), 95], ['8', L('tick'), 200]]),
  },
  {
    prefix: 'ssj-retention', kind: 'SplitStreamJoin', from: 'stream-stream-join: a record older than the buffer retention', least: 4,
    options: ssj('inner', 100, 100, 0),
    inputs: one([['0', R('a-old'), 750], ['0', L('A'), 1000], ['0', R('a'), 1000], ['0', L('B'), 800], ['0', R('b'), 850], ['0', L('C'), 801], ['0', R('c'), 900]]),
  },
  {
    prefix: 'ssj-outer-duplicates', kind: 'SplitStreamJoin', from: 'stream-stream-outer-join: duplicates (testOuterJoinDuplicates)', least: 10,
    options: ssj('outer', 100, 100, 10),
    inputs: one([
      ['0', L('A0'), 0], ['0', L('A0-0'), 0], ['1', R('11'), 0], ['1', R('12'), 0], ['1', R('10'), 111], ['3', R('100'), 211],
      ['2', L('A2'), 200], ['2', L('A2-0'), 200], ['2', R('13'), 201], ['2', R('14'), 201], ['3', R('100'), 1500],
    ]),
  },
  outerExpiry('L', 'L'), outerExpiry('L', 'R'), outerExpiry('R', 'L'), outerExpiry('R', 'R'),
]

// KStreamKTableJoinTest: stream records at 0.., table rows at 10.., tombstones at 20.. (then shifted per step).
const stream = (n: number, prefix: string): Input[] => series('left', prefix, n, (i) => i)
const table = (n: number, prefix: string): Input[] => series('right', prefix, n, (i) => 10 + i)
const tombstones = (n: number): Input[] => to('right', keys.slice(0, n).map((k, i): Row => [k, null, 20 + i]))
const streamTableCases: ConformanceCase[] = [
  {
    // The unit test ends with no output; a last stream push shows the rows that arrived.
    prefix: 'stj-empty-table', kind: 'StreamTableJoin', from: 'stream-table-join: no join with an empty table, table updates never emit', least: 4,
    options: { type: 'inner' }, inputs: steps(stream(4, 'X'), table(4, 'Y'), stream(4, 'Z')),
  },
  {
    prefix: 'stj-rows', kind: 'StreamTableJoin', from: 'stream-table-join: joins only stream records that find a row', least: 6,
    options: { type: 'inner' }, inputs: steps(table(2, 'Y'), stream(4, 'X'), table(4, 'YY'), stream(4, 'X')),
  },
  {
    prefix: 'stj-tombstone', kind: 'StreamTableJoin', from: 'stream-table-join: a table tombstone removes the row', least: 6,
    options: { type: 'inner' }, inputs: steps(table(4, 'Y'), stream(4, 'X'), tombstones(2), stream(4, 'XX')),
  },
  {
    // The unit test ends with no output; a last stream record that joins follows.
    prefix: 'stj-nulls', kind: 'StreamTableJoin', from: 'stream-table-join: drops stream records with a null key or value', least: 1,
    options: { type: 'inner' }, inputs: steps(table(1, 'Y'), to('left', [[null, 'A', 0], ['0', null, 0], ['0', 'B', 0]])),
  },
  {
    prefix: 'stj-left', kind: 'StreamTableJoin', from: 'stream-table-join: left join (KStreamKTableLeftJoinTest)', least: 8,
    options: { type: 'left' }, inputs: steps(stream(2, 'X'), table(2, 'Y'), stream(4, 'X'), tombstones(1), stream(2, 'XX')),
  },
  {
    prefix: 'stj-left-nulls', kind: 'StreamTableJoin', from: 'stream-table-join: left join drops a null value, joins a keyless record (KIP-962)', least: 1,
    options: { type: 'left' }, inputs: to('left', [['0', null, 0], [null, 'A', 5]]),
  },
]

/** KTableKTable{Inner,Left,Outer}JoinTest.testJoin, one step per topic run. */
const tableTableSteps = steps(
  [...series('left', 'X', 2, (i) => 5 + i), ['left', null, 'SomeVal', 42]],
  [...series('right', 'Y', 2, (i) => 10 * i), ['right', null, 'AnotherVal', 73]],
  series('left', 'XX', 4, () => 7),
  series('right', 'YY', 4, (i) => 5 * i),
  series('left', 'XXX', 4, () => 6),
  to('right', [['0', null, 5], ['1', null, 7]]),
  series('left', 'XXXX', 4, () => 13),
  to('left', [['0', null, 0], ['1', null, 42], ['2', null, 5], ['3', null, 20]]),
)
const tableTableCases: ConformanceCase[] = (['inner', 'left', 'outer'] as const).map((type) => ({
  prefix: `ttj-${type}`, kind: 'TableTableJoin', from: `table-table-join: ${type} join, the sequence of KTableKTable*JoinTest.testJoin`,
  least: type === 'inner' ? 18 : 26, options: { type }, inputs: tableTableSteps,
}))

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...timeWindowCases, ...sessionCases, ...slidingCases, ...suppressCases, ...streamStreamCases, ...streamTableCases, ...tableTableCases,
]
