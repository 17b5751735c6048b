import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js'
import type { Serde, SerdeContext } from '../serde/serde.js'
import { Topology } from '../topology/topology.js'
import type { SerdeRef, SinkNode, TopologyNode } from '../topology/types.js'

/**
 * Sink serialization failures belong to the production exception handler (KIP-399), not to the
 * processing one, and 'continue' must drop only the one output record while the input record's
 * other outputs still go out. A sink serializes before it hands the bytes to its task, so the task
 * cannot catch the failure there; instead the sink serdes are wrapped to answer a failure with a
 * marker buffer, which the task recognizes when the bytes reach it (`serializationFailureOf`).
 */
const failures = new WeakMap<Buffer, unknown>()

function marker(error: unknown): Buffer {
  const bytes = Buffer.alloc(0)
  failures.set(bytes, error)
  return bytes
}

/** The error a sink serde threw, when `bytes` is the marker that stands for it. */
export function serializationFailureOf(bytes: Buffer | null): unknown {
  // Markers are empty: real records almost never are, so the map is rarely consulted.
  if (bytes === null || bytes.length !== 0) return undefined
  return failures.get(bytes)
}

function guardedSerde(serde: Serde<unknown>): Serde<unknown> {
  return {
    serialize(value: unknown, context: SerdeContext): MaybePromise<Buffer> {
      let bytes: MaybePromise<Buffer>
      try {
        bytes = serde.serialize(value, context)
      } catch (error) {
        return marker(error)
      }
      return isPromiseLike(bytes) ? Promise.resolve(bytes).catch(marker) : bytes
    },
    deserialize: (data, context) => serde.deserialize(data, context),
  }
}

function guardedRef(ref: SerdeRef): SerdeRef {
  const { wrap } = ref
  return { ...ref, wrap: (inner) => guardedSerde(wrap === undefined ? inner : wrap(inner)) }
}

const guarded = new WeakMap<Topology, Topology>()

/** The same topology with every sink's serdes guarded; computed once per topology. */
export function withGuardedSinks(topology: Topology): Topology {
  let result = guarded.get(topology)
  if (result !== undefined) return result
  const nodes = new Map<string, TopologyNode>()
  for (const [name, node] of topology.nodes) {
    if (node.type !== 'sink') nodes.set(name, node)
    else nodes.set(name, { ...node, keySerde: guardedRef(node.keySerde), valueSerde: guardedRef(node.valueSerde) } satisfies SinkNode)
  }
  result = new Topology({
    nodes,
    stores: topology.stores,
    internalTopics: topology.internalTopics,
    subtopologies: topology.subtopologies,
    copartitionGroups: topology.copartitionGroups,
  })
  guarded.set(topology, result)
  return result
}
