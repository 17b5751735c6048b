import { describe, expect, it } from 'vitest'
import { busyTimeByActivity, type ProfileTree } from '../../bench/profile-activities.js'

const frame = (functionName: string, url = '') => ({ functionName, url })

// root -> stream-task process -> JSON.stringify; root -> client producer send -> JSON.stringify; GC; idle.
const profile: ProfileTree = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 6, 7] },
    { id: 2, callFrame: frame('process', 'file:///app/dist/src/engine/stream-task.js'), children: [3] },
    { id: 3, callFrame: frame('stringify') },
    { id: 4, callFrame: frame('send', 'file:///app/node_modules/@platformatic/kafka/dist/clients/producer/producer.js'), children: [5] },
    { id: 5, callFrame: frame('stringify') },
    { id: 6, callFrame: frame('(garbage collector)') },
    { id: 7, callFrame: frame('(idle)') },
  ],
  samples: [3, 3, 5, 6, 7, 7, 1],
  timeDeltas: [100, 100, 50, 30, 1000, 1000, 5],
}

describe('busyTimeByActivity', () => {
  it('names each busy sample by the activity its whole stack shows, leaving idle time out', () => {
    expect([...busyTimeByActivity(profile)]).toEqual([
      ['processing (engine, processors, stores, serdes)', 200],
      ['producing (record writer, client encoding and send)', 50],
      ['garbage collection', 30],
      ['other', 5],
    ])
  })
})
