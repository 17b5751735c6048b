import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str } from './fixtures.js'

// Scenarios of Kafka Streams' KTableAggregateTest: a table re-grouped, with adder and subtractor.
describe.each(storeEngines)('KTable groupBy aggregations (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  function concat(selector: (k: string, v: string) => readonly [string, string]): TopologyTestDriver {
    const builder = new StreamsBuilder()
    builder
      .table<string, string>('topic1', { keySerde: str, valueSerde: str, storeName: 'anyStoreName' })
      .groupBy(selector, { keySerde: str, valueSerde: str })
      .aggregate(() => '0', (_k, v, a) => `${a}+${v}`, (_k, v, a) => `${a}-${v}`, { storeName: 'topic1-Canonized', valueSerde: str })
      .toStream()
      .to('out', { valueSerde: str })
    return new TopologyTestDriver(builder.build(), { stateStores })
  }

  it('an update in the same group subtracts the old value and adds the new one in a single result', async () => {
    driver = concat((k, v) => [k, v])
    const input = driver.createInputTopic('topic1', str, str)
    for (const [k, v] of [['A', '1'], ['B', '2'], ['A', '3'], ['B', '4'], ['C', '5'], ['D', '6'], ['B', '7'], ['C', '8']] as const) {
      await input.pipeInput(k, v, 0)
    }
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList().map(([k, v]) => `${k}:${v}`)).toEqual([
      'A:0+1',
      'B:0+2',
      'A:0+1-1+3',
      'B:0+2-2+4',
      'C:0+5',
      'D:0+6',
      'B:0+2-2+4-4+7',
      'C:0+5-5+8',
    ])
  })

  it('a row that moves group is subtracted from the old group, then added to the new; deletions subtract', async () => {
    driver = concat((k, v) => [k === 'null' ? (null as unknown as string) : v, v])
    const input = driver.createInputTopic('topic1', str, str)
    await input.pipeInput('A', '1', 0)
    await input.pipeInput('A', null, 0)
    await input.pipeInput('A', '1', 0)
    await input.pipeInput('B', '2', 0)
    await input.pipeInput('null', '3', 0)
    await input.pipeInput('B', '4', 0)
    await input.pipeInput('B', '7', 0)
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList().map(([k, v]) => `${k}:${v}`)).toEqual([
      '1:0+1',
      '1:0+1-1',
      '1:0+1-1+1',
      '2:0+2',
      '2:0+2-2',
      '4:0+4',
      '4:0+4-4',
      '7:0+7',
    ])
  })

  it('count per value: moving a row decrements its old group first', async () => {
    const builder = new StreamsBuilder()
    builder
      .table<string, string>('count-test-input', { keySerde: str, valueSerde: str })
      .groupBy((_k, v) => [v, v], { keySerde: str, valueSerde: str })
      .count({ storeName: 'count' })
      .toStream()
      .to('out')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('count-test-input', str, str)
    for (const [k, v] of [['A', 'green'], ['B', 'green'], ['A', 'blue'], ['C', 'yellow'], ['D', 'green']] as const) await input.pipeInput(k, v, 0)
    expect(driver.createOutputTopic('out', str, num).readKeyValuesToList().map(([k, v]) => `${k}:${v}`)).toEqual([
      'green:1',
      'green:2',
      'green:1',
      'blue:1',
      'yellow:1',
      'green:2',
    ])
    expect(await driver.getKeyValueStore<string, number>('count').get('green')).toBe(2)
  })

  it('removes the old value before adding the new one when the group stays the same', async () => {
    const builder = new StreamsBuilder()
    builder
      .table<string, string>('input', { keySerde: str, valueSerde: str })
      .groupBy((k) => [k.charAt(0), k.charAt(1)], { keySerde: str, valueSerde: str })
      .aggregate(() => '', (_k, v, a) => a + v, (_k, v, a) => a.replaceAll(v, ''), { storeName: 'someStore', valueSerde: str })
      .toStream()
      .to('out', { valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('input', str, str)
    await input.pipeInput('11', 'A', 0)
    await input.pipeInput('12', 'B', 0)
    await input.pipeInput('11', null, 0)
    await input.pipeInput('12', 'C', 0)
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList().map(([k, v]) => `${k}:${v}`)).toEqual(['1:1', '1:12', '1:2', '1:2'])
  })

  it('table filter and mapValues pass old values along so the subtractor sees what was added', async () => {
    const builder = new StreamsBuilder()
    builder
      .table<string, number>('drivers', { keySerde: str, valueSerde: num })
      .filter((_k, v) => v >= 0)
      .mapValues((v) => v * 2)
      .groupBy((_k, v) => ['all', v], { keySerde: str, valueSerde: num })
      .reduce((a, v) => a + v, (a, v) => a - v, { storeName: 'sum' })
      .toStream()
      .to('out')
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('drivers', str, num)
    await input.pipeInput('a', 1, 0)
    await input.pipeInput('b', 2, 1)
    await input.pipeInput('a', -5, 2) // filtered out: a's 2 is subtracted
    await input.pipeInput('b', 3, 3)
    expect(driver.createOutputTopic('out', str, num).readValuesToList()).toEqual([2, 6, 4, 6])
    expect(await driver.getKeyValueStore<string, number>('drivers-STATE-STORE-0000000000').get('a')).toBe(-5)
  })
})
