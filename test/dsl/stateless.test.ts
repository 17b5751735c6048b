import { afterEach, describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { Serdes } from '../../src/serde/serdes.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import type { Processor, ProcessorContext } from '../../src/processors/api.js'

const str = Serdes.string()
const num = Serdes.json<number>()

describe('stateless operators', () => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('filter, mapValues, map, selectKey, flatMap, flatMapValues, peek and to chain with inferred types', async () => {
    const builder = new StreamsBuilder()
    const seen: string[] = []
    builder
      .stream<string, number>('in', { keySerde: str, valueSerde: num })
      .filter((_k, v) => v > 0)
      .filterNot((_k, v) => v === 13)
      .mapValues((v) => v * 10)
      .peek((k, v) => seen.push(`${k}=${v}`))
      .map((k, v) => [`${k}!`, String(v)] as const)
      .selectKey((k, v) => `${k}${v.length}`)
      .flatMapValues((v) => [v, `${v}+`])
      .flatMap((k, v) => (v.endsWith('+') ? [[k, v]] : []))
      .to('out', { keySerde: str, valueSerde: str })
    driver = new TopologyTestDriver(builder.build())
    const input = driver.createInputTopic('in', str, num)
    const output = driver.createOutputTopic('out', str, str)
    await input.pipeInput('a', 1, 5)
    await input.pipeInput('b', -1, 6)
    await input.pipeInput('c', 13, 7)
    await input.pipeInput('d', 20, 8)
    expect(output.readRecordsToList()).toEqual([
      { key: 'a!2', value: '10+', timestamp: 5, headers: {} },
      { key: 'd!3', value: '200+', timestamp: 8, headers: {} },
    ])
    expect(seen).toEqual(['a=10', 'd=200'])
  })

  it('merge interleaves two streams and split routes to the first matching branch or the default', async () => {
    const builder = new StreamsBuilder()
    const a = builder.stream<string, number>('a', { keySerde: str, valueSerde: num })
    const b = builder.stream<string, number>('b', { keySerde: str, valueSerde: num })
    const { small, large, rest } = a.merge(b).split({ small: (_k, v) => v < 10, large: (_k, v) => v >= 100 }, { defaultBranch: 'rest' })
    small.to('small')
    large.to('large')
    rest.to('rest')
    driver = new TopologyTestDriver(builder.build())
    const inA = driver.createInputTopic('a', str, num)
    const inB = driver.createInputTopic('b', str, num)
    await inA.pipeInput('x', 1, 0)
    await inB.pipeInput('y', 500, 1)
    await inA.pipeInput('z', 50, 2)
    await inB.pipeInput('w', 5, 3)
    expect(driver.createOutputTopic('small', str, num).readKeyValuesToList()).toEqual([['x', 1], ['w', 5]])
    expect(driver.createOutputTopic('large', str, num).readKeyValuesToList()).toEqual([['y', 500]])
    expect(driver.createOutputTopic('rest', str, num).readKeyValuesToList()).toEqual([['z', 50]])
  })

  it('to() with a topic extractor picks the topic per record', async () => {
    const builder = new StreamsBuilder()
    builder.stream<string, number>('in', { keySerde: str, valueSerde: num }).to((k) => `out-${k}`)
    driver = new TopologyTestDriver(builder.build())
    const input = driver.createInputTopic('in', str, num)
    await input.pipeInput('a', 1, 0)
    await input.pipeInput('b', 2, 0)
    await input.pipeInput('a', 3, 0)
    expect(driver.createOutputTopic('out-a', str, num).readValuesToList()).toEqual([1, 3])
    expect(driver.createOutputTopic('out-b', str, num).readValuesToList()).toEqual([2])
  })

  it('foreach sees every record and ends the stream', async () => {
    const builder = new StreamsBuilder()
    const seen: [string, number][] = []
    builder.stream<string, number>('in', { keySerde: str, valueSerde: num }).foreach((k, v) => seen.push([k, v]))
    driver = new TopologyTestDriver(builder.build())
    await driver.createInputTopic('in', str, num).pipeRecordList([
      { key: 'a', value: 1, timestamp: 0 },
      { key: 'b', value: 2, timestamp: 1 },
    ])
    expect(seen).toEqual([['a', 1], ['b', 2]])
  })

  it('a timestamp extractor sets the event time of each record', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, { ts: number }>('in', { keySerde: str, valueSerde: Serdes.json(), timestampExtractor: (r) => r.value.ts })
      .to('out')
    driver = new TopologyTestDriver(builder.build())
    await driver.createInputTopic('in', str, Serdes.json<{ ts: number }>()).pipeInput('a', { ts: 42 }, 1)
    expect(driver.createOutputTopic('out', str, Serdes.json()).readRecord().timestamp).toBe(42)
  })

  it('process() runs a Processor API processor with a store, stream-time and wall-clock punctuation', async () => {
    const builder = new StreamsBuilder()
    builder.addStateStore({ name: 'totals', type: 'keyValue', keySerde: str, valueSerde: num })
    const punctuations: string[] = []
    const summing = (): Processor<string, number, string, number> => {
      let ctx!: ProcessorContext<string, number>
      return {
        init(context) {
          ctx = context
          context.schedule(10, 'stream-time', (t) => {
            punctuations.push(`stream@${t}`)
          })
          context.schedule(1_000, 'wall-clock', (t) => {
            punctuations.push(`wall@${t}`)
            return ctx.forward({ key: 'tick', value: t, timestamp: t, headers: {} })
          })
        },
        async process(record) {
          const store = ctx.getStateStore<import('../../src/state/types.js').KeyValueStore<string, number>>('totals')
          const total = ((await store.get(record.key)) ?? 0) + record.value
          await store.put(record.key, total)
          await ctx.forward({ ...record, value: total })
        },
      }
    }
    builder.stream<string, number>('in', { keySerde: str, valueSerde: num }).process(summing, { stores: ['totals'] }).to('out', { keySerde: str, valueSerde: num })
    driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' })
    const input = driver.createInputTopic('in', str, num)
    const output = driver.createOutputTopic('out', str, num)
    await input.pipeInput('a', 1, 0)
    await input.pipeInput('a', 2, 5)
    await input.pipeInput('b', 3, 25)
    await driver.advanceWallClockTime(1_500)
    expect(output.readKeyValuesToList()).toEqual([['a', 1], ['a', 3], ['b', 3], ['tick', 1_500]])
    expect(punctuations).toEqual(['stream@0', 'stream@25', 'wall@1500'])
    expect(await driver.getKeyValueStore<string, number>('totals').get('a')).toBe(3)
    const changelog = driver.createOutputTopic('app-totals-changelog', str, num)
    expect(changelog.readKeyValuesToMap()).toEqual(new Map([['a', 3], ['b', 3]]))
  })
})
