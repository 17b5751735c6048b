import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { expect } from 'vitest'
import { GroupCoordinator, type GroupCoordinatorOptions } from '../../../src/broker/groups/index.js'

export const Api = { OffsetCommit: 8, OffsetFetch: 9, JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13, SyncGroup: 14, DescribeGroups: 15, ListGroups: 16, DeleteGroups: 42 } as const

export type Response = Record<string, unknown>

/** A coordinator on a fresh data directory; `topics` says which partitions exist. */
export class Harness {
  readonly dataDirs: string[] = []
  private readonly open: GroupCoordinator[] = []
  readonly topics = new Map<string, number>([['rides', 3], ['payments', 2]])

  async start(options: Partial<GroupCoordinatorOptions> = {}, dataDir?: string): Promise<GroupCoordinator> {
    const dir = dataDir ?? mkdtempSync(joinPath(tmpdir(), 'tributary-groups-'))
    if (dataDir === undefined) this.dataDirs.push(dir)
    const coordinator = new GroupCoordinator({
      dataDir: dir,
      partitionExists: (topic, partition) => partition >= 0 && partition < (this.topics.get(topic) ?? 0),
      ...options,
    })
    await coordinator.load()
    this.open.push(coordinator)
    return coordinator
  }

  async cleanup(): Promise<void> {
    for (const c of this.open.splice(0)) await c.close()
    for (const dir of this.dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  }
}

export const client = (clientId = 'rider-app') => ({ clientId, host: '127.0.0.1' })

export interface JoinArgs {
  groupId?: string
  memberId?: string
  protocols?: Array<{ name: string; metadata: Buffer }>
  protocolType?: string
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  groupInstanceId?: string | null
  version?: number
  clientId?: string
}

export function join(c: GroupCoordinator, args: JoinArgs = {}): Promise<Response> {
  const version = args.version ?? 5
  return c.handle(Api.JoinGroup, version, {
    groupId: args.groupId ?? 'dispatch',
    sessionTimeoutMs: args.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: args.rebalanceTimeoutMs ?? 30_000,
    memberId: args.memberId ?? '',
    groupInstanceId: args.groupInstanceId ?? null,
    protocolType: args.protocolType ?? 'consumer',
    protocols: args.protocols ?? [{ name: 'range', metadata: Buffer.from(args.clientId ?? 'm') }],
  }, client(args.clientId))
}

/** JoinGroup v4+ the way clients do it: get a member id (MEMBER_ID_REQUIRED), then join with it. */
export async function joinNew(c: GroupCoordinator, args: JoinArgs = {}): Promise<{ memberId: string; joined: Promise<Response> }> {
  const first = await join(c, { ...args, memberId: '' })
  expect(first.errorCode).toBe(79)
  const memberId = first.memberId as string
  return { memberId, joined: join(c, { ...args, memberId }) }
}

export function sync(c: GroupCoordinator, memberId: string, generationId: number,
  assignments: Array<{ memberId: string; assignment: Buffer }> = [], groupId = 'dispatch', version = 3): Promise<Response> {
  return c.handle(Api.SyncGroup, version, { groupId, generationId, memberId, groupInstanceId: null, assignments }, client())
}

export function heartbeat(c: GroupCoordinator, memberId: string, generationId: number, groupId = 'dispatch'): Promise<Response> {
  return c.handle(Api.Heartbeat, 3, { groupId, generationId, memberId, groupInstanceId: null }, client())
}

export function describe(c: GroupCoordinator, ...groups: string[]): Promise<Response> {
  return c.handle(Api.DescribeGroups, 5, { groups: groups.length ? groups : ['dispatch'], includeAuthorizedOperations: false }, client())
}

export async function stateOf(c: GroupCoordinator, groupId = 'dispatch'): Promise<string> {
  const res = await describe(c, groupId)
  return (res.groups as Array<{ groupState: string }>)[0]!.groupState
}

/** Tracks a promise so a test can assert it is still waiting. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly value: T | undefined; promise: Promise<T> } {
  const state = { settled: false, value: undefined as T | undefined, promise }
  promise.then((v) => {
    state.settled = true
    state.value = v
  }, () => {
    state.settled = true
  })
  return state
}

/** Lets pending promise callbacks and file I/O run (real setImmediate; tests fake only timeouts). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** OffsetCommit of (topic, partition, offset) triples, leader epoch 4 and metadata 'shift-42' unless given. */
export function commit(c: GroupCoordinator, topics: Array<[string, number, bigint]>,
  opts: { groupId?: string; generationId?: number; memberId?: string; version?: number; metadata?: string | null } = {}): Promise<Response> {
  const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: string | null }>>()
  for (const [topic, partitionIndex, committedOffset] of topics) {
    if (!byTopic.has(topic)) byTopic.set(topic, [])
    byTopic.get(topic)!.push({ partitionIndex, committedOffset, committedLeaderEpoch: 4, committedMetadata: opts.metadata === undefined ? 'shift-42' : opts.metadata })
  }
  return c.handle(Api.OffsetCommit, opts.version ?? 8, {
    groupId: opts.groupId ?? 'billing',
    generationIdOrMemberEpoch: opts.generationId ?? -1,
    memberId: opts.memberId ?? '',
    groupInstanceId: null,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
  }, client())
}

export function fetchV7(c: GroupCoordinator, groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null, version = 7): Promise<Response> {
  return c.handle(Api.OffsetFetch, version, { groupId, topics, requireStable: false }, client())
}
