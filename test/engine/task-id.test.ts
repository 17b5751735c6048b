import { describe, expect, it } from 'vitest'
import { isTributaryError } from '../../src/core/errors.js'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { formatTaskId, parseTaskId, tasksForTopology } from '../../src/engine/index.js'
import { Serdes } from '../../src/serde/serdes.js'

const str = Serdes.string()

describe('task ids and task creation', () => {
  it('formats and parses <subtopology>_<partition>', () => {
    expect(formatTaskId({ subtopology: 2, partition: 11 })).toBe('2_11')
    expect(parseTaskId('2_11')).toEqual({ subtopology: 2, partition: 11 })
    expect(() => parseTaskId('2-11')).toThrow(/task ids look like/)
  })

  it('creates one task per sub-topology and partition, none for global sub-topologies', () => {
    const b = new StreamsBuilder()
    const riders = b.globalTable<string, string>('riders', { keySerde: str, valueSerde: str })
    b.stream<string, string>('rides', { keySerde: str, valueSerde: str })
      .join(riders, (k) => k, (ride, rider) => `${ride}/${rider}`)
      .selectKey((_key, v) => v)
      .groupByKey()
      .count({ storeName: 'per-rider' })
      .toStream()
      .to('out')
    const topology = b.build()
    const repartition = [...topology.internalTopics.values()].find((t) => t.purpose === 'repartition')
    expect(repartition).toBeDefined()
    const counts = new Map([
      ['rides', 3],
      ['riders', 5],
      [`app-${repartition!.name}`, 2],
    ])
    const tasks = tasksForTopology(topology, 'app', counts)
    const ids = tasks.map((t) => formatTaskId(t.id))
    const global = topology.subtopologies.find((s) => s.global === true)!
    expect(ids.some((id) => id.startsWith(`${global.id}_`))).toBe(false)
    const rides = topology.subtopologyOf('rides')!
    const counting = topology.subtopologyOf(repartition!.name)!
    expect(ids.sort()).toEqual([`${rides.id}_0`, `${rides.id}_1`, `${rides.id}_2`, `${counting.id}_0`, `${counting.id}_1`].sort())
    const task = tasks.find((t) => formatTaskId(t.id) === `${counting.id}_1`)!
    expect(task.inputs).toEqual([{ topic: `app-${repartition!.name}`, partition: 1 }])
    expect(task.subtopology.stores).toContain('per-rider')
  })

  it('names the topic whose partition count is missing', () => {
    const b = new StreamsBuilder()
    b.stream('rides').to('out')
    let error: unknown
    try {
      tasksForTopology(b.build(), 'app', new Map())
    } catch (e) {
      error = e
    }
    expect(isTributaryError(error, 'TRIBUTARY_CONFIG')).toBe(true)
    expect((error as Error).message).toContain('"rides"')
  })
})
