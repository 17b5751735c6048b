// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKStreamLeftJoinTest.java
//
// Java captures the join result with MockApiProcessorSupplier; here it is written to an output topic
// and read back with key, value and timestamp. MockValueJoiner.TOSTRING_JOINER is `${v1}+${v2}`.
// Not ported (see the report): testLeftJoinWithSpuriousResultFixDisabledOldApi and
// testLeftJoinDuplicatesWithSpuriousResultFixDisabledOldApi need the deprecated `JoinWindows.of()`
// (old, spurious-result semantics), which Tributary does not have.
import { afterEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { TestInputTopic, TestOutputTopic } from '../../src/testing/index.js'
import type { Topology } from '../../src/topology/topology.js'

const topic1 = 'topic1'
const topic2 = 'topic2'
const output = 'output'
const int = Serdes.int32()
const str = Serdes.string()
const TOSTRING_JOINER = (v1: string | null, v2: string | null): string => `${String(v1)}+${String(v2)}`

type KVT = readonly [number, string, number]

interface Harness {
  readonly topology: Topology
  readonly driver: TopologyTestDriver
  readonly inputTopic1: TestInputTopic<number, string>
  readonly inputTopic2: TestInputTopic<number, string>
  /** processor.checkAndClearProcessResult(...) */
  check(...expected: KVT[]): void
}

let open: TopologyTestDriver | undefined

afterEach(async () => {
  await open?.close()
  open = undefined
})

/** stream1.leftJoin(stream2, TOSTRING_JOINER, windows, StreamJoined.with(Integer, String, String)) */
function leftJoin(windows: JoinWindows, stateStores: 'memory' | 'rocksdb' = 'memory'): Harness {
  const builder = new StreamsBuilder()
  const stream1 = builder.stream<number, string>(topic1, { keySerde: int, valueSerde: str })
  const stream2 = builder.stream<number, string>(topic2, { keySerde: int, valueSerde: str })
  stream1
    .leftJoin(stream2, TOSTRING_JOINER, windows, { keySerde: int, valueSerde: str, otherValueSerde: str })
    .to(output, { keySerde: int, valueSerde: str })
  const topology = builder.build()
  const driver = new TopologyTestDriver(topology, { stateStores })
  open = driver
  const inputTopic1 = driver.createInputTopic(topic1, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const inputTopic2 = driver.createInputTopic(topic2, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const out: TestOutputTopic<number, string> = driver.createOutputTopic(output, int, str)
  return {
    topology,
    driver,
    inputTopic1,
    inputTopic2,
    check(...expected) {
      expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual(expected)
    },
  }
}

function expectCopartitioned(topology: Topology): void {
  expect(topology.copartitionGroups.length).toBe(1)
  expect(new Set(topology.copartitionGroups[0])).toEqual(new Set([topic1, topic2]))
}

const expectedKeys = [0, 1, 2, 3]

describe('KStreamKStreamLeftJoinTest', () => {
  it('testLeftJoinDuplicates', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    const { inputTopic1, inputTopic2 } = h

    // verifies non-joined duplicates are emitted when window has closed
    await inputTopic1.pipeInput(0, 'A0', 0)
    await inputTopic1.pipeInput(0, 'A0-0', 0)
    await inputTopic2.pipeInput(1, 'a0', 111)
    // bump stream-time to trigger left-join results
    await inputTopic2.pipeInput(2, 'dummy', 500)
    h.check([0, 'A0+null', 0], [0, 'A0-0+null', 0])

    // verifies joined duplicates are emitted
    await inputTopic1.pipeInput(2, 'A2', 1000)
    await inputTopic1.pipeInput(2, 'A2-0', 1000)
    await inputTopic2.pipeInput(2, 'a2', 1001)
    h.check([2, 'A2+a2', 1001], [2, 'A2-0+a2', 1001])

    // this record should expired non-joined records, but because A2 and A2-0 are joined and
    // emitted already, then they won't be emitted again
    await inputTopic2.pipeInput(3, 'a3', 315)
    h.check()
  })

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic1.pipeInput(0, 'A0', windowStart + 1)
    await inputTopic1.pipeInput(1, 'A1', windowStart + 2)
    await inputTopic1.pipeInput(0, 'A0-0', windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic2.pipeInput(1, 'a1', windowStart + 3)
    h.check([1, 'A1+a1', windowStart + 3])

    // Dummy record in left topic will emit expired non-joined records from the left topic
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 401)
    h.check([0, 'A0+null', windowStart + 1], [0, 'A0-0+null', windowStart + 3])

    // Flush internal non-joined state store by joining the dummy record
    await inputTopic2.pipeInput(2, 'dummy', windowStart + 401)
    h.check([2, 'dummy+dummy', windowStart + 401])
  })

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheRightProcessor', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic1.pipeInput(0, 'A0', windowStart + 1)
    await inputTopic1.pipeInput(1, 'A1', windowStart + 2)
    await inputTopic1.pipeInput(0, 'A0-0', windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic2.pipeInput(1, 'a1', windowStart + 3)
    h.check([1, 'A1+a1', windowStart + 3])

    // Dummy record in right topic will emit expired non-joined records from the left topic
    await inputTopic2.pipeInput(2, 'dummy', windowStart + 401)
    h.check([0, 'A0+null', windowStart + 1], [0, 'A0-0+null', windowStart + 3])

    // Flush internal non-joined state store by joining the dummy record
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 402)
    h.check([2, 'dummy+dummy', windowStart + 402])
  })

  it('testRightNonJoinedRecordsAreNeverEmittedByTheLeftProcessor', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic2.pipeInput(0, 'A0', windowStart + 1)
    await inputTopic2.pipeInput(1, 'A1', windowStart + 2)
    await inputTopic2.pipeInput(0, 'A0-0', windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic1.pipeInput(1, 'a1', windowStart + 3)
    h.check([1, 'a1+A1', windowStart + 3])

    // Dummy record in left topic will not emit records
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 401)
    h.check()

    // Process the dummy joined record
    await inputTopic2.pipeInput(2, 'dummy', windowStart + 402)
    h.check([2, 'dummy+dummy', windowStart + 402])
  })

  it('testRightNonJoinedRecordsAreNeverEmittedByTheRightProcessor', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic2.pipeInput(0, 'A0', windowStart + 1)
    await inputTopic2.pipeInput(1, 'A1', windowStart + 2)
    await inputTopic2.pipeInput(0, 'A0-0', windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic1.pipeInput(1, 'a1', windowStart + 3)
    h.check([1, 'a1+A1', windowStart + 3])

    // Dummy record in right topic will not emit records
    await inputTopic2.pipeInput(2, 'dummy', windowStart + 401)
    h.check()

    // Process the dummy joined record
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 402)
    h.check([2, 'dummy+dummy', windowStart + 402])
  })

  it('testLeftJoinedRecordsWithZeroAfterAreEmitted', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0))
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)

    // push four items with increasing timestamps to the primary stream; the other window is empty;
    // this should emit the first three left-joined items; A3 is not triggered yet
    let time = 1000
    for (let i = 0; i < expectedKeys.length; i++) {
      await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time + i)
    }
    h.check([0, 'A0+null', 1000], [1, 'A1+null', 1001], [2, 'A2+null', 1002])

    // push four items smaller timestamps (out of window) to the secondary stream;
    // this should produce four joined items
    time = 1000 - 1
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `a${k}`, time)
    h.check([0, 'A0+a0', 1000], [1, 'A1+a1', 1001], [2, 'A2+a2', 1002], [3, 'A3+a3', 1003])

    // push four items with increased timestamps to the secondary stream;
    // this should produce four joined item
    time += 1
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `b${k}`, time)
    h.check([0, 'A0+b0', 1000], [1, 'A1+b1', 1001], [2, 'A2+b2', 1002], [3, 'A3+b3', 1003])

    // push four items with increased timestamps to the secondary stream;
    // this should produce only three joined items; c0 arrives too late to be joined with A0
    time += 1
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `c${k}`, time)
    h.check([1, 'A1+c1', 1001], [2, 'A2+c2', 1002], [3, 'A3+c3', 1003])

    // push four items with increased timestamps to the secondary stream;
    // this should produce only two joined items; d0 and d1 arrive too late to be joined with A0 and A1
    time += 1
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `d${k}`, time)
    h.check([2, 'A2+d2', 1002], [3, 'A3+d3', 1003])

    // push four items with increased timestamps to the secondary stream;
    // this should produce one joined item; only e3 can be joined with A3
    time += 1
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `e${k}`, time)
    h.check([3, 'A3+e3', 1003])

    // push four items with larger timestamps to the secondary stream;
    // no (non-)joined items can be produced
    time = 1000 + 100
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `f${k}`, time)
    h.check()
  })

  // Java runs runLeftJoin with Stores.inMemoryWindowStore suppliers
  // (StreamJoined.withThisStoreSupplier/withOtherStoreSupplier); Tributary picks the store engine
  // per driver: this variant runs on in-memory stores.
  it('testLeftJoinWithInMemoryCustomSuppliers', async () => {
    await runLeftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0), 'memory')
  })

  // Kafka's default suppliers are RocksDB stores: this variant runs on Tributary's RocksDB stores.
  it('testLeftJoinWithDefaultSuppliers', async () => {
    await runLeftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100), 'rocksdb')
  })

  async function runLeftJoin(windows: JoinWindows, stateStores: 'memory' | 'rocksdb'): Promise<void> {
    const h = leftJoin(windows, stateStores)
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)

    // 2 window stores + 1 shared window store should be available
    expect(h.topology.stores.size).toBe(3)

    // push two items to the primary stream; the other window is empty
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`)
    h.check()

    // push two items to the other stream; this should produce two items
    for (let i = 0; i < 2; i++) await inputTopic2.pipeInput(expectedKeys[i]!, `a${expectedKeys[i]}`)
    h.check([0, 'A0+a0', 0], [1, 'A1+a1', 0])

    // push three items to the primary stream; this should produce two joined items
    for (let i = 0; i < 3; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `B${expectedKeys[i]}`)
    h.check([0, 'B0+a0', 0], [1, 'B1+a1', 0])

    // push all items to the other stream; this should produce five items
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `b${k}`)
    h.check([0, 'A0+b0', 0], [0, 'B0+b0', 0], [1, 'A1+b1', 0], [1, 'B1+b1', 0], [2, 'B2+b2', 0])

    // push all four items to the primary stream; this should produce six joined items
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `C${k}`)
    h.check([0, 'C0+a0', 0], [0, 'C0+b0', 0], [1, 'C1+a1', 0], [1, 'C1+b1', 0], [2, 'C2+b2', 0], [3, 'C3+b3', 0])

    // push a dummy record that should expire non-joined items; it should not produce any items because
    // all of them are joined
    await inputTopic1.pipeInput(0, 'dummy', 1000)
    h.check()
  }

  it('testOrdering', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h

    // push two items to the primary stream; the other window is empty; this should not produce any item yet
    await inputTopic1.pipeInput(0, 'A0', 0)
    await inputTopic1.pipeInput(1, 'A1', 100)
    h.check()

    // push one item to the other window that has a join; this should produce the joined record first;
    // then non-joined record with a closed window by the time they were produced before
    await inputTopic2.pipeInput(1, 'a1', 110)
    h.check([0, 'A0+null', 0], [1, 'A1+a1', 110])
  })

  it('testGracePeriod', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)

    // push two items to the primary stream; the other window is empty; this should not produce items because window has not closed
    let time = 0
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time)
    h.check()

    // push two items to the other stream with a window time after the previous window ended (not closed); this should not produce
    // joined records because the window has ended, but not closed.
    time += 101
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `a${k}`, time)
    h.check()

    // push a dummy item to the other stream after the window is closed; this should only produced the expired non-joined records, but
    // not the joined records because the window has closed
    time += 1100
    await inputTopic2.pipeInput(0, 'dummy', time)
    h.check([0, 'A0+null', 0], [1, 'A1+null', 0])
  })

  it('testWindowing', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)
    const time = 0

    // push two items to the primary stream; the other window is empty; this should not produce any items
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time)
    h.check()

    // push four items to the other stream; this should produce two full-join items
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, `a${k}`, time)
    h.check([0, 'A0+a0', 0], [1, 'A1+a1', 0])

    await testUpperWindowBound(h)
    await testLowerWindowBound(h)
  })

  it('shouldNotEmitLeftJoinResultForAsymmetricWindow', async () => {
    const h = leftJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0))
    const { inputTopic1, inputTopic2 } = h
    let time = 0

    // push two items to the primary stream; the other window is empty; this should not produce any items
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time + i)
    h.check()

    // push one item to the other stream; this should produce one full-join item
    time += 100
    await inputTopic2.pipeInput(expectedKeys[0]!, `a${expectedKeys[0]}`, time)
    h.check([0, 'A0+a0', 100])

    // push one item to the other stream; this should produce one left-join item
    time += 2
    await inputTopic2.pipeInput(expectedKeys[1]!, `a${expectedKeys[1]}`, time)
    h.check([1, 'A1+null', 1])
  })

  async function testUpperWindowBound(h: Harness): Promise<void> {
    const inputTopic1 = h.driver.createInputTopic(topic1, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
    const inputTopic2 = h.driver.createInputTopic(topic2, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })

    // push four items with larger and increasing timestamp (out of window) to the other stream; this should produce no items
    let time = 1000
    for (let i = 0; i < expectedKeys.length; i++) await inputTopic2.pipeInput(expectedKeys[i]!, `b${expectedKeys[i]}`, time + i)
    h.check()

    // push four items with larger timestamp to the primary stream; this should produce four full-join items
    time = 1000 + 100
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `B${k}`, time)
    h.check([0, 'B0+b0', 1100], [1, 'B1+b1', 1100], [2, 'B2+b2', 1100], [3, 'B3+b3', 1100])

    // push four items with increased timestamp to the primary stream; this should produce three full-join items (non-joined item is not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `C${k}`, time)
    h.check([1, 'C1+b1', 1101], [2, 'C2+b2', 1101], [3, 'C3+b3', 1101])

    // push four items with increased timestamp to the primary stream; this should produce two full-join items (non-joined items are not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `D${k}`, time)
    h.check([2, 'D2+b2', 1102], [3, 'D3+b3', 1102])

    // push four items with increased timestamp to the primary stream; this should produce one full-join items (three non-joined left-join are not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `E${k}`, time)
    h.check([3, 'E3+b3', 1103])

    // push four items with increased timestamp to the primary stream; this should produce no full-join items (four non-joined left-join are not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `F${k}`, time)
    h.check()

    // push a dummy record to produce all left-join non-joined items
    time += 301
    await inputTopic1.pipeInput(0, 'dummy', time)
    h.check(
      [0, 'C0+null', 1101],
      [0, 'D0+null', 1102],
      [1, 'D1+null', 1102],
      [0, 'E0+null', 1103],
      [1, 'E1+null', 1103],
      [2, 'E2+null', 1103],
      [0, 'F0+null', 1104],
      [1, 'F1+null', 1104],
      [2, 'F2+null', 1104],
      [3, 'F3+null', 1104],
    )
  }

  async function testLowerWindowBound(h: Harness): Promise<void> {
    const inputTopic1 = h.driver.createInputTopic(topic1, int, str)

    // push four items with smaller timestamp (before the window) to the primary stream; this should produce four left-join and no full-join items
    let time = 1000 - 100 - 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `G${k}`, time)
    h.check([0, 'G0+null', 899], [1, 'G1+null', 899], [2, 'G2+null', 899], [3, 'G3+null', 899])

    // push four items with increase timestamp to the primary stream; this should produce three left-join and one full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `H${k}`, time)
    h.check([0, 'H0+b0', 1000], [1, 'H1+null', 900], [2, 'H2+null', 900], [3, 'H3+null', 900])

    // push four items with increase timestamp to the primary stream; this should produce two left-join and two full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `I${k}`, time)
    h.check([0, 'I0+b0', 1000], [1, 'I1+b1', 1001], [2, 'I2+null', 901], [3, 'I3+null', 901])

    // push four items with increase timestamp to the primary stream; this should produce one left-join and three full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `J${k}`, time)
    h.check([0, 'J0+b0', 1000], [1, 'J1+b1', 1001], [2, 'J2+b2', 1002], [3, 'J3+null', 902])

    // push four items with increase timestamp to the primary stream; this should produce one left-join and three full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `K${k}`, time)
    h.check([0, 'K0+b0', 1000], [1, 'K1+b1', 1001], [2, 'K2+b2', 1002], [3, 'K3+b3', 1003])

    // push a dummy record that should expire non-joined items; it should produce only the dummy+null record because
    // all previous late records were emitted immediately
    await inputTopic1.pipeInput(0, 'dummy', time + 300)
    h.check([0, 'dummy+null', 1203])
  }
})
