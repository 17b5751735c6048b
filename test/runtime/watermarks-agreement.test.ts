import { describe, expect, it } from 'vitest'
import { StreamsBuilder } from '../../src/dsl/index.js'
import { tasksForTopology } from '../../src/engine/task-id.js'
import { decodeAssignmentInfo } from '../../src/runtime/assignment-info.js'
import { streamsAssignor } from '../../src/runtime/streams-assignor.js'
import { encodeSubscriptionInfo } from '../../src/runtime/subscription-info.js'
import { agreeOnWatermarks, type WatermarksMode } from '../../src/runtime/watermarks-agreement.js'

describe('the group agrees on one watermarks setting', () => {
  it('what most members use; on a tie the leader\'s own', () => {
    expect(agreeOnWatermarks(['upstream', 'upstream', 'off'], 'off')).toBe('upstream')
    expect(agreeOnWatermarks(['off', 'off', 'upstream'], 'upstream')).toBe('off')
    expect(agreeOnWatermarks(['off', 'upstream'], 'upstream')).toBe('upstream')
    expect(agreeOnWatermarks(['off', 'upstream'], 'off')).toBe('off')
  })

  it('the assignor gives a member on the other setting no task, and tells it why', () => {
    const b = new StreamsBuilder()
    b.stream('pings').groupByKey().count()
    const topology = b.build()
    const specs = tasksForTopology(topology, 'app', new Map([['pings', 4]]))
    const assign = streamsAssignor({ specs, statefulTasks: new Set(), numStandbyReplicas: 0, applicationId: 'app', watermarks: 'upstream' })
    const member = (memberId: string, watermarks: WatermarksMode) => ({ memberId, userData: encodeSubscriptionInfo({ taskOffsetSums: new Map(), watermarks }) })
    const assignments = assign([member('a', 'upstream'), member('b', 'upstream'), member('c', 'off')], [{ name: 'pings', partitions: 4 }])
    expect([...assignments.get('a')!.partitions, ...assignments.get('b')!.partitions]).toHaveLength(4)
    expect(assignments.get('c')!.partitions).toEqual([])
    expect(decodeAssignmentInfo(assignments.get('c')!.userData).error).toMatch(/application "app" run with watermarks 'upstream', this one with 'off'.*Set watermarks: 'upstream' here/)
    expect(decodeAssignmentInfo(assignments.get('a')!.userData).error).toBeUndefined()
  })
})
