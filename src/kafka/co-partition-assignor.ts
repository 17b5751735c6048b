/**
 * Assignment that keeps co-partitioned topics together: partition `p` of every topic in a
 * co-partition group goes to the same member, so a join task finds both sides locally. Topics
 * outside any group are spread partition by partition. Deterministic: members are sorted by id,
 * so every leader computes the same plan.
 */

export interface AssignorTopic {
  readonly name: string
  readonly partitions: number
}

/** member id -> topic -> partitions */
export type AssignmentPlan = Map<string, Map<string, number[]>>

export function assignCoPartitioned(
  memberIds: readonly string[],
  topics: readonly AssignorTopic[],
  coPartitionGroups: readonly (readonly string[])[],
): AssignmentPlan {
  const members = [...memberIds].sort()
  const plan: AssignmentPlan = new Map(members.map((id) => [id, new Map<string, number[]>()]))
  if (members.length === 0) return plan
  const counts = new Map(topics.map((t) => [t.name, t.partitions]))
  const grouped = new Set<string>()
  // Units of work: one per partition number of a co-partition group, one per partition elsewhere.
  const units: { topics: string[]; partition: number }[] = []
  for (const group of coPartitionGroups) {
    const present = group.filter((name) => counts.has(name))
    if (present.length === 0) continue
    present.forEach((name) => grouped.add(name))
    const max = Math.max(...present.map((name) => counts.get(name) ?? 0))
    for (let p = 0; p < max; p++) {
      units.push({ topics: present.filter((name) => p < (counts.get(name) ?? 0)), partition: p })
    }
  }
  for (const { name, partitions } of [...topics].sort((a, b) => a.name.localeCompare(b.name))) {
    if (grouped.has(name)) continue
    for (let p = 0; p < partitions; p++) units.push({ topics: [name], partition: p })
  }
  units.forEach((unit, index) => {
    const member = plan.get(members[index % members.length] as string) as Map<string, number[]>
    for (const topic of unit.topics) {
      const list = member.get(topic) ?? []
      list.push(unit.partition)
      member.set(topic, list)
    }
  })
  return plan
}
