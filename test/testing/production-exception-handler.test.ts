import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()
const num = Serdes.json<number>()

/** A value serde that cannot encode amounts above 5. */
const picky: Serde<number> = {
  serialize: (value) => {
    if (value > 5) throw new Error(`cannot encode ${value}`)
    return Buffer.from(String(value))
  },
  deserialize: (data) => Number(data.toString()),
}

/** Doubles amounts into `charges` (with the picky serde); every order also goes to `audit`. */
function billing() {
  const b = new StreamsBuilder()
  const orders = b.stream<string, number>('orders', { keySerde: str, valueSerde: num })
  orders.mapValues((amount) => amount * 2).to('charges', { keySerde: str, valueSerde: picky })
  orders.to('audit', { keySerde: str, valueSerde: num })
  return b.build()
}

describe('TopologyTestDriver productionExceptionHandler', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it("'fail' (default) rejects pipeInput with a ProductionError, even when the processing handler would skip", async () => {
    driver = new TopologyTestDriver(billing(), { processingExceptionHandler: 'continue' })
    const orders = driver.createInputTopic('orders', str, num)
    await orders.pipeInput('a', 1, 1)
    const error = await orders.pipeInput('b', 3, 2).catch((e: unknown) => e)
    expect(isTributaryError(error, 'TRIBUTARY_PRODUCTION')).toBe(true)
    expect((error as Error).message).toMatch(/topic "charges".*cannot encode 6.*productionExceptionHandler/)
    expect(driver.metrics().processingErrors).toBe(0)
  })

  it("'continue' drops only the output that cannot be serialized; the input's other outputs still go out", async () => {
    driver = new TopologyTestDriver(billing(), { productionExceptionHandler: 'continue' })
    const orders = driver.createInputTopic('orders', str, num)
    await orders.pipeRecordList([
      { key: 'a', value: 1, timestamp: 1 },
      { key: 'b', value: 3, timestamp: 2 },
      { key: 'c', value: 2, timestamp: 3 },
    ])
    expect(driver.createOutputTopic('charges', str, picky).readKeyValuesToList()).toEqual([
      ['a', 2],
      ['c', 4],
    ])
    expect(driver.createOutputTopic('audit', str, num).readValuesToList()).toEqual([1, 3, 2])
    expect(driver.metrics()).toMatchObject({ productionErrors: 1, processingErrors: 0 })
  })
})
