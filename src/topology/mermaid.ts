import type { Topology } from './topology.js'

/** A Mermaid flowchart: one box per sub-topology, topics as stadium shapes, stores as cylinders. */
export function topologyToMermaid(topology: Topology): string {
  const lines = ['flowchart TD']
  const id = (kind: string, name: string): string => `${kind}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`
  const topics = new Set<string>()
  for (const subtopology of topology.subtopologies) {
    lines.push(`  subgraph sub${subtopology.id}["Sub-topology ${subtopology.id}"]`)
    for (const name of subtopology.nodes) lines.push(`    ${id('n', name)}["${name}"]`)
    lines.push('  end')
  }
  for (const node of topology.nodes.values()) {
    if (node.type === 'source') {
      for (const topic of node.topics) {
        topics.add(topic)
        lines.push(`  ${id('t', topic)} --> ${id('n', node.name)}`)
      }
    }
    if (node.type !== 'sink') for (const child of node.children) lines.push(`  ${id('n', node.name)} --> ${id('n', child)}`)
    if (node.type === 'sink') {
      const topic = typeof node.topic === 'string' ? node.topic : '(dynamic topic)'
      topics.add(topic)
      lines.push(`  ${id('n', node.name)} --> ${id('t', topic)}`)
    }
    if (node.type === 'processor') {
      for (const store of node.stores) lines.push(`  ${id('n', node.name)} -.- ${id('s', store)}[("${store}")]`)
    }
  }
  for (const topic of topics) lines.push(`  ${id('t', topic)}(["${topic}"])`)
  return lines.join('\n') + '\n'
}
