import { describe, expect, it } from 'vitest'
import { TopologyError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { ProcessorContext } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { KeyValueStore } from '../../src/state/types.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const text = { keySerde: Serdes.string(), valueSerde: Serdes.string() }

function topology(write: boolean) {
  const b = new StreamsBuilder()
  b.addGlobalStore<string, string>({ name: 'names', type: 'keyValue', ...text }, 'names-topic', text, () => {
    let names!: KeyValueStore<string, string>
    return {
      init: (context) => void (names = context.getStateStore('names')),
      process: (record) => names.put(record.key, record.value),
    }
  })
  b.stream<string, string>('in', text)
    .process<string, string>(() => {
      let ctx!: ProcessorContext<string, string>
      let names!: KeyValueStore<string, string>
      return {
        init(context) {
          ctx = context
          names = context.getStateStore('names')
        },
        async process(record) {
          if (write) await names.put(record.key, 'overwritten')
          return ctx.forward({ ...record, value: (await names.get(record.key)) ?? 'none' })
        },
      }
    })
    .to('out', text)
  return b.build()
}

describe('builder.addGlobalStore', () => {
  it('is read by unconnected stream processors, and read-only to them', async () => {
    const reader = new TopologyTestDriver(topology(false))
    try {
      await reader.createInputTopic('names-topic', Serdes.string(), Serdes.string()).pipeInput('k', 'from the global topic')
      await reader.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'x')
      expect(reader.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual(['from the global topic'])
    } finally {
      await reader.close()
    }
    const writer = new TopologyTestDriver(topology(true))
    try {
      await expect(writer.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'x')).rejects.toThrow(/Global store "names" is read-only here/)
    } finally {
      await writer.close()
    }
  })

  it('refuses an offset reset policy: the topic is always read in full', () => {
    const b = new StreamsBuilder()
    expect(() => b.addGlobalStore({ name: 's', type: 'keyValue' }, 't', { offsetResetPolicy: 'latest' }, () => ({ process: () => undefined }))).toThrow(TopologyError)
  })
})
