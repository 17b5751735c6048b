import { afterEach, describe, expect, it } from 'vitest'
import { isTributaryError, SuppressionBufferFullError } from '../../src/core/errors.js'
import { BufferConfig, StreamsBuilder, Suppressed, TimeWindows } from '../../src/dsl/index.js'
import { TopologyTestDriver } from '../../src/testing/index.js'
import { num, storeEngines, str } from './fixtures.js'

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  return undefined
}

describe('Suppressed with a BufferConfig', () => {
  it('untilWindowCloses takes strict buffers only (unbounded, or shut down when full)', () => {
    expect(Suppressed.untilWindowCloses().bufferConfig).toEqual(BufferConfig.unbounded())
    expect(Suppressed.untilWindowCloses(BufferConfig.maxBytes(10).shutDownWhenFull()).bufferConfig.bufferFullStrategy).toBe('shut-down')
    // @ts-expect-error an eager buffer may emit early, which would break the final-results promise
    const error = thrown(() => Suppressed.untilWindowCloses(BufferConfig.maxRecords(10)))
    expect(isTributaryError(error, 'TRIBUTARY_CONFIG')).toBe(true)
    expect((error as Error).message).toContain('shutDownWhenFull()')
    // @ts-expect-error emitEarlyWhenFull() makes any buffer eager
    expect(isTributaryError(thrown(() => Suppressed.untilWindowCloses(BufferConfig.unbounded().emitEarlyWhenFull())), 'TRIBUTARY_CONFIG')).toBe(true)
  })

  it('bounds are non-negative whole numbers, or Infinity for none', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(isTributaryError(thrown(() => BufferConfig.maxRecords(bad)), 'TRIBUTARY_CONFIG')).toBe(true)
      expect(isTributaryError(thrown(() => BufferConfig.maxBytes(bad)), 'TRIBUTARY_CONFIG')).toBe(true)
      expect(isTributaryError(thrown(() => BufferConfig.unbounded().withMaxBytes(bad)), 'TRIBUTARY_CONFIG')).toBe(true)
    }
    expect(BufferConfig.maxRecords(0).maxRecords).toBe(0)
    expect(BufferConfig.maxBytes(Infinity).withMaxRecords(Infinity)).toEqual(BufferConfig.unbounded().emitEarlyWhenFull())
  })

  it('the { maxRecords } options form is BufferConfig.maxRecords(n), which emits early; no buffer config is unbounded', () => {
    expect(Suppressed.untilTimeLimit(5, { maxRecords: 3 })).toEqual(Suppressed.untilTimeLimit(5, BufferConfig.maxRecords(3).emitEarlyWhenFull()))
    expect(Suppressed.untilTimeLimit(5, {})).toEqual(Suppressed.untilTimeLimit(5, BufferConfig.unbounded()))
    expect(Suppressed.untilTimeLimit(5)).toEqual(Suppressed.untilTimeLimit(5, BufferConfig.unbounded()))
    expect(isTributaryError(thrown(() => Suppressed.untilTimeLimit(5, { maxRecords: -1 })), 'TRIBUTARY_CONFIG')).toBe(true)
    // @ts-expect-error maxBytes is a BufferConfig, not an option of the older form
    const unknownOption = thrown(() => Suppressed.untilTimeLimit(5, { maxBytes: 100 }))
    expect(isTributaryError(unknownOption, 'TRIBUTARY_CONFIG')).toBe(true)
    expect((unknownOption as Error).message).toContain('BufferConfig.maxBytes(n)')
    expect(Suppressed.BufferConfig).toBe(BufferConfig)
    expect(Suppressed.BufferConfig.maxBytes(7)).toEqual(BufferConfig.maxBytes(7))
  })

  it('BufferConfig logging: disabled, the buffer has no changelog; enabled with configs, its changelog topic takes them', () => {
    const topologyWith = (buffer: BufferConfig) => {
      const builder = new StreamsBuilder()
      builder.table<string, string>('input', { keySerde: str, valueSerde: str }).suppress(Suppressed.untilTimeLimit(10, buffer).withName('held')).toStream().to('out')
      return builder.build()
    }
    expect(topologyWith(BufferConfig.maxRecords(5).withLoggingDisabled()).internalTopics.has('held-store-changelog')).toBe(false)
    expect(topologyWith(BufferConfig.unbounded().withLoggingEnabled({ 'segment.bytes': '1048576' })).internalTopics.get('held-store-changelog')?.config).toEqual({
      'cleanup.policy': 'compact',
      'segment.bytes': '1048576',
    })
    expect(topologyWith(BufferConfig.unbounded()).internalTopics.get('held-store-changelog')?.config).toEqual({ 'cleanup.policy': 'compact' })
  })
})

describe.each(storeEngines)('suppress buffer bounds (%s stores)', (stateStores) => {
  let driver: TopologyTestDriver | undefined
  afterEach(async () => {
    await driver?.close()
    driver = undefined
  })

  it('maxBytes counts key, values, record context (topic, headers) per key; the oldest go out early only past the bound', async () => {
    // Each held key here: 8 (buffer time) + key 'a' (1) + new value 'x' (1) + 20 (timestamp, offset,
    // partition) + topic 'input' (5) = 35 bytes. Two fill 70 exactly: not over the bound.
    const builder = new StreamsBuilder()
    builder
      .table<string, string>('input', { keySerde: str, valueSerde: str })
      .suppress(Suppressed.untilTimeLimit(1_000_000, BufferConfig.maxBytes(70).emitEarlyWhenFull()))
      .toStream()
      .to('out', { keySerde: str, valueSerde: str })
    driver = new TopologyTestDriver(builder.build(), { stateStores })
    const input = driver.createInputTopic('input', str, str)
    const out = driver.createOutputTopic('out', str, str)
    await input.pipeInput('a', 'x', 1)
    await input.pipeInput('b', 'x', 2)
    expect(out.readKeyValuesToList()).toEqual([])
    await input.pipeInput('c', 'x', 3) // 105 bytes: a goes out
    expect(out.readKeyValuesToList()).toEqual([['a', 'x']])
    await input.pipeInput('b', 'y', 4, { h: Buffer.from('v') }) // b: old 'x' differs from its prior (null), + header: 38 bytes
    expect(out.readKeyValuesToList()).toEqual([['b', 'y']])
    await input.pipeInput('d', 'x', 5)
    expect(out.readKeyValuesToList()).toEqual([]) // c and d: 70
  })

  it('untilWindowCloses over a full strict buffer stops the task with SuppressionBufferFullError, whatever the processing exception handler', async () => {
    const builder = new StreamsBuilder()
    builder
      .stream<string, string>('input', { keySerde: str, valueSerde: str })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()))
      .toStream()
      .to('out', { valueSerde: num })
    driver = new TopologyTestDriver(builder.build(), { stateStores, processingExceptionHandler: 'continue' })
    const input = driver.createInputTopic('input', str, str)
    await input.pipeInput('a', 'x', 1)
    await input.pipeInput('a', 'x', 2) // the same window: still one held
    await input.pipeInput('a', 'x', 10) // closes window 0 (emitted), holds window 10
    let error: unknown
    try {
      await input.pipeInput('b', 'x', 11) // two held
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SuppressionBufferFullError)
    const full = error as SuppressionBufferFullError
    expect(isTributaryError(full, 'TRIBUTARY_STATE')).toBe(true)
    expect(full.message).toMatch(/^KTABLE-SUPPRESS-0000000003 buffer exceeded its max capacity\. Currently \[2\/1\] records\. /)
    expect([full.nodeName, full.numRecords, full.maxRecords, full.maxBytes]).toEqual(['KTABLE-SUPPRESS-0000000003', 2, 1, Infinity])
    expect(driver.metrics().processingErrors).toBe(0)
  })
})
