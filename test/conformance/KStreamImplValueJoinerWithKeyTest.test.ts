// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamImplValueJoinerWithKeyTest.java
//
// Java's lambda `(key, lv, rv) -> ...` is a ValueJoinerWithKey by its arity; here the joiner says so
// with withKey(). StreamJoined.with(String, Integer, Integer) and Joined.with(String, Integer, Integer)
// are the options' serdes; Joined's third serde (the table's values) has no counterpart in
// JoinedOptions: the table's own serde reads it. Produced.with(String, String) is the sink's serdes.
import { beforeEach, describe, expect, it } from 'vitest'
import { JoinWindows, StreamsBuilder, withKey } from '../../src/dsl/index.js'
import type { GlobalKTable, KStream, KTable, JoinedOptions, StreamJoinedOptions } from '../../src/dsl/index.js'
import type { KeyValue } from '../../src/core/record.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const leftTopic = 'left'
const rightTopic = 'right'
const ktableTopic = 'ktableTopic'
const globalTopic = 'globalTopic'
const outputTopic = 'joined-result'

// Java's Integer lv may be null (outer join); unboxing it would throw, as `lv!` says here.
const valueJoinerWithKey = withKey((key: string, lv: number | null, rv: number | null): string => key + ':' + (lv! + (rv === null ? 0 : rv)))
const joinWindows = JoinWindows.ofTimeDifferenceAndGrace(100, 24 * 60 * 60 * 1000)
const streamJoined: StreamJoinedOptions<string, number, number> = { keySerde: Serdes.string(), valueSerde: Serdes.int32(), otherValueSerde: Serdes.int32() }
const joined: JoinedOptions<string, number> = { keySerde: Serdes.string(), valueSerde: Serdes.int32() }
const keyValueMapper = (k: string, _v: number): string => k
const produced = { keySerde: Serdes.string(), valueSerde: Serdes.string() }

describe('KStreamImplValueJoinerWithKeyTest', () => {
  let leftStream: KStream<string, number>
  let rightStream: KStream<string, number>
  let ktable: KTable<string, number>
  let globalKTable: GlobalKTable<string, number>
  let builder: StreamsBuilder

  beforeEach(() => {
    builder = new StreamsBuilder()
    const consumed = { keySerde: Serdes.string(), valueSerde: Serdes.int32() }
    leftStream = builder.stream<string, number>(leftTopic, consumed)
    rightStream = builder.stream<string, number>(rightTopic, consumed)
    ktable = builder.table<string, number>(ktableTopic, consumed)
    globalKTable = builder.globalTable<string, number>(globalTopic, consumed)
  })

  it('shouldIncludeKeyInStreamSteamJoinResults', async () => {
    leftStream.join(rightStream, valueJoinerWithKey, joinWindows, streamJoined).to(outputTopic, produced)
    // Left KV A, 3, Right KV A, 5
    await runJoinTopology(builder, [['A', 'A:5']], false, rightTopic)
  })

  it('shouldIncludeKeyInStreamLeftJoinResults', async () => {
    leftStream.leftJoin(rightStream, valueJoinerWithKey, joinWindows, streamJoined).to(outputTopic, produced)
    // Left KV A, 3, Right KV A, 5
    // TTD pipes records to left stream first, then right
    const expectedResults: KeyValue<string, string>[] = [['A', 'A:5']]
    await runJoinTopology(builder, expectedResults, false, rightTopic)
  })

  it('shouldIncludeKeyInStreamOuterJoinResults', async () => {
    leftStream.outerJoin(rightStream, valueJoinerWithKey, joinWindows, streamJoined).to(outputTopic, produced)
    // Left KV A, 3, Right KV A, 5
    // TTD pipes records to left stream first, then right
    const expectedResults: KeyValue<string, string>[] = [['A', 'A:5']]
    await runJoinTopology(builder, expectedResults, false, rightTopic)
  })

  it('shouldIncludeKeyInStreamTableJoinResults', async () => {
    leftStream.join(ktable, valueJoinerWithKey, joined).to(outputTopic, produced)
    // Left KV A, 3, Table KV A, 5
    await runJoinTopology(builder, [['A', 'A:5']], true, ktableTopic)
  })

  it('shouldIncludeKeyInStreamTableLeftJoinResults', async () => {
    leftStream.leftJoin(ktable, valueJoinerWithKey, joined).to(outputTopic, produced)
    // Left KV A, 3, Table KV A, 5
    await runJoinTopology(builder, [['A', 'A:5']], true, ktableTopic)
  })

  it('shouldIncludeKeyInStreamGlobalTableJoinResults', async () => {
    leftStream.join(globalKTable, keyValueMapper, valueJoinerWithKey).to(outputTopic, produced)
    // Left KV A, 3, GlobalTable KV A, 5
    await runJoinTopology(builder, [['A', 'A:5']], true, globalTopic)
  })

  it('shouldIncludeKeyInStreamGlobalTableLeftJoinResults', async () => {
    leftStream.leftJoin(globalKTable, keyValueMapper, valueJoinerWithKey).to(outputTopic, produced)
    // Left KV A, 3, GlobalTable KV A, 5
    await runJoinTopology(builder, [['A', 'A:5']], true, globalTopic)
  })

  async function runJoinTopology(
    builder: StreamsBuilder,
    expectedResults: KeyValue<string, string>[],
    isTableJoin: boolean,
    rightTopic: string,
  ): Promise<void> {
    const driver = new TopologyTestDriver(builder.build())
    try {
      const rightInputTopic = driver.createInputTopic(rightTopic, Serdes.string(), Serdes.int32())
      const leftInputTopic = driver.createInputTopic(leftTopic, Serdes.string(), Serdes.int32())
      const joinResultTopic = driver.createOutputTopic(outputTopic, Serdes.string(), Serdes.string())

      // with stream table joins need to make sure records hit
      // the table first, joins only triggered from streams side
      if (isTableJoin) {
        await rightInputTopic.pipeInput('A', 2)
        await leftInputTopic.pipeInput('A', 3)
      } else {
        await leftInputTopic.pipeInput('A', 3)
        await rightInputTopic.pipeInput('A', 2)
      }

      const actualResult = joinResultTopic.readKeyValuesToList()
      expect(actualResult).toEqual(expectedResults)
    } finally {
      await driver.close()
    }
  }
})
