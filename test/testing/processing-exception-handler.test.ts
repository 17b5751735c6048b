import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { Processor } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/serdes.js'
import { DEAD_LETTER_HEADERS } from '../../src/testing/index.js'
import { TopologyTestDriver, type TopologyTestDriverOptions } from '../../src/testing/index.js'

const str = Serdes.string()
const num = Serdes.json<number>()

/** Fares doubled; the mapper throws on a negative amount. */
function billing() {
  const b = new StreamsBuilder()
  b.stream<string, number>('orders', { keySerde: str, valueSerde: num })
    .mapValues((amount) => {
      if (amount < 0) throw new RangeError(`negative amount ${amount}`)
      return amount * 2
    })
    .to('charges', { keySerde: str, valueSerde: num })
  return b.build()
}

describe('TopologyTestDriver processingExceptionHandler', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  async function run(options: TopologyTestDriverOptions) {
    driver = new TopologyTestDriver(billing(), options)
    const orders = driver.createInputTopic('orders', str, num)
    const charges = driver.createOutputTopic('charges', str, num)
    return { driver, orders, charges }
  }

  it("'fail' (default) rejects pipeInput with a ProcessingError", async () => {
    const { orders } = await run({})
    await expect(orders.pipeInput('a', -1, 1)).rejects.toSatisfy((e: unknown) => isTributaryError(e, 'TRIBUTARY_PROCESSING') && /negative amount -1/.test((e as Error).message))
  })

  it("'continue' skips the record, counts it and goes on", async () => {
    const { driver, orders, charges } = await run({ processingExceptionHandler: 'continue' })
    await orders.pipeRecordList([
      { key: 'a', value: 1, timestamp: 1 },
      { key: 'b', value: -1, timestamp: 2 },
      { key: 'c', value: 3, timestamp: 3 },
    ])
    expect(charges.readKeyValuesToList()).toEqual([
      ['a', 2],
      ['c', 6],
    ])
    expect(driver.metrics().processingErrors).toBe(1)
  })

  it('a dead-letter topic gets the input record with the headers KafkaStreams writes', async () => {
    const { driver, orders, charges } = await run({ processingExceptionHandler: { deadLetterTopic: 'orders-failed' } })
    await orders.pipeInput('a', 1, 1)
    await orders.pipeInput('b', -7, 2, { trace: Buffer.from('t-1') })
    await orders.pipeInput('c', 3, 3)
    expect(charges.readValuesToList()).toEqual([2, 6])
    const dead = driver.createOutputTopic('orders-failed', str, num).readRecordsToList()
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ key: 'b', value: -7, timestamp: 2 })
    const headers = Object.fromEntries(Object.entries(dead[0]?.headers ?? {}).map(([k, v]) => [k, v.toString()]))
    expect(headers).toEqual({
      trace: 't-1',
      [DEAD_LETTER_HEADERS.topic]: 'orders',
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '1',
      [DEAD_LETTER_HEADERS.exception]: 'RangeError',
      [DEAD_LETTER_HEADERS.message]: 'negative amount -7',
    })
  })

  it('skips a failing wall-clock punctuation under continue and fails under fail', async () => {
    const b = new StreamsBuilder()
    b.stream<string, number>('orders', { keySerde: str, valueSerde: num }).process(
      (): Processor<string, number> => ({
        init: (ctx) => {
          ctx.schedule(1_000, 'wall-clock', () => {
            throw new Error('clock broke')
          })
        },
        process: () => undefined,
      }),
    )
    driver = new TopologyTestDriver(b.build(), { processingExceptionHandler: 'continue' })
    await driver.advanceWallClockTime(1_000)
    expect(driver.metrics().processingErrors).toBe(1)
    await driver.close()
    driver = new TopologyTestDriver(b.build())
    await expect(driver.advanceWallClockTime(1_000)).rejects.toThrow(/clock broke/)
  })

  it('rejects an unknown handler with a ConfigError', () => {
    expect(() => new TopologyTestDriver(billing(), { processingExceptionHandler: 'skip' as 'fail' })).toThrow(ConfigError)
  })
})
