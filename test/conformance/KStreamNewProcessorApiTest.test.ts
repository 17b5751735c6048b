// Ported from apache/kafka's
// streams/src/test/java/org/apache/kafka/streams/kstream/internals/KStreamNewProcessorApiTest.java
//
// Java's FixedKeyProcessorSupplier with stores() (ConnectedStoreProvider) is a supplier with a
// `stores` list (ProcessorSupplierWithStores); Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("store"),
// String, String) is a key-value store of string serdes, in memory.
import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import type { ProcessorSupplierWithStores, StateStoreOptions } from '../../src/dsl/index.js'
import type { ProcessorContext } from '../../src/processors/api.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { KeyValueStore } from '../../src/state/types.js'
import { TopologyTestDriver } from '../../src/testing/index.js'

const str = Serdes.string()

/** TransformerSupplier: puts `<value>Updated` into "store" (if absent) and forwards it. */
function transformerSupplier(storeBuilder: StateStoreOptions<unknown, unknown> | undefined): ProcessorSupplierWithStores {
  const supplier = () => {
    let store: KeyValueStore<string, string>
    let context: ProcessorContext<string, string>
    return {
      init(c: ProcessorContext<string, string>) {
        context = c
        store = c.getStateStore('store')
        if (store === undefined) throw new Error("State store can't be null")
      },
      async process(record: { key: unknown; value: unknown; timestamp: number; headers: Record<string, Buffer> }) {
        await store.putIfAbsent(record.key as string, `${String(record.value)}Updated`)
        await context.forward({ ...record, key: record.key as string, value: `${String(record.value)}Updated` })
      },
    }
  }
  return storeBuilder === undefined ? supplier : Object.assign(supplier, { stores: [storeBuilder] })
}

async function runTest(shouldAddStoreDirectly: boolean): Promise<void> {
  const builder = new StreamsBuilder()
  const storeBuilder: StateStoreOptions<unknown, unknown> = { name: 'store', type: 'keyValue', keySerde: str, valueSerde: str, storeType: 'memory' }
  if (shouldAddStoreDirectly) builder.addStateStore(storeBuilder)
  builder
    .stream<string, string>('input', { keySerde: str, valueSerde: str })
    .processValues(transformerSupplier(shouldAddStoreDirectly ? undefined : storeBuilder), { stores: ['store'] })
    .to('output', { keySerde: str, valueSerde: str })

  const words: [string, string][] = [
    ['a', 'foo'],
    ['b', 'bar'],
    ['c', 'baz'],
  ]
  const testDriver = new TopologyTestDriver(builder.build())
  try {
    const testDriverInputTopic = testDriver.createInputTopic('input', str, str)
    for (const [key, value] of words) await testDriverInputTopic.pipeInput(key, value)
    const expectedOutput = ['fooUpdated', 'barUpdated', 'bazUpdated']
    const actualOutput = testDriver.createOutputTopic('output', str, str).readValuesToList()
    const stateStore = testDriver.getKeyValueStore<string, string>('store')
    expect(actualOutput).toEqual(expectedOutput)
    expect(await stateStore.get('a')).toBe('fooUpdated')
    expect(await stateStore.get('b')).toBe('barUpdated')
    expect(await stateStore.get('c')).toBe('bazUpdated')
  } finally {
    await testDriver.close()
  }
}

describe('KStreamNewProcessorApiTest', () => {
  it('shouldGetStateStoreWithConnectedStoreProvider', async () => {
    await runTest(false)
  })

  it('shouldGetStateStoreWithStreamBuilder', async () => {
    await runTest(true)
  })
})
