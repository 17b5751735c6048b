import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../../src/dsl/index.js'
import { TopologyTestDriver } from '../../../src/testing/index.js'
import { storeEngines, str } from './fixtures.js'

/**
 * Joins that read a table with no store of its own (a filter, a mapValues, a table join) look its
 * rows up through the parents' stores with the operators applied, as Kafka Streams' value getters do.
 */
describe.each(storeEngines)('joins through value getters (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('a stream joins a filtered and mapped table: rejected rows are absent, kept rows mapped, with no store but the source', async () => {
    const b = new StreamsBuilder()
    const drivers = b.table<string, string>('drivers', { keySerde: str, valueSerde: str })
    const active = drivers.filter((_id, name) => !name.startsWith('x')).mapValues((name) => name.toUpperCase())
    b.stream<string, string>('pings', { keySerde: str, valueSerde: str })
      .leftJoin(active, (ping, name) => `${ping}:${name}`)
      .to('out', { keySerde: str, valueSerde: str })
    const topology = b.build()
    expect([...topology.stores.keys()]).toEqual(['drivers-STATE-STORE-0000000000'])
    driver = new TopologyTestDriver(topology, { stateStores })
    const rows = driver.createInputTopic('drivers', str, str)
    const pings = driver.createInputTopic('pings', str, str)
    await rows.pipeInput('d1', 'ana', 1)
    await rows.pipeInput('d2', 'xavier', 2)
    await pings.pipeInput('d1', 'p1', 10)
    await pings.pipeInput('d2', 'p2', 11)
    await rows.pipeInput('d1', 'xana', 12)
    await pings.pipeInput('d1', 'p3', 13)
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([
      ['d1', 'p1:ANA'],
      ['d2', 'p2:null'],
      ['d1', 'p3:null'],
    ])
  })

  it('a stream joins the result of an unmaterialized table join, looked up in both tables', async () => {
    const b = new StreamsBuilder()
    const names = b.table<string, string>('names', { keySerde: str, valueSerde: str })
    const cars = b.table<string, string>('cars', { keySerde: str, valueSerde: str })
    const cards = names.join(cars, (name, car) => `${name} in ${car}`)
    b.stream<string, string>('pings', { keySerde: str, valueSerde: str })
      .join(cards, (ping, card) => `${ping}: ${card}`)
      .to('out', { keySerde: str, valueSerde: str })
    const topology = b.build()
    expect([...topology.stores.keys()].sort()).toEqual(['cars-STATE-STORE-0000000003', 'names-STATE-STORE-0000000000'])
    driver = new TopologyTestDriver(topology, { stateStores })
    await driver.createInputTopic('names', str, str).pipeInput('d1', 'Ana', 1)
    const pings = driver.createInputTopic('pings', str, str)
    await pings.pipeInput('d1', 'p1', 5) // no car yet: the inner join result is absent
    await driver.createInputTopic('cars', str, str).pipeInput('d1', 'a Prius', 6)
    await pings.pipeInput('d1', 'p2', 7)
    expect(driver.createOutputTopic('out', str, str).readKeyValuesToList()).toEqual([['d1', 'p2: Ana in a Prius']])
  })
})
