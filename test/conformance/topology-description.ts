// Kafka's TopologyTest compares TopologyDescription objects: sub-topologies as sets of nodes, each
// node with its topics or stores and its successors and predecessors, and global stores; equal
// whatever order describe() prints them in. Here describe() text is parsed back into that shape,
// and the expected description is built as Java's test helpers build it.

/** A node of a description: kind, name, what it reads or writes or keeps, and its neighbours. */
export interface NodeDescription {
  readonly kind: 'Source' | 'Processor' | 'Sink'
  readonly name: string
  /** Source: its topics; Processor: its stores; Sink: its topic. */
  readonly detail: readonly string[]
  readonly successors: Set<string>
  readonly predecessors: Set<string>
}

export interface SubtopologyDescription {
  readonly id: number
  readonly global: boolean
  readonly nodes: ReadonlyMap<string, NodeDescription>
}

const SUBTOPOLOGY = /^ {2,3}Sub-topology: (\d+)( for global store \(will not generate tasks\))?$/
const NODE = /^ {4}(Source|Processor|Sink): (\S+) \((topics|stores|topic): \[?([^\])]*)\]?\)$/

/** Parses Kafka's TopologyDescription text, as Tributary's describe() prints it. */
export function parseDescription(text: string): SubtopologyDescription[] {
  const lines = text.split('\n')
  if (lines[0] !== 'Topologies:') throw new Error(`Not a topology description: ${JSON.stringify(lines[0])}`)
  const subtopologies: SubtopologyDescription[] = []
  let nodes: Map<string, NodeDescription> | undefined
  let node: NodeDescription | undefined
  for (const line of lines.slice(1)) {
    const sub = SUBTOPOLOGY.exec(line)
    if (sub !== null) {
      nodes = new Map()
      subtopologies.push({ id: Number(sub[1]), global: sub[2] !== undefined, nodes })
      continue
    }
    const found = NODE.exec(line)
    if (found !== null && nodes !== undefined) {
      const [, kind, name, , list] = found
      const detail = list === undefined || list === '' ? [] : list.split(', ')
      node = { kind: kind as NodeDescription['kind'], name: name as string, detail, successors: new Set(), predecessors: new Set() }
      nodes.set(node.name, node)
      continue
    }
    const successors = /^ {6}--> (.*)$/.exec(line)
    if (successors !== null && node !== undefined && successors[1] !== 'none') for (const s of (successors[1] as string).split(', ')) node.successors.add(s)
    const predecessors = /^ {6}<-- (.*)$/.exec(line)
    if (predecessors !== null && node !== undefined && predecessors[1] !== 'none') for (const p of (predecessors[1] as string).split(', ')) node.predecessors.add(p)
  }
  return subtopologies
}

/** The comparable form of a description: sub-topologies by id, nodes by name, lists as sorted arrays. */
export function comparable(subtopologies: readonly SubtopologyDescription[]) {
  return subtopologies.map((s) => ({
    id: s.id,
    global: s.global,
    nodes: Object.fromEntries(
      [...s.nodes.values()].map((n) => [
        n.name,
        { kind: n.kind, detail: [...n.detail].sort(), successors: [...n.successors].sort(), predecessors: [...n.predecessors].sort() },
      ]),
    ),
  }))
}

/** Builds an expected description the way Java's TopologyTest helpers do. */
export class ExpectedDescription {
  private readonly subtopologies: SubtopologyDescription[] = []

  source(name: string, ...topics: string[]): NodeDescription {
    return { kind: 'Source', name, detail: topics, successors: new Set(), predecessors: new Set() }
  }

  processor(name: string, stores: readonly string[], ...parents: NodeDescription[]): NodeDescription {
    return this.linked({ kind: 'Processor', name, detail: stores, successors: new Set(), predecessors: new Set() }, parents)
  }

  sink(name: string, topic: string, ...parents: NodeDescription[]): NodeDescription {
    return this.linked({ kind: 'Sink', name, detail: [topic], successors: new Set(), predecessors: new Set() }, parents)
  }

  addSubtopology(id: number, nodes: readonly NodeDescription[], global = false): void {
    this.subtopologies.push({ id, global, nodes: new Map(nodes.map((n) => [n.name, n])) })
  }

  /** A global store: its own sub-topology of the source and the processor that fills the store. */
  addGlobalStore(store: string, sourceName: string, topic: string, processorName: string, id: number): void {
    const source = this.source(sourceName, topic)
    this.addSubtopology(id, [source, this.processor(processorName, [store], source)], true)
  }

  get described(): SubtopologyDescription[] {
    return this.subtopologies
  }

  private linked(node: NodeDescription, parents: readonly NodeDescription[]): NodeDescription {
    for (const parent of parents) {
      parent.successors.add(node.name)
      node.predecessors.add(parent.name)
    }
    return node
  }
}
