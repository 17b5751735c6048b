import { kafkaDescribeOrder } from './describe-order.js'
import type { Topology } from './topology.js'
import type { TopicNameExtractor } from './types.js'

/**
 * Renders Kafka Streams' TopologyDescription text, with nodes, successors and predecessors in
 * Kafka's order (see describe-order.ts).
 */
export function describeTopology(topology: Topology): string {
  // Kafka writes "Topologies:\n " and then "  " before each sub-topology: the first is indented by three.
  let text = 'Topologies:\n '
  for (const subtopology of topology.subtopologies) {
    text += subtopology.global === true ? `  Sub-topology: ${subtopology.id} for global store (will not generate tasks)\n` : `  Sub-topology: ${subtopology.id}\n`
    const members = new Set(subtopology.nodes)
    const inOrderAdded = [...topology.nodes.values()].filter((node) => members.has(node.name))
    const order = kafkaDescribeOrder(inOrderAdded.map((node) => ({ name: node.name, parents: node.type === 'source' ? [] : node.parents })))
    const names = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.join(', '))
    for (const name of order.nodes) {
      const node = topology.node(name)
      if (node.type === 'source') {
        text += `    Source: ${node.name} (topics: [${node.topics.join(', ')}])\n      --> ${names(order.successors(name))}\n`
      } else if (node.type === 'processor') {
        // Kafka Streams lists a global store only on the processor that fills it.
        const stores = subtopology.global === true ? node.stores : node.stores.filter((s) => topology.stores.get(s)?.global !== true)
        text += `    Processor: ${node.name} (stores: [${stores.join(', ')}])\n      --> ${names(order.successors(name))}\n      <-- ${names(order.predecessors(name))}\n`
      } else {
        const target = typeof node.topic === 'string' ? `topic: ${node.topic}` : `extractor class: ${extractorLabel(node.topic)}`
        text += `    Sink: ${node.name} (${target})\n      <-- ${names(order.predecessors(name))}\n`
      }
    }
    text += '\n'
  }
  return text
}

/**
 * Kafka prints the extractor's toString(). A function's own toString() is its source text, so
 * only a toString() the user gave (an object method, a class's) is printed; else the function's name.
 */
function extractorLabel(extractor: TopicNameExtractor): string {
  if (extractor.toString !== Function.prototype.toString) return String(extractor)
  return extractor.name || 'anonymous'
}
