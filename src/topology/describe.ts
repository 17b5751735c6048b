import type { Topology } from './topology.js'
import type { TopologyNode } from './types.js'

/**
 * Renders Kafka Streams' TopologyDescription text. Nodes are ordered as Kafka orders them: larger
 * downstream sub-graphs first (so sources lead), ties by name; so are successor and predecessor lists.
 */
export function describeTopology(topology: Topology): string {
  const successors = (node: TopologyNode): readonly string[] => (node.type === 'sink' ? [] : node.children)
  const subtreeSizes = new Map<string, number>()
  const subtreeSize = (name: string): number => {
    const known = subtreeSizes.get(name)
    if (known !== undefined) return known
    const seen = new Set<string>()
    const visit = (n: string): void => {
      if (seen.has(n)) return
      seen.add(n)
      for (const child of successors(topology.node(n))) visit(child)
    }
    visit(name)
    subtreeSizes.set(name, seen.size)
    return seen.size
  }
  const byKafkaOrder = (a: string, b: string): number => subtreeSize(b) - subtreeSize(a) || (a < b ? -1 : a > b ? 1 : 0)
  const names = (list: readonly string[]): string => (list.length === 0 ? 'none' : [...list].sort(byKafkaOrder).join(', '))

  let text = 'Topologies:\n'
  for (const subtopology of topology.subtopologies) {
    text += subtopology.global === true ? `   Sub-topology: ${subtopology.id} for global store (will not generate tasks)\n` : `   Sub-topology: ${subtopology.id}\n`
    for (const name of [...subtopology.nodes].sort(byKafkaOrder)) {
      const node = topology.node(name)
      if (node.type === 'source') {
        text += `    Source: ${node.name} (topics: [${node.topics.join(', ')}])\n      --> ${names(node.children)}\n`
      } else if (node.type === 'processor') {
        // Kafka Streams lists a global store only on the processor that fills it.
        const stores = subtopology.global === true ? node.stores : node.stores.filter((s) => topology.stores.get(s)?.global !== true)
        text += `    Processor: ${node.name} (stores: [${stores.join(', ')}])\n      --> ${names(node.children)}\n      <-- ${names(node.parents)}\n`
      } else {
        const target = typeof node.topic === 'string' ? `topic: ${node.topic}` : `extractor class: ${node.topic.name || 'anonymous'}`
        text += `    Sink: ${node.name} (${target})\n      <-- ${names(node.parents)}\n`
      }
    }
    text += '\n'
  }
  return text
}
