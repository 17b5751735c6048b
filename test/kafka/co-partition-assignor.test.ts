import { describe, expect, it } from 'vitest'
import { assignCoPartitioned, type AssignmentPlan } from '../../src/kafka/index.js'

function ownerOf(plan: AssignmentPlan, topic: string, partition: number): string[] {
  return [...plan].filter(([, byTopic]) => byTopic.get(topic)?.includes(partition)).map(([member]) => member)
}

describe('assignCoPartitioned', () => {
  const topics = [
    { name: 'rides', partitions: 4 },
    { name: 'drivers', partitions: 4 },
    { name: 'payments', partitions: 3 },
  ]

  it('gives partition p of every co-partitioned topic to one member and assigns every partition once', () => {
    const plan = assignCoPartitioned(['m-b', 'm-a', 'm-c'], topics, [['rides', 'drivers']])
    for (let p = 0; p < 4; p++) {
      const owner = ownerOf(plan, 'rides', p)
      expect(owner).toHaveLength(1)
      expect(ownerOf(plan, 'drivers', p)).toEqual(owner)
    }
    for (let p = 0; p < 3; p++) expect(ownerOf(plan, 'payments', p)).toHaveLength(1)
    // 11 partitions, 7 units of work (4 co-partitioned pairs + 3): spread 3/2/2.
    const units = [...plan.values()].map((byTopic) => (byTopic.get('rides')?.length ?? 0) + (byTopic.get('payments')?.length ?? 0))
    expect(units.sort()).toEqual([2, 2, 3])
  })

  it('is deterministic whatever order the members arrive in', () => {
    const a = assignCoPartitioned(['x', 'y'], topics, [['rides', 'drivers']])
    const b = assignCoPartitioned(['y', 'x'], [...topics].reverse(), [['drivers', 'rides']])
    expect([...b].sort()).toEqual([...a].sort())
  })

  it('ignores groups whose topics nobody subscribed to and handles a single member', () => {
    const plan = assignCoPartitioned(['only'], topics, [['absent-1', 'absent-2']])
    expect(plan.get('only')).toEqual(new Map([['rides', [0, 1, 2, 3]], ['drivers', [0, 1, 2, 3]], ['payments', [0, 1, 2]]]))
  })
})
