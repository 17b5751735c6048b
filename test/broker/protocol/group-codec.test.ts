import { describe, expect, it } from 'vitest'
import * as joinGroupV6 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/join-group-v6.js'
import * as syncGroupV4 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/sync-group-v4.js'
import * as heartbeatV4 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/heartbeat-v4.js'
import * as leaveGroupV4 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/leave-group-v4.js'
import * as offsetCommitV8 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/offset-commit-v8.js'
import * as offsetFetchV8 from '../../../node_modules/@platformatic/kafka/dist/apis/consumer/offset-fetch-v8.js'
import * as describeGroupsV5 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/describe-groups-v5.js'
import * as listGroupsV4 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/list-groups-v4.js'
import * as deleteGroupsV2 from '../../../node_modules/@platformatic/kafka/dist/apis/admin/delete-groups-v2.js'
import { decodeRequest, encodeResponse } from './oracle.js'

/** The group coordinator's requests and responses go through the broker's codec too. */
describe('group API codec against @platformatic/kafka', () => {
  it('JoinGroup v6 response with members', () => {
    const res = joinGroupV6.parseResponse(1, 11, 6, encodeResponse('JoinGroup', 6, {
      generationId: 3, protocolName: 'roundrobin', leader: 'm1', memberId: 'm1',
      members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([9]) }],
    }))
    expect(res).toMatchObject({ generationId: 3, protocolName: 'roundrobin', leader: 'm1', memberId: 'm1' })
    expect(res.members[0].metadata).toEqual(Buffer.from([9]))
  })

  it('SyncGroup v4, Heartbeat v4 and LeaveGroup v4 requests and responses', () => {
    const sync = decodeRequest('SyncGroup', 4, syncGroupV4.createRequest('g', 3, 'm1', null, null, null, [{ memberId: 'm1', assignment: Buffer.from([1]) }]))
    expect(sync).toEqual({ groupId: 'g', generationId: 3, memberId: 'm1', groupInstanceId: null, assignments: [{ memberId: 'm1', assignment: Buffer.from([1]) }] })
    expect(syncGroupV4.parseResponse(1, 14, 4, encodeResponse('SyncGroup', 4, { assignment: Buffer.from([7]) })).assignment).toEqual(Buffer.from([7]))

    expect(decodeRequest('Heartbeat', 4, heartbeatV4.createRequest('g', 3, 'm1', null))).toEqual({ groupId: 'g', generationId: 3, memberId: 'm1', groupInstanceId: null })
    expect(heartbeatV4.parseResponse(1, 12, 4, encodeResponse('Heartbeat', 4, {})).errorCode).toBe(0)

    const leave = decodeRequest('LeaveGroup', 4, leaveGroupV4.createRequest('g', [{ memberId: 'm1', groupInstanceId: null }] as never))
    expect(leave).toEqual({ groupId: 'g', members: [{ memberId: 'm1', groupInstanceId: null }] })
    const left = leaveGroupV4.parseResponse(1, 13, 4, encodeResponse('LeaveGroup', 4, { members: [{ memberId: 'm1', groupInstanceId: null, errorCode: 0 }] }))
    expect(left.members[0].memberId).toBe('m1')
  })

  it('OffsetCommit v8 and OffsetFetch v8 responses', () => {
    const committed = offsetCommitV8.parseResponse(1, 8, 8, encodeResponse('OffsetCommit', 8, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] }))
    expect(committed.topics[0].partitions[0].partitionIndex).toBe(0)
    const fetched = offsetFetchV8.parseResponse(1, 9, 8, encodeResponse('OffsetFetch', 8, {
      groups: [{ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 42n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] }], errorCode: 0 }],
    }))
    expect(fetched.groups[0].topics[0].partitions[0]).toMatchObject({ partitionIndex: 1, committedOffset: 42n })
  })

  it('DescribeGroups v5, ListGroups v4 and DeleteGroups v2', () => {
    expect(decodeRequest('DescribeGroups', 5, describeGroupsV5.createRequest(['g'], false))).toEqual({ groups: ['g'], includeAuthorizedOperations: false })
    const described = describeGroupsV5.parseResponse(1, 15, 5, encodeResponse('DescribeGroups', 5, {
      groups: [{ errorCode: 0, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range',
        members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', memberMetadata: Buffer.from([1]), memberAssignment: Buffer.from([2]) }],
        authorizedOperations: -2147483648 }],
    }))
    expect(described.groups[0]).toMatchObject({ groupId: 'g', groupState: 'Stable', protocolData: 'range' })
    expect(described.groups[0].members[0]).toMatchObject({ memberId: 'm1', clientId: 'c' })

    expect(decodeRequest('ListGroups', 4, listGroupsV4.createRequest(['STABLE' as never], []))).toEqual({ statesFilter: ['Stable'] }) // the client maps its constant to Kafka's state name
    const listed = listGroupsV4.parseResponse(1, 16, 4, encodeResponse('ListGroups', 4, { groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }] }))
    expect(listed.groups[0]).toMatchObject({ groupId: 'g', groupState: 'Stable' })

    const deleted = deleteGroupsV2.parseResponse(1, 42, 2, encodeResponse('DeleteGroups', 2, { results: [{ groupId: 'g', errorCode: 0 }] }))
    expect(deleted.results[0].groupId).toBe('g')
  })
})
