/**
 * The order in which Kafka Streams' `describe()` lists a sub-topology's nodes and each node's
 * successors and predecessors, reproduced step by step so that the text is byte-identical.
 *
 * Kafka (InternalTopologyBuilder.describeSubtopology) walks the sub-topology's node names in the
 * iteration order of a java.util.HashMap, connects each node to its predecessors and, at each
 * connection, adds the node's current sub-tree size to the predecessor and to every predecessor of
 * that one connected so far (counting a node once per path). Successor and predecessor lists are
 * TreeSets ordered by size (larger first), then by name, with each member placed by the sizes of
 * the moment it was inserted; the node list itself is sorted once, by the final sizes.
 */

export interface DescribedNode {
  readonly name: string
  /** Predecessor names in the order Kafka connects them (the order they were given to the node). */
  readonly parents: readonly string[]
}

export interface DescribeOrder {
  readonly nodes: readonly string[]
  successors(name: string): readonly string[]
  predecessors(name: string): readonly string[]
}

interface Described {
  readonly name: string
  size: number
  readonly successors: OrderedSet
  readonly predecessors: OrderedSet
}

/** `nodes` in the order they were added to the topology (Kafka's nodeFactories order). */
export function kafkaDescribeOrder(nodes: readonly DescribedNode[]): DescribeOrder {
  const described = new Map<string, Described>()
  for (const node of nodes) {
    described.set(node.name, { name: node.name, size: 1, successors: new OrderedSet(), predecessors: new OrderedSet() })
  }
  const get = (name: string): Described => {
    const node = described.get(name)
    if (node === undefined) throw new RangeError(`No node ${name} in the sub-topology.`)
    return node
  }
  const addSize = (node: Described, delta: number): void => {
    node.size += delta
    for (const predecessor of node.predecessors.items()) addSize(predecessor, delta)
  }
  const byName = new Map(nodes.map((node) => [node.name, node]))
  for (const name of javaHashOrder(nodes.map((node) => node.name))) {
    const node = get(name)
    for (const parentName of byName.get(name)?.parents ?? []) {
      const parent = described.get(parentName)
      if (parent === undefined) continue
      node.predecessors.add(parent)
      parent.successors.add(node)
      addSize(parent, node.size)
    }
  }
  const sorted = [...described.values()].sort(compareNodes).map((node) => node.name)
  return {
    nodes: sorted,
    successors: (name) => get(name).successors.items().map((node) => node.name),
    predecessors: (name) => get(name).predecessors.items().map((node) => node.name),
  }
}

/** Kafka's NODE_COMPARATOR: larger sub-tree first, then by name. */
function compareNodes(a: Described, b: Described): number {
  if (a === b) return 0
  if (a.size !== b.size) return b.size - a.size
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** java.lang.String#hashCode over UTF-16 code units. */
function javaStringHash(text: string): number {
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
  return hash
}

/**
 * The iteration order of a java.util.HashSet/HashMap filled with `names` in this order: by bucket
 * at the final capacity (16, doubled while more than 3/4 full), and by insertion within a bucket
 * (a resize splits buckets without reordering them).
 */
export function javaHashOrder(names: readonly string[]): string[] {
  let capacity = 16
  while (names.length > capacity * 0.75) capacity *= 2
  const bucket = (name: string): number => {
    const hash = javaStringHash(name)
    return (hash ^ (hash >>> 16)) & (capacity - 1)
  }
  return names
    .map((name, index) => ({ name, index, bucket: bucket(name) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((entry) => entry.name)
}

/**
 * A java.util.TreeSet (a red-black tree) under a comparator over mutable sizes: each member is
 * placed by comparing it along the tree's current search path, so the in-order result matches
 * Java's even when sizes changed after earlier members were inserted.
 */
class OrderedSet {
  private root: TreeNode | undefined

  add(value: Described): void {
    if (this.root === undefined) {
      this.root = { value, left: undefined, right: undefined, parent: undefined, red: false }
      return
    }
    let parent = this.root
    for (;;) {
      const cmp = compareNodes(value, parent.value)
      if (cmp === 0) return
      const next = cmp < 0 ? parent.left : parent.right
      if (next === undefined) {
        const node: TreeNode = { value, left: undefined, right: undefined, parent, red: true }
        if (cmp < 0) parent.left = node
        else parent.right = node
        this.fixAfterInsertion(node)
        return
      }
      parent = next
    }
  }

  items(): Described[] {
    const out: Described[] = []
    const visit = (node: TreeNode | undefined): void => {
      if (node === undefined) return
      visit(node.left)
      out.push(node.value)
      visit(node.right)
    }
    visit(this.root)
    return out
  }

  // The rebalancing of java.util.TreeMap (CLR's red-black insertion); rotations keep the in-order.
  private fixAfterInsertion(inserted: TreeNode): void {
    let x: TreeNode | undefined = inserted
    while (x !== undefined && x !== this.root && x.parent?.red === true) {
      const parent: TreeNode = x.parent
      const grand = parent.parent
      if (grand === undefined) break
      if (parent === grand.left) {
        const uncle = grand.right
        if (uncle?.red === true) {
          parent.red = false
          uncle.red = false
          grand.red = true
          x = grand
        } else {
          if (x === parent.right) {
            x = parent
            this.rotateLeft(x)
          }
          const p = x.parent as TreeNode
          p.red = false
          const g = p.parent as TreeNode
          g.red = true
          this.rotateRight(g)
        }
      } else {
        const uncle = grand.left
        if (uncle?.red === true) {
          parent.red = false
          uncle.red = false
          grand.red = true
          x = grand
        } else {
          if (x === parent.left) {
            x = parent
            this.rotateRight(x)
          }
          const p = x.parent as TreeNode
          p.red = false
          const g = p.parent as TreeNode
          g.red = true
          this.rotateLeft(g)
        }
      }
    }
    if (this.root !== undefined) this.root.red = false
  }

  private rotateLeft(p: TreeNode): void {
    const r = p.right
    if (r === undefined) return
    p.right = r.left
    if (r.left !== undefined) r.left.parent = p
    this.replaceChild(p, r)
    r.left = p
    p.parent = r
  }

  private rotateRight(p: TreeNode): void {
    const l = p.left
    if (l === undefined) return
    p.left = l.right
    if (l.right !== undefined) l.right.parent = p
    this.replaceChild(p, l)
    l.right = p
    p.parent = l
  }

  private replaceChild(old: TreeNode, replacement: TreeNode): void {
    replacement.parent = old.parent
    if (old.parent === undefined) this.root = replacement
    else if (old.parent.left === old) old.parent.left = replacement
    else old.parent.right = replacement
  }
}

interface TreeNode {
  readonly value: Described
  left: TreeNode | undefined
  right: TreeNode | undefined
  parent: TreeNode | undefined
  red: boolean
}
