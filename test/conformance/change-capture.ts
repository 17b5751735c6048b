// Java's `topology.addProcessor(procName, new MockApiProcessorSupplier<>(), table.name)`, which sees
// the Change<V> (new and old value) a table node forwards, for the ported tests that check old
// values: Tributary has no public way to attach a processor to a table's node, so these reach
// KTable's internals, as Java's tests reach KTableImpl.name.
import type { Change } from '../../src/core/windowed.js'
import type { KTable } from '../../src/dsl/index.js'
import type { InternalStreamsBuilder } from '../../src/dsl/internal-builder.js'
import { KStream } from '../../src/dsl/k-stream.js'
import type { ProcessorContext, ProcessorSupplier } from '../../src/processors/api.js'
import type { Serde } from '../../src/serde/serde.js'
import { Serdes } from '../../src/serde/serdes.js'
import type { TopologyTestDriver } from '../../src/testing/index.js'

/** new Change<>(newValue, oldValue) */
export function change<V>(newValue: V | null, oldValue: V | null): Change<V> {
  return { newValue, oldValue }
}

/** A processor forwarding exactly { newValue, oldValue } of each Change it receives. */
function changeCapture<K, V>(): ProcessorSupplier<K, Change<V>, K, Change<V>> {
  return () => {
    let ctx!: ProcessorContext<K, Change<V>>
    return {
      init(context) {
        ctx = context
      },
      process(record) {
        const { newValue, oldValue } = record.value
        return ctx.forward({ key: record.key, value: { newValue, oldValue }, timestamp: record.timestamp, headers: record.headers })
      },
    }
  }
}

/** A processor child of the table's own node; what it receives goes to the topic `<procName>-output`, returned. */
export function addChangeProcessor<K, V>(table: KTable<K, V>, procName: string, keySerde: Serde<K> = Serdes.string() as unknown as Serde<K>): string {
  const internals = table as unknown as { builder: InternalStreamsBuilder; nodeId: number }
  const topic = `${procName}-output`
  new KStream<K, Change<V>>(internals.builder, internals.nodeId, keySerde, undefined)
    .process(changeCapture<K, V>(), { name: procName })
    .to(topic, { keySerde, valueSerde: Serdes.json<Change<V>>() })
  return topic
}

/** What the processor added by `addChangeProcessor` received since the last read: key, change, timestamp. */
export function readChanges<V, K = string>(driver: TopologyTestDriver, topic: string, keySerde: Serde<K> = Serdes.string() as unknown as Serde<K>): [K, Change<V>, number][] {
  return driver
    .createOutputTopic(topic, keySerde, Serdes.json<Change<V>>())
    .readRecordsToList()
    .map((r) => [r.key as K, change(r.value!.newValue, r.value!.oldValue), r.timestamp])
}

/**
 * Wraps a script's steps so that after each one the changes captured at `proc` must carry no old
 * value (Java's checkAndClearProcessResult of `new Change<>(newValue, null)` when old values were
 * not asked for).
 */
export function withoutOldValues<O, K>(steps: readonly ((out: O, driver: TopologyTestDriver) => void)[], proc: string, keySerde: Serde<K>): ((out: O, driver: TopologyTestDriver) => void)[] {
  return steps.map((step) => (out, driver) => {
    step(out, driver)
    for (const [, captured] of readChanges<unknown, K>(driver, proc, keySerde)) {
      if (captured.oldValue !== null) throw new Error(`an old value was sent though nothing asked for it: ${JSON.stringify(captured)}`)
    }
  })
}
