import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { int, rows, storeEngines, str, toStringJoiner } from './fixtures.js'

type JoinKind = 'join' | 'leftJoin' | 'outerJoin'

function joinTopology(kind: JoinKind, windows: JoinWindows) {
  const builder = new StreamsBuilder()
  const left = builder.stream<number, string>('topic1', { keySerde: int, valueSerde: str })
  const right = builder.stream<number, string>('topic2', { keySerde: int, valueSerde: str })
  const joined =
    kind === 'join'
      ? left.join(right, toStringJoiner, windows)
      : kind === 'leftJoin'
        ? left.leftJoin(right, toStringJoiner, windows)
        : left.outerJoin(right, toStringJoiner, windows)
  joined.to('out', { keySerde: int, valueSerde: str })
  return builder.build()
}

describe.each(storeEngines)('stream-stream joins (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(kind: JoinKind, windows: JoinWindows) {
    const topology = joinTopology(kind, windows)
    driver = new TopologyTestDriver(topology, { stateStores })
    return {
      topology,
      left: driver.createInputTopic('topic1', int, str),
      right: driver.createInputTopic('topic2', int, str),
      out: driver.createOutputTopic('out', int, str),
    }
  }

  it('inner join: every pair within the window, each result once (KStreamKStreamJoinTest.testJoin)', async () => {
    const { left, right, out, topology } = start('join', JoinWindows.ofTimeDifferenceAndGrace(100, 86_400_000))
    expect(topology.copartitionGroups).toEqual([['topic1', 'topic2']])
    for (const k of [0, 1]) await left.pipeInput(k, `A${k}`, 0)
    expect(rows(out)).toEqual([])
    for (const k of [0, 1]) await right.pipeInput(k, `a${k}`, 0)
    expect(rows(out)).toEqual([[0, 'A0+a0', 0], [1, 'A1+a1', 0]])
    for (const k of [0, 1, 2, 3]) await left.pipeInput(k, `B${k}`, 0)
    expect(rows(out)).toEqual([[0, 'B0+a0', 0], [1, 'B1+a1', 0]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `b${k}`, 0)
    expect(rows(out)).toEqual([
      [0, 'A0+b0', 0], [0, 'B0+b0', 0], [1, 'A1+b1', 0], [1, 'B1+b1', 0], [2, 'B2+b2', 0], [3, 'B3+b3', 0],
    ])
    for (const k of [0, 1, 2, 3]) await left.pipeInput(k, `C${k}`, 0)
    expect(rows(out)).toEqual([
      [0, 'C0+a0', 0], [0, 'C0+b0', 0], [1, 'C1+a1', 0], [1, 'C1+b1', 0], [2, 'C2+b2', 0], [3, 'C3+b3', 0],
    ])
    for (const k of [0, 1]) await right.pipeInput(k, `c${k}`, 0)
    expect(rows(out)).toEqual([
      [0, 'A0+c0', 0], [0, 'B0+c0', 0], [0, 'C0+c0', 0], [1, 'A1+c1', 0], [1, 'B1+c1', 0], [1, 'C1+c1', 0],
    ])
  })

  it('inner join: the window bounds are inclusive and the result has the larger timestamp (testWindowing)', async () => {
    const { left, right, out } = start('join', JoinWindows.ofTimeDifferenceAndGrace(100, 86_400_000))
    const t0 = 1000
    for (const k of [0, 1, 2, 3]) await left.pipeInput(k, `A${k}`, t0 + k)
    // A right record at r joins left records at l with l - 100 <= r: 901 reaches A0 (1000) and A1 (1001), not A2.
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `b${k}`, t0 - 100 + 1)
    expect(rows(out)).toEqual([[0, 'A0+b0', 1000], [1, 'A1+b1', 1001]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `c${k}`, t0 - 101 + 3)
    expect(rows(out)).toEqual([[0, 'A0+c0', 1000], [1, 'A1+c1', 1001], [2, 'A2+c2', 1002]])
    // Right records after the left ones: timestamps up to left + 100 join, and the result carries the right's time.
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `d${k}`, t0 + 101)
    expect(rows(out)).toEqual([[1, 'A1+d1', 1101], [2, 'A2+d2', 1101], [3, 'A3+d3', 1101]])
  })

  it('inner join: records with a null key or value are dropped and counted', async () => {
    const { left, right, out } = start('join', JoinWindows.ofTimeDifferenceWithNoGrace(100))
    await right.pipeInput(0, 'a0', 0)
    await left.pipeInput(null, 'A', 0)
    await left.pipeInput(0, null, 0)
    expect(rows(out)).toEqual([])
    expect(driver?.metrics().droppedRecordsByReason).toMatchObject({ 'null-key': 1, 'null-value': 1 })
  })

  it('left join: a keyless left record is emitted at once with a null partner (KIP-962); a keyless right one is dropped', async () => {
    const { left, right, out } = start('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100))
    await left.pipeInput(null, 'A', 5)
    await right.pipeInput(null, 'b', 6)
    expect(rows(out)).toEqual([[null, 'A+null', 5]])
    expect(driver?.metrics().droppedRecordsByReason['null-key']).toBe(1)
  })

  it('asymmetric windows: before() and after() bound each side (testAsymmetricWindowingAfter / Before)', async () => {
    const { left, right, out } = start('join', JoinWindows.ofTimeDifferenceAndGrace(0, 86_400_000).after(100))
    const t0 = 1000
    for (const k of [0, 1, 2, 3]) await left.pipeInput(k, `A${k}`, t0 + k)
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `b${k}`, t0 - 1)
    expect(rows(out)).toEqual([])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `c${k}`, t0 + 1)
    expect(rows(out)).toEqual([[0, 'A0+c0', 1001], [1, 'A1+c1', 1001]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `d${k}`, t0 + 101)
    expect(rows(out)).toEqual([[1, 'A1+d1', 1101], [2, 'A2+d2', 1101], [3, 'A3+d3', 1101]])
  })

  it('left join with after(0): unmatched left records are emitted only once their window closed (testLeftJoinedRecordsWithZeroAfterAreEmitted)', async () => {
    const { left, right, out } = start('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0))
    for (const [i, k] of [0, 1, 2, 3].entries()) await left.pipeInput(k, `A${k}`, 1000 + i)
    expect(rows(out)).toEqual([[0, 'A0+null', 1000], [1, 'A1+null', 1001], [2, 'A2+null', 1002]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `a${k}`, 999)
    expect(rows(out)).toEqual([[0, 'A0+a0', 1000], [1, 'A1+a1', 1001], [2, 'A2+a2', 1002], [3, 'A3+a3', 1003]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `b${k}`, 1000)
    expect(rows(out)).toEqual([[0, 'A0+b0', 1000], [1, 'A1+b1', 1001], [2, 'A2+b2', 1002], [3, 'A3+b3', 1003]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `c${k}`, 1001)
    expect(rows(out)).toEqual([[1, 'A1+c1', 1001], [2, 'A2+c2', 1002], [3, 'A3+c3', 1003]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `d${k}`, 1002)
    expect(rows(out)).toEqual([[2, 'A2+d2', 1002], [3, 'A3+d3', 1003]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `e${k}`, 1003)
    expect(rows(out)).toEqual([[3, 'A3+e3', 1003]])
    for (const k of [0, 1, 2, 3]) await right.pipeInput(k, `f${k}`, 1100)
    expect(rows(out)).toEqual([])
  })

  it('left join: no spurious null result while a partner may still come; a later match replaces it', async () => {
    const { left, right, out } = start('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    await left.pipeInput(0, 'A0', 1000)
    await left.pipeInput(1, 'A1', 1000)
    expect(rows(out)).toEqual([])
    await right.pipeInput(0, 'a0', 1050)
    expect(rows(out)).toEqual([[0, 'A0+a0', 1050]])
    // Stream time 1110 = 1000 + after (100) + grace (10): A1's window has not closed yet.
    await right.pipeInput(9, 'x', 1110)
    expect(rows(out)).toEqual([])
    await right.pipeInput(9, 'y', 1111)
    expect(rows(out)).toEqual([[1, 'A1+null', 1000]])
    // Unmatched right records never produce output in a left join.
    await left.pipeInput(5, 'late-left-side-trigger', 2000)
    expect(rows(out)).toEqual([])
  })

  it('left join: a record later than its whole window is emitted at once (out of order beyond the window)', async () => {
    const { left, out } = start('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 50))
    await left.pipeInput(0, 'A0', 1000)
    await left.pipeInput(1, 'old', 800)
    expect(rows(out)).toEqual([[1, 'old+null', 800]])
  })

  it('left join: duplicates with the same key and timestamp are each emitted', async () => {
    const { left, right, out } = start('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10))
    await left.pipeInput(0, 'A', 100)
    await left.pipeInput(0, 'B', 100)
    await right.pipeInput(7, 'tick', 111)
    expect(rows(out)).toEqual([[0, 'A+null', 100], [0, 'B+null', 100]])
  })

  it('outer join: unmatched records of both sides come out after their windows close, oldest first', async () => {
    const { left, right, out } = start('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100))
    await left.pipeInput(0, 'A0', 0)
    await right.pipeInput(1, 'a1', 0)
    await left.pipeInput(2, 'A2', 50)
    await right.pipeInput(2, 'a2', 60)
    expect(rows(out)).toEqual([[2, 'A2+a2', 60]])
    await left.pipeInput(3, 'A3', 101)
    // The right side sorts before the left at the same timestamp (Kafka Streams' store order).
    expect(rows(out)).toEqual([[1, 'null+a1', 0], [0, 'A0+null', 0]])
    await right.pipeInput(3, 'a3', 150)
    expect(rows(out)).toEqual([[3, 'A3+a3', 150]])
    await left.pipeInput(9, 'A9', 400)
    expect(rows(out)).toEqual([])
    await right.pipeInput(9, 'a9', 600)
    expect(rows(out)).toEqual([[9, 'A9+null', 400]])
  })

  it('outer join: the shared store honours grace before emitting', async () => {
    const { left, right, out } = start('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 20))
    await left.pipeInput(0, 'A0', 100)
    await right.pipeInput(1, 'b1', 130)
    expect(rows(out)).toEqual([])
    await right.pipeInput(0, 'late', 95)
    // Within grace: joined (result timestamp: the larger) and no null result for A0 afterwards.
    expect(rows(out)).toEqual([[0, 'A0+late', 100]])
    await left.pipeInput(8, 'tick', 200)
    expect(rows(out)).toEqual([[1, 'null+b1', 130]])
  })

  it('a record older than the join buffer retention still joins what it finds but is counted as dropped (late), not buffered', async () => {
    // Window 100 ms each way, grace 0: the buffers keep 200 ms behind stream time.
    const { left, right, out } = start('join', JoinWindows.ofTimeDifferenceAndGrace(100, 0))
    await right.pipeInput(0, 'a-old', 750)
    await left.pipeInput(0, 'A', 1000)
    await right.pipeInput(0, 'a', 1000)
    expect(rows(out)).toEqual([[0, 'A+a', 1000]])
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(0)

    // 800 is exactly stream time - retention: no longer live in the buffer.
    await left.pipeInput(0, 'B', 800)
    expect(rows(out)).toEqual([])
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)
    // A right record within 100 ms of B does not find it: B was never buffered.
    await right.pipeInput(0, 'b', 850)
    expect(rows(out)).toEqual([])
    expect(driver!.metrics().droppedRecordsByReason.late).toBe(1)

    // 801 is still inside retention: buffered, and found by a later right record.
    await left.pipeInput(0, 'C', 801)
    expect(rows(out)).toEqual([[0, 'C+b', 850]])
    await right.pipeInput(0, 'c', 900)
    expect(rows(out)).toEqual([[0, 'C+c', 900], [0, 'A+c', 1000]])
    expect(driver!.metrics().droppedRecordsByReason).toMatchObject({ late: 1, 'null-key': 0 })
  })

  it('describe() shows the windowed, join and merge nodes with their stores', () => {
    const topology = joinTopology('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100))
    expect(topology.describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [topic1])',
        '      --> KSTREAM-WINDOWED-0000000002',
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [topic2])',
        '      --> KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])',
        '      --> KSTREAM-JOINTHIS-0000000004',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])',
        '      --> KSTREAM-OUTEROTHER-0000000005',
        '      <-- KSTREAM-SOURCE-0000000001',
        '    Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000002',
        '    Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])',
        '      --> KSTREAM-MERGE-0000000006',
        '      <-- KSTREAM-WINDOWED-0000000003',
        '    Processor: KSTREAM-MERGE-0000000006 (stores: [])',
        '      --> KSTREAM-SINK-0000000007',
        '      <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-OUTEROTHER-0000000005',
        '    Sink: KSTREAM-SINK-0000000007 (topic: out)',
        '      <-- KSTREAM-MERGE-0000000006',
        '',
        '',
      ].join('\n'),
    )
  })
})
