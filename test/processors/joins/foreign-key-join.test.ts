import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { storeEngines, str } from './fixtures.js'

// The scenarios of Kafka Streams' KTableKTableForeignKeyJoinIntegrationTest: left values are
// "<value>|<foreign key>", the joiner prints "(left,right)".
const foreignKey = (value: string): string => value.split('|')[1] as string
const joiner = (left: string | null, right: string | null): string => `(${left},${right})`

function build(leftJoin: boolean) {
  const builder = new StreamsBuilder()
  const left = builder.table<string, string>('left_table', { keySerde: str, valueSerde: str })
  const right = builder.table<string, string>('right_table', { keySerde: str, valueSerde: str })
  const joined = leftJoin
    ? left.leftJoin(right, foreignKey, joiner, { storeName: 'store', valueSerde: str })
    : left.join(right, foreignKey, joiner, { storeName: 'store', valueSerde: str })
  joined.toStream().to('output', { keySerde: str, valueSerde: str })
  return builder.build()
}

const base = 1_000

describe.each(storeEngines)('foreign-key joins (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function start(leftJoin: boolean) {
    driver = new TopologyTestDriver(build(leftJoin), { stateStores })
    const d = driver
    const output = d.createOutputTopic('output', str, str)
    const store = d.getKeyValueStore<string, string>('store')
    return {
      left: d.createInputTopic('left_table', str, str),
      right: d.createInputTopic('right_table', str, str),
      results: () => Object.fromEntries(output.readKeyValuesToMap()),
      stored: async () => {
        const entries: Record<string, string> = {}
        for await (const [k, v] of store.all()) entries[k] = v
        return entries
      },
    }
  }

  describe.each([false, true])('leftJoin=%s', (leftJoin) => {
    it('join from the left, then delete the left row (doJoinFromLeftThenDeleteLeftEntity)', async () => {
      const { left, right, results, stored } = start(leftJoin)
      await right.pipeInput('rhs1', 'rhsValue1', base)
      await right.pipeInput('rhs2', 'rhsValue2', base + 1)
      await right.pipeInput('rhs3', 'rhsValue3', base + 2)
      expect(results()).toEqual({})
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 3)
      await left.pipeInput('lhs2', 'lhsValue2|rhs2', base + 4)
      const first = { lhs1: '(lhsValue1|rhs1,rhsValue1)', lhs2: '(lhsValue2|rhs2,rhsValue2)' }
      expect(results()).toEqual(first)
      expect(await stored()).toEqual(first)
      await left.pipeInput('lhs3', 'lhsValue3|rhs1', base + 5)
      expect(results()).toEqual({ lhs3: '(lhsValue3|rhs1,rhsValue1)' })
      await left.pipeInput('lhs1', null, base + 6)
      expect(results()).toEqual({ lhs1: null })
      expect(await stored()).toEqual({ lhs2: '(lhsValue2|rhs2,rhsValue2)', lhs3: '(lhsValue3|rhs1,rhsValue1)' })
    })

    it('join from the right, then delete the right row (doJoinFromRightThenDeleteRightEntity)', async () => {
      const { left, right, results } = start(leftJoin)
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base)
      await left.pipeInput('lhs2', 'lhsValue2|rhs2', base + 1)
      await left.pipeInput('lhs3', 'lhsValue3|rhs1', base + 2)
      expect(results()).toEqual(
        leftJoin ? { lhs1: '(lhsValue1|rhs1,null)', lhs2: '(lhsValue2|rhs2,null)', lhs3: '(lhsValue3|rhs1,null)' } : {},
      )
      await right.pipeInput('rhs1', 'rhsValue1', base + 3)
      expect(results()).toEqual({ lhs1: '(lhsValue1|rhs1,rhsValue1)', lhs3: '(lhsValue3|rhs1,rhsValue1)' })
      await right.pipeInput('rhs2', 'rhsValue2', base + 4)
      expect(results()).toEqual({ lhs2: '(lhsValue2|rhs2,rhsValue2)' })
      await right.pipeInput('rhs3', 'rhsValue3', base + 5)
      expect(results()).toEqual({})
      await right.pipeInput('rhs1', null, base + 6)
      expect(results()).toEqual(leftJoin ? { lhs1: '(lhsValue1|rhs1,null)', lhs3: '(lhsValue3|rhs1,null)' } : { lhs1: null, lhs3: null })
    })

    it('deleting a non-joining row emits a tombstone; deleting an absent row is idempotent', async () => {
      const { left, results } = start(leftJoin)
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base)
      expect(results()).toEqual(leftJoin ? { lhs1: '(lhsValue1|rhs1,null)' } : {})
      await left.pipeInput('lhs1', null, base + 1)
      expect(results()).toEqual({ lhs1: null })
      await left.pipeInput('lhs1', null, base + 2)
      expect(results()).toEqual({})
    })

    it('a row with a non-matching foreign key, moved between keys (joinShouldProduceNullsWhenValueHasNonMatchingForeignKey)', async () => {
      const { left, right, results } = start(leftJoin)
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base)
      expect(results()).toEqual(leftJoin ? { lhs1: '(lhsValue1|rhs1,null)' } : {})
      await left.pipeInput('lhs1', 'lhsValue1|rhs2', base + 1)
      expect(results()).toEqual({ lhs1: leftJoin ? '(lhsValue1|rhs2,null)' : null })
      await left.pipeInput('lhs1', 'lhsValue1|rhs3', base + 2)
      expect(results()).toEqual({ lhs1: leftJoin ? '(lhsValue1|rhs3,null)' : null })
      await right.pipeInput('rhs1', 'rhsValue1', base + 3)
      expect(results()).toEqual({})
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 4)
      expect(results()).toEqual({ lhs1: '(lhsValue1|rhs1,rhsValue1)' })
      await left.pipeInput('lhs1', 'lhsValue1|rhs2', base + 5)
      expect(results()).toEqual({ lhs1: leftJoin ? '(lhsValue1|rhs2,null)' : null })
    })

    it('a changed foreign key unsubscribes from the old right row (shouldUnsubscribeOldForeignKeyIfLeftSideIsUpdated)', async () => {
      const { left, right, results } = start(leftJoin)
      await right.pipeInput('rhs1', 'rhsValue1', base)
      await right.pipeInput('rhs2', 'rhsValue2', base + 1)
      expect(results()).toEqual({})
      await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 2)
      expect(results()).toEqual({ lhs1: '(lhsValue1|rhs1,rhsValue1)' })
      await left.pipeInput('lhs1', 'lhsValue1|rhs2', base + 3)
      expect(results()).toEqual({ lhs1: '(lhsValue1|rhs2,rhsValue2)' })
      await right.pipeInput('rhs1', 'rhsValue1Delete', base + 4)
      expect(results()).toEqual({})
    })
  })

  it('inner join: a row whose foreign key becomes null is dropped and its joined row deleted', async () => {
    const { left, right, results } = start(false)
    await right.pipeInput('rhs1', 'rhsValue1', base)
    await left.pipeInput('lhs1', 'lhsValue1|rhs1', base + 1)
    expect(results()).toEqual({ lhs1: '(lhsValue1|rhs1,rhsValue1)' })
    await left.pipeInput('lhs1', 'no-foreign-key', base + 2)
    expect(results()).toEqual({ lhs1: null })
    expect(driver?.metrics().droppedRecordsByReason['null-key']).toBe(1)
    // The old subscription is gone: a right update reaches nobody.
    await right.pipeInput('rhs1', 'rhsValue1b', base + 3)
    expect(results()).toEqual({})
  })

  it('a right-row update reaches every subscriber; the result carries the larger timestamp', async () => {
    const { left, right } = start(false)
    await right.pipeInput('d1', 'Dana', 10)
    await left.pipeInput('ride-1', 'r1|d1', 20)
    await left.pipeInput('ride-2', 'r2|d1', 30)
    await right.pipeInput('d1', 'Dana K.', 40)
    const out = driver?.createOutputTopic('output', str, str).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
    expect(out).toEqual([
      ['ride-1', '(r1|d1,Dana)', 20],
      ['ride-2', '(r2|d1,Dana)', 30],
      ['ride-1', '(r1|d1,Dana K.)', 40],
      ['ride-2', '(r2|d1,Dana K.)', 40],
    ])
  })

  it('compiles to subscription and response topics, a subscription store and co-partition groups', () => {
    const topology = build(false)
    // Both source tables have changelogs of their own (Kafka's default, no source-topic reuse).
    expect([...topology.internalTopics.keys()]).toEqual([
      'left_table-STATE-STORE-0000000000-changelog',
      'right_table-STATE-STORE-0000000003-changelog',
      'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic',
      'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010-changelog',
      'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic',
      'store-changelog',
    ])
    expect(topology.copartitionGroups).toEqual([
      ['KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic', 'right_table'],
      ['KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic', 'left_table'],
    ])
    expect(topology.subtopologies).toHaveLength(2)
    const text = topology.describe()
    expect(text).toContain('Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)')
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])')
    expect(text).toContain('Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [left_table-STATE-STORE-0000000000])')
    expect(text).toContain('Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [store])')
  })

  it('stale answers are dropped: results across three partitions follow the last left value', async () => {
    driver = new TopologyTestDriver(build(true), { stateStores })
    driver.declareTopic('left_table', { partitions: 3 })
    driver.declareTopic('right_table', { partitions: 3 })
    const left = driver.createInputTopic('left_table', str, str)
    const right = driver.createInputTopic('right_table', str, str)
    for (let i = 0; i < 6; i++) await right.pipeInput(`d${i}`, `driver${i}`, i)
    for (let i = 0; i < 12; i++) await left.pipeInput(`ride-${i}`, `v${i}|d${i % 6}`, 100 + i)
    for (let i = 0; i < 12; i += 2) await left.pipeInput(`ride-${i}`, `w${i}|d${(i + 1) % 6}`, 200 + i)
    await right.pipeInput('d3', null, 300)
    const final = Object.fromEntries(driver.createOutputTopic('output', str, str).readKeyValuesToMap())
    for (let i = 0; i < 12; i++) {
      const fk = i % 2 === 0 ? (i + 1) % 6 : i % 6
      const value = i % 2 === 0 ? `w${i}|d${fk}` : `v${i}|d${fk}`
      expect(final[`ride-${i}`]).toBe(`(${value},${fk === 3 ? null : `driver${fk}`})`)
    }
  })
})
