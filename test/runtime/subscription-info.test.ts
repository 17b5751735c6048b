import { describe, expect, it } from 'vitest'
import { decodeAssignmentInfo, encodeAssignmentInfo } from '../../src/runtime/assignment-info.js'
import { decodeSubscriptionInfo, encodeSubscriptionInfo, RUNNING_ACTIVE } from '../../src/runtime/subscription-info.js'

describe('subscription and assignment user data', () => {
  it('round-trips the subscription: applicationServer, task offset sums and the watermarks setting', () => {
    const info = { applicationServer: 'app-1:8080', taskOffsetSums: new Map([['0_0', RUNNING_ACTIVE], ['1_2', 120_345]]), watermarks: 'upstream' } as const
    expect(decodeSubscriptionInfo(encodeSubscriptionInfo(info))).toEqual(info)
    expect(decodeSubscriptionInfo(encodeSubscriptionInfo({ taskOffsetSums: new Map(), watermarks: 'off' }))).toEqual({ taskOffsetSums: new Map(), watermarks: 'off' })
  })

  it('reads what version 1 and 2 members advertise (watermarks off), and nothing from other clients', () => {
    expect(decodeSubscriptionInfo(Buffer.from('{"v":1,"applicationServer":"app-2:9090"}'))).toEqual({ applicationServer: 'app-2:9090', taskOffsetSums: new Map(), watermarks: 'off' })
    expect(decodeSubscriptionInfo(Buffer.from('{"v":2,"taskOffsetSums":{"0_2":7}}'))).toEqual({ taskOffsetSums: new Map([['0_2', 7]]), watermarks: 'off' })
    expect(decodeSubscriptionInfo(Buffer.from([0, 1, 2]))).toEqual({ taskOffsetSums: new Map(), watermarks: 'off' })
    expect(decodeSubscriptionInfo(undefined)).toEqual({ taskOffsetSums: new Map(), watermarks: 'off' })
    expect(decodeSubscriptionInfo(Buffer.from('{"v":3,"taskOffsetSums":{"0_1":"12","0_2":7}}')).taskOffsetSums).toEqual(new Map([['0_2', 7]]))
  })

  it('round-trips the standby tasks of an assignment; none without user data', () => {
    expect(decodeAssignmentInfo(encodeAssignmentInfo({ standbyTasks: ['1_0', '0_3'] }))).toEqual({ standbyTasks: ['0_3', '1_0'] })
    expect(decodeAssignmentInfo(undefined)).toEqual({ standbyTasks: [] })
    expect(decodeAssignmentInfo(Buffer.from('not json'))).toEqual({ standbyTasks: [] })
  })

  it('round-trips the error of a refused member', () => {
    expect(decodeAssignmentInfo(encodeAssignmentInfo({ standbyTasks: [], error: 'no' }))).toEqual({ standbyTasks: [], error: 'no' })
  })
})
