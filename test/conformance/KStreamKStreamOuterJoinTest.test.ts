// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamKStreamOuterJoinTest.java
//
// Java captures the join result with MockApiProcessorSupplier; here it is written to an output topic
// and read back with key, value and timestamp (and headers for testShouldForwardCurrentHeaders).
// MockValueJoiner.TOSTRING_JOINER is `${v1}+${v2}`; the Long values of topic2 are bigints (Serdes.int64()).
// Not ported (see the report): testOuterJoinDuplicatesWithFixDisabledOldApi needs the deprecated
// `JoinWindows.of()` (old, spurious-result semantics); testShouldJoinWithNonTimestampedStore checks
// through a DslStoreSuppliers subclass and WrappedStateStore.isTimestamped() which kind of Java store
// class the join builds.
import { afterEach, describe, expect, it } from 'vitest'
import type { Headers } from '../../src/core/record.js'
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
const long = Serdes.int64()
const TOSTRING_JOINER = (v1: string | null, v2: bigint | null): string => `${String(v1)}+${String(v2)}`

type KVT = readonly [number, string, number]

interface Harness {
  readonly topology: Topology
  readonly driver: TopologyTestDriver
  readonly inputTopic1: TestInputTopic<number, string>
  readonly inputTopic2: TestInputTopic<number, bigint>
  readonly out: TestOutputTopic<number, string>
  /** processor.checkAndClearProcessResult(...) */
  check(...expected: KVT[]): void
}

let open: TopologyTestDriver | undefined

afterEach(async () => {
  await open?.close()
  open = undefined
})

/** stream1.outerJoin(stream2, TOSTRING_JOINER, windows, StreamJoined.with(Integer, String, Long)) */
function outerJoin(windows: JoinWindows, stateStores: 'memory' | 'rocksdb' = 'memory'): Harness {
  const builder = new StreamsBuilder()
  const stream1 = builder.stream<number, string>(topic1, { keySerde: int, valueSerde: str })
  const stream2 = builder.stream<number, bigint>(topic2, { keySerde: int, valueSerde: long })
  stream1
    .outerJoin(stream2, TOSTRING_JOINER, windows, { keySerde: int, valueSerde: str, otherValueSerde: long })
    .to(output, { keySerde: int, valueSerde: str })
  const topology = builder.build()
  const driver = new TopologyTestDriver(topology, { stateStores })
  open = driver
  const inputTopic1 = driver.createInputTopic(topic1, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const inputTopic2 = driver.createInputTopic(topic2, int, long, { startTimestampMs: 0, autoAdvanceMs: 0 })
  const out = driver.createOutputTopic(output, int, str)
  return {
    topology,
    driver,
    inputTopic1,
    inputTopic2,
    out,
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
const header = (b: number): Headers => ({ h: Buffer.from([b]) })

describe('KStreamKStreamOuterJoinTest', () => {
  it('testOuterJoinDuplicates', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    const { inputTopic1, inputTopic2 } = h

    // verifies non-joined duplicates are emitted when window has closed
    await inputTopic1.pipeInput(0, 'A0', 0)
    await inputTopic1.pipeInput(0, 'A0-0', 0)
    await inputTopic2.pipeInput(1, 11n, 0)
    await inputTopic2.pipeInput(1, 12n, 0)
    await inputTopic2.pipeInput(1, 10n, 111)
    // bump stream-time to trigger outer-join results
    await inputTopic2.pipeInput(3, 100n, 211)
    h.check([1, 'null+11', 0], [1, 'null+12', 0], [0, 'A0+null', 0], [0, 'A0-0+null', 0])

    // verifies joined duplicates are emitted
    await inputTopic1.pipeInput(2, 'A2', 200)
    await inputTopic1.pipeInput(2, 'A2-0', 200)
    await inputTopic2.pipeInput(2, 13n, 201)
    await inputTopic2.pipeInput(2, 14n, 201)
    h.check([2, 'A2+13', 201], [2, 'A2-0+13', 201], [2, 'A2+14', 201], [2, 'A2-0+14', 201])

    // this record should expired non-joined records; only null+10 will be emitted because
    // it did not have a join
    await inputTopic2.pipeInput(3, 100n, 1500)
    h.check([1, 'null+10', 111], [3, 'null+100', 211])
  })

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic1.pipeInput(0, 'A0', windowStart + 1)
    await inputTopic1.pipeInput(1, 'A1', windowStart + 2)
    await inputTopic1.pipeInput(0, 'A0-0', windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic2.pipeInput(1, 11n, windowStart + 3)
    h.check([1, 'A1+11', windowStart + 3])

    // Dummy record in left topic will emit expired non-joined records from the left topic
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 401)
    h.check([0, 'A0+null', windowStart + 1], [0, 'A0-0+null', windowStart + 3])

    // Flush internal non-joined state store by joining the dummy record
    await inputTopic2.pipeInput(2, 100n, windowStart + 401)
    h.check([2, 'dummy+100', windowStart + 401])
  })

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheRightProcessor', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic1.pipeInput(0, 'A0', windowStart + 1)
    await inputTopic1.pipeInput(1, 'A1', windowStart + 2)
    await inputTopic1.pipeInput(0, 'A0-0', windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic2.pipeInput(1, 11n, windowStart + 3)
    h.check([1, 'A1+11', windowStart + 3])

    // Dummy record in right topic will emit expired non-joined records from the left topic
    await inputTopic2.pipeInput(2, 100n, windowStart + 401)
    h.check([0, 'A0+null', windowStart + 1], [0, 'A0-0+null', windowStart + 3])

    // Flush internal non-joined state store by joining the dummy record
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 402)
    h.check([2, 'dummy+100', windowStart + 402])
  })

  it('testRightExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic2.pipeInput(0, 10n, windowStart + 1)
    await inputTopic2.pipeInput(1, 11n, windowStart + 2)
    await inputTopic2.pipeInput(0, 12n, windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic1.pipeInput(1, 'A1', windowStart + 3)
    h.check([1, 'A1+11', windowStart + 3])

    // Dummy record in left topic will emit expired non-joined records from the right topic
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 401)
    h.check([0, 'null+10', windowStart + 1], [0, 'null+12', windowStart + 3])

    // Process the dummy joined record
    await inputTopic2.pipeInput(2, 100n, windowStart + 402)
    h.check([2, 'dummy+100', windowStart + 402])
  })

  it('testRightExpiredNonJoinedRecordsAreEmittedByTheRightProcessor', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 0))
    const { inputTopic1, inputTopic2 } = h
    const windowStart = 0

    // No joins detected; No null-joins emitted
    await inputTopic2.pipeInput(0, 10n, windowStart + 1)
    await inputTopic2.pipeInput(1, 11n, windowStart + 2)
    await inputTopic2.pipeInput(0, 12n, windowStart + 3)
    h.check()

    // Join detected; No null-joins emitted
    await inputTopic1.pipeInput(1, 'A1', windowStart + 3)
    h.check([1, 'A1+11', windowStart + 3])

    // Dummy record in right topic will emit expired non-joined records from the right topic
    await inputTopic2.pipeInput(2, 100n, windowStart + 401)
    h.check([0, 'null+10', windowStart + 1], [0, 'null+12', windowStart + 3])

    // Process the dummy joined record
    await inputTopic1.pipeInput(2, 'dummy', windowStart + 402)
    h.check([2, 'dummy+100', windowStart + 402])
  })

  it('testOrdering', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h

    // push two items to the primary stream; the other window is empty; this should not produce any item yet
    await inputTopic1.pipeInput(0, 'A0', 0)
    await inputTopic1.pipeInput(1, 'A1', 100)
    h.check()

    // push one item to the other window that has a join;
    // this should produce the not-joined record first; then the joined record
    await inputTopic2.pipeInput(1, 11n, 110)
    h.check([0, 'A0+null', 0], [1, 'A1+11', 110])
  })

  it('testGracePeriod', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)

    // push one item to the primary stream; and one item in other stream; this should not produce items because there are no joins
    // and window has not ended
    await inputTopic1.pipeInput(0, 'A0', 0)
    await inputTopic2.pipeInput(1, 11n, 0)
    h.check()

    // push one item on each stream with a window time after the previous window ended (not closed); this should not produce
    // joined records because the window has ended, but will not produce non-joined records because the window has not closed.
    await inputTopic1.pipeInput(1, 'A1', 101)
    await inputTopic2.pipeInput(0, 10n, 101)
    h.check()

    // push a 100 item to the any stream after the window is closed; this should produced all expired non-joined records because
    // the window has closed
    await inputTopic2.pipeInput(0, 100n, 112)
    h.check([1, 'null+11', 0], [0, 'A0+null', 0])
  })

  it('testEmitAllNonJoinedResultsForAsymmetricWindow', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(5).after(20))
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)

    // push one item to the primary stream; this should not produce any items because there are no matching keys
    // and window has not ended
    await inputTopic1.pipeInput(0, 'A0', 29)
    h.check()

    // push another item to the primary stream; this should not produce any items because there are no matching keys
    // and window has not ended
    await inputTopic1.pipeInput(1, 'A1', 30)
    h.check()

    // push one item to the other stream; this should not produce any items because there are no matching keys
    // and window has not ended
    await inputTopic2.pipeInput(2, 12n, 31)
    h.check()

    // push another item to the other stream; this should produce no inner joined-items because there are no matching keys
    // and window has not ended
    await inputTopic2.pipeInput(3, 13n, 36)
    h.check()

    // push another item to the other stream; this should produce no inner joined-items because there are no matching keys
    // and should produce a right-join-item because before window has ended
    await inputTopic2.pipeInput(4, 14n, 37)
    h.check([2, 'null+12', 31])

    // push another item to the other stream; this should produce no inner joined-items because there are no matching keys
    // and should produce a left-join-item because after window has ended
    // and should produce two right-join-items because before window has ended
    await inputTopic2.pipeInput(5, 15n, 50)
    h.check([0, 'A0+null', 29], [3, 'null+13', 36], [4, 'null+14', 37])
  })

  // Java runs runOuterJoin with Stores.inMemoryWindowStore suppliers
  // (StreamJoined.withThisStoreSupplier/withOtherStoreSupplier); Tributary picks the store engine
  // per driver: this variant runs on in-memory stores.
  it('testOuterJoinWithInMemoryCustomSuppliers', async () => {
    await runOuterJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100), 'memory')
  })

  // Kafka's default suppliers are RocksDB stores: this variant runs on Tributary's RocksDB stores.
  it('testOuterJoinWithDefaultSuppliers', async () => {
    await runOuterJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100), 'rocksdb')
  })

  async function runOuterJoin(windows: JoinWindows, stateStores: 'memory' | 'rocksdb'): Promise<void> {
    const h = outerJoin(windows, stateStores)
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)

    // 2 window stores + 1 shared window store should be available
    expect(h.topology.stores.size).toBe(3)

    // push two items to the primary stream; the other window is empty; this should not
    // produce any items because window has not expired
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`)
    h.check()

    // push two items to the other stream; this should produce two full-joined items
    for (let i = 0; i < 2; i++) await inputTopic2.pipeInput(expectedKeys[i]!, BigInt(expectedKeys[i]! + 10))
    h.check([0, 'A0+10', 0], [1, 'A1+11', 0])

    // push three items to the primary stream; this should produce two full-joined items
    for (let i = 0; i < 3; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `B${expectedKeys[i]}`)
    h.check([0, 'B0+10', 0], [1, 'B1+11', 0])

    // push all items to the other stream; this should produce five full-joined items
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, BigInt(k + 20))
    h.check([0, 'A0+20', 0], [0, 'B0+20', 0], [1, 'A1+21', 0], [1, 'B1+21', 0], [2, 'B2+22', 0])

    // push all four items to the primary stream; this should produce six full-joined items
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `C${k}`)
    h.check([0, 'C0+10', 0], [0, 'C0+20', 0], [1, 'C1+11', 0], [1, 'C1+21', 0], [2, 'C2+22', 0], [3, 'C3+23', 0])

    // push a dummy record that should expire non-joined items; it should not produce any items because
    // all of them are joined
    await inputTopic1.pipeInput(0, 'dummy', 400)
    h.check()
  }

  it('testWindowing', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100))
    const { inputTopic1, inputTopic2 } = h
    expectCopartitioned(h.topology)
    const time = 0

    // push two items to the primary stream; the other window is empty; this should not produce items because window has not closed
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time)
    h.check()

    // push four items to the other stream; this should produce two full-join items
    for (const k of expectedKeys) await inputTopic2.pipeInput(k, BigInt(k + 10), time)
    h.check([0, 'A0+10', 0], [1, 'A1+11', 0])

    await testUpperWindowBound(h)
    await testLowerWindowBound(h)
  })

  it('testShouldNotEmitLeftJoinResultForAsymmetricBeforeWindow', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100).before(0))
    const { inputTopic1, inputTopic2 } = h
    let time = 0

    // push two items to the primary stream; the other window is empty; this should not produce any items
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time + i)
    h.check()

    // push one item to the other stream; this should produce one full-join item
    time += 100
    await inputTopic2.pipeInput(expectedKeys[0]!, BigInt(expectedKeys[0]! + 10), time)
    h.check([0, 'A0+10', 100])

    // push one item to the other stream; this should produce one left-join item
    time += 2
    await inputTopic2.pipeInput(expectedKeys[1]!, BigInt(expectedKeys[1]! + 10), time)
    h.check([1, 'A1+null', 1])

    // push one item to the other stream; this should produce one right-join item
    time += 1
    await inputTopic2.pipeInput(expectedKeys[2]!, BigInt(expectedKeys[2]! + 10), time)
    h.check([1, 'null+11', 102])

    // push one item to the first stream; this should not produce one full-join item
    await inputTopic1.pipeInput(expectedKeys[2]!, `A${expectedKeys[2]}`, time)
    h.check([2, 'A2+12', 103])
  })

  it('testShouldNotEmitLeftJoinResultForAsymmetricAfterWindow', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0))
    const { inputTopic1, inputTopic2 } = h
    let time = 0

    // push two items to the primary stream; the other window is empty;
    // this should produce one left-joined item
    for (let i = 0; i < 2; i++) await inputTopic1.pipeInput(expectedKeys[i]!, `A${expectedKeys[i]}`, time + i)
    h.check([0, 'A0+null', 0])

    // push one item to the other stream; this should produce one full-join item
    time += 1
    await inputTopic2.pipeInput(expectedKeys[1]!, BigInt(expectedKeys[1]! + 10), time)
    h.check([1, 'A1+11', 1])

    // push one item to the other stream; this should not produce any item
    time += 100
    await inputTopic2.pipeInput(expectedKeys[2]!, BigInt(expectedKeys[2]! + 10), time)
    h.check()

    // push one item to the other stream; this should not produce any item
    await inputTopic2.pipeInput(expectedKeys[3]!, BigInt(expectedKeys[3]! + 10), time)
    h.check()

    // push one item to the first stream; this should produce one inner-join item;
    time += 100
    await inputTopic1.pipeInput(expectedKeys[2]!, `A${expectedKeys[2]}`, time)
    h.check([2, 'A2+12', 201])
  })

  // NOTE (Java): Header forwarding is undefined behavior, but we still want to understand the
  // behavior so that we can make decisions about defining it in the future.
  it('testShouldForwardCurrentHeaders', async () => {
    const h = outerJoin(JoinWindows.ofTimeDifferenceAndGrace(100, 10))
    const { inputTopic1, inputTopic2, out } = h
    const read = (): unknown[] => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp, r.headers])

    await inputTopic1.pipeInput(0, 'A0', 0, header(0x1))
    await inputTopic2.pipeInput(1, 10n, 0, header(0x2))
    // bump stream-time to trigger outer-join results
    await inputTopic2.pipeInput(3, 100n, 211, header(0x3))

    // Again, header forwarding is undefined, but the current observed behavior is that
    // the headers pass through the forwarding record.
    expect(read()).toEqual([
      [1, 'null+10', 0, header(0x3)],
      [0, 'A0+null', 0, header(0x3)],
    ])

    // verifies joined duplicates are emitted
    await inputTopic1.pipeInput(2, 'A2', 200, header(0x4))
    await inputTopic2.pipeInput(2, 12n, 200, header(0x5))
    expect(read()).toEqual([[2, 'A2+12', 200, header(0x5)]])
  })

  async function testUpperWindowBound(h: Harness): Promise<void> {
    const inputTopic1 = h.driver.createInputTopic(topic1, int, str, { startTimestampMs: 0, autoAdvanceMs: 0 })
    const inputTopic2 = h.driver.createInputTopic(topic2, int, long, { startTimestampMs: 0, autoAdvanceMs: 0 })

    // push four items with larger and increasing timestamp (out of window) to the other stream; this should produced 2 expired non-joined records
    let time = 1000
    for (let i = 0; i < expectedKeys.length; i++) await inputTopic2.pipeInput(expectedKeys[i]!, BigInt(expectedKeys[i]! + 20), time + i)
    h.check([2, 'null+12', 0], [3, 'null+13', 0])

    // push four items with larger timestamp to the primary stream; this should produce four full-join items
    time = 1000 + 100
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `B${k}`, time)
    h.check([0, 'B0+20', 1100], [1, 'B1+21', 1100], [2, 'B2+22', 1100], [3, 'B3+23', 1100])

    // push four items with increased timestamp to the primary stream; this should produce three full-join items (non-joined item is not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `C${k}`, time)
    h.check([1, 'C1+21', 1101], [2, 'C2+22', 1101], [3, 'C3+23', 1101])

    // push four items with increased timestamp to the primary stream; this should produce two full-join items (non-joined items are not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `D${k}`, time)
    h.check([2, 'D2+22', 1102], [3, 'D3+23', 1102])

    // push four items with increased timestamp to the primary stream; this should produce one full-join items (three non-joined left-join are not produced yet)
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `E${k}`, time)
    h.check([3, 'E3+23', 1103])

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
    h.check([0, 'H0+20', 1000], [1, 'H1+null', 900], [2, 'H2+null', 900], [3, 'H3+null', 900])

    // push four items with increase timestamp to the primary stream; this should produce two left-join and two full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `I${k}`, time)
    h.check([0, 'I0+20', 1000], [1, 'I1+21', 1001], [2, 'I2+null', 901], [3, 'I3+null', 901])

    // push four items with increase timestamp to the primary stream; this should produce one left-join and three full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `J${k}`, time)
    h.check([0, 'J0+20', 1000], [1, 'J1+21', 1001], [2, 'J2+22', 1002], [3, 'J3+null', 902])

    // push four items with increase timestamp to the primary stream; this should produce one left-join and three full-join items
    time += 1
    for (const k of expectedKeys) await inputTopic1.pipeInput(k, `K${k}`, time)
    h.check([0, 'K0+20', 1000], [1, 'K1+21', 1001], [2, 'K2+22', 1002], [3, 'K3+23', 1003])

    // push a dummy record to verify there are no expired records to produce
    // dummy window is behind the max. stream time seen (1205 used in testUpperWindowBound)
    await inputTopic1.pipeInput(0, 'dummy', time + 200)
    h.check([0, 'dummy+null', 1103])
  }
})
