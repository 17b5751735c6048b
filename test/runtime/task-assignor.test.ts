import { describe, expect, it } from 'vitest'
import { assignTasks, type AssignableClient, type AssignableTask, type ClientTasks } from '../../src/runtime/task-assignor.js'
import { RUNNING_ACTIVE } from '../../src/runtime/subscription-info.js'

const stateful = (...ids: string[]): AssignableTask[] => ids.map((id) => ({ id, stateful: true }))
const stateless = (...ids: string[]): AssignableTask[] => ids.map((id) => ({ id, stateful: false }))
const client = (id: string, sums: Record<string, number> = {}): AssignableClient => ({ id, offsetSums: new Map(Object.entries(sums)) })

function ownerOf(plan: Map<string, ClientTasks>, taskId: string): string[] {
  return [...plan].filter(([, tasks]) => tasks.active.includes(taskId)).map(([id]) => id)
}

function standbysOf(plan: Map<string, ClientTasks>, taskId: string): string[] {
  return [...plan].filter(([, tasks]) => tasks.standby.includes(taskId)).map(([id]) => id)
}

describe('assignTasks', () => {
  it('gives every task one active copy and never puts a standby with it or with another standby', () => {
    const tasks = [...stateful('0_0', '0_1', '0_2', '0_3', '0_4', '0_5'), ...stateless('1_0', '1_1')]
    const clients = [client('a'), client('b'), client('c')]
    for (const replicas of [1, 2]) {
      const plan = assignTasks(tasks, clients, replicas)
      for (const task of tasks) {
        const owner = ownerOf(plan, task.id)
        expect(owner).toHaveLength(1)
        const standbys = standbysOf(plan, task.id)
        expect(standbys).not.toContain(owner[0])
        expect(new Set(standbys).size).toBe(standbys.length)
        expect(standbys).toHaveLength(task.stateful ? replicas : 0)
      }
    }
  })

  it('places as many standbys as there are other clients, at most', () => {
    const plan = assignTasks(stateful('0_0', '0_1'), [client('a'), client('b')], 3)
    expect(standbysOf(plan, '0_0')).toHaveLength(1)
    expect(standbysOf(plan, '0_1')).toHaveLength(1)
    const alone = assignTasks(stateful('0_0'), [client('a')], 1)
    expect(alone.get('a')).toEqual({ active: ['0_0'], standby: [] })
  })

  it('gives a stateful task to the client whose copy is the most caught up', () => {
    const plan = assignTasks(stateful('0_0', '0_1'), [client('a', { '0_1': 500 }), client('b', { '0_1': 900, '0_0': 10 }), client('c')], 0)
    expect(ownerOf(plan, '0_1')).toEqual(['b'])
    expect(ownerOf(plan, '0_0')).not.toEqual(['b']) // b has its share already
    // The client running a task keeps it, whatever checkpoint another one has.
    const sticky = assignTasks(stateful('0_0'), [client('a', { '0_0': 1_000_000 }), client('b', { '0_0': RUNNING_ACTIVE })], 1)
    expect(ownerOf(sticky, '0_0')).toEqual(['b'])
    expect(standbysOf(sticky, '0_0')).toEqual(['a'])
  })

  it('promotes the standby when the client running a task is gone', () => {
    // Before: a runs 0_0 and b keeps its standby; a dies, c joins.
    const plan = assignTasks(stateful('0_0'), [client('b', { '0_0': 41_000 }), client('c')], 1)
    expect(ownerOf(plan, '0_0')).toEqual(['b'])
    expect(standbysOf(plan, '0_0')).toEqual(['c'])
  })

  it('keeps the balance even when one client holds everything, moving the rest to the most caught-up others', () => {
    const ids = ['0_0', '0_1', '0_2', '0_3', '0_4', '0_5']
    const running = Object.fromEntries(ids.map((id) => [id, RUNNING_ACTIVE]))
    const plan = assignTasks(stateful(...ids), [client('a', running), client('b', { '0_4': 70 }), client('c')], 1)
    expect([...plan.values()].map((t) => t.active.length)).toEqual([2, 2, 2])
    expect(plan.get('a')?.active).toEqual(['0_0', '0_1'])
    expect(plan.get('b')?.active).toContain('0_4')
    // What a gave up it keeps warm as standbys (its stores stay), as far as its share of standbys allows.
    expect(plan.get('a')?.standby).toEqual(['0_2', '0_3'])
    expect([...plan.values()].map((t) => t.standby.length)).toEqual([2, 2, 2])
  })

  it('balances stateful and stateless tasks separately and keeps stateless tasks where they run', () => {
    const plan = assignTasks([...stateful('0_0', '0_1'), ...stateless('1_0', '1_1')], [client('a', { '1_0': RUNNING_ACTIVE, '1_1': RUNNING_ACTIVE }), client('b')], 1)
    expect([...plan.values()].map((t) => t.active.filter((id) => id.startsWith('0_')).length)).toEqual([1, 1])
    expect([...plan.values()].map((t) => t.active.length)).toEqual([2, 2])
    expect(ownerOf(plan, '1_0')).toEqual(['a'])
  })

  it('is deterministic whatever order tasks and clients come in', () => {
    const tasks = [...stateful('0_0', '0_1', '0_2'), ...stateless('1_0')]
    const clients = [client('x', { '0_2': 5 }), client('y'), client('z', { '0_1': RUNNING_ACTIVE })]
    const one = assignTasks(tasks, clients, 1)
    const other = assignTasks([...tasks].reverse(), [...clients].reverse(), 1)
    expect([...other].sort()).toEqual([...one].sort())
  })
})
