/**
 * The records of the coordinator log and their encoding. Payloads are JSON (bytes as base64,
 * offsets as decimal strings): the log is small, written at commit rate rather than record rate,
 * and stays readable with a hex dump when something goes wrong.
 */

export interface CommittedOffset {
  offset: bigint
  leaderEpoch: number
  metadata: string | null
  commitTimestamp: number
}

export interface PersistedMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  /** The member's metadata for the group's selected protocol (Kafka keeps only that one too). */
  metadata: Buffer
  assignment: Buffer
}

export interface PersistedGroup {
  groupId: string
  protocolType: string | null
  generationId: number
  protocolName: string | null
  leaderId: string | null
  members: PersistedMember[]
}

export type CoordinatorRecord =
  | { type: 'offset'; groupId: string; topic: string; partition: number; committed: CommittedOffset }
  | { type: 'topic-deleted'; topic: string }
  | { type: 'offsets-expired'; groupId: string; partitions: Array<{ topic: string; partition: number }> }
  | { type: 'group'; group: PersistedGroup }
  | { type: 'group-deleted'; groupId: string }

export function encodeRecord(record: CoordinatorRecord): Buffer {
  switch (record.type) {
    case 'offset': {
      const { offset, leaderEpoch, metadata, commitTimestamp } = record.committed
      return json({ t: 'o', g: record.groupId, tp: record.topic, p: record.partition, o: offset.toString(), e: leaderEpoch, m: metadata, ts: commitTimestamp })
    }
    case 'topic-deleted':
      return json({ t: 'td', tp: record.topic })
    case 'offsets-expired':
      return json({ t: 'oe', g: record.groupId, ps: record.partitions.map((p) => [p.topic, p.partition]) })
    case 'group': {
      const g = record.group
      const members = g.members.map((m) => ({
        id: m.memberId, gi: m.groupInstanceId, c: m.clientId, h: m.clientHost, rt: m.rebalanceTimeoutMs,
        st: m.sessionTimeoutMs, md: m.metadata.toString('base64'), a: m.assignment.toString('base64'),
      }))
      return json({ t: 'g', g: g.groupId, pt: g.protocolType, gen: g.generationId, pn: g.protocolName, l: g.leaderId, ms: members })
    }
    case 'group-deleted':
      return json({ t: 'gd', g: record.groupId })
  }
}

/** Returns null for a payload this version does not understand (the caller skips it). */
export function decodeRecord(payload: Buffer): CoordinatorRecord | null {
  let raw: unknown
  try {
    raw = JSON.parse(payload.toString('utf8'))
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null) return null
  const r = raw as Record<string, unknown>
  switch (r.t) {
    case 'o':
      return {
        type: 'offset', groupId: str(r.g), topic: str(r.tp), partition: num(r.p),
        committed: { offset: BigInt(str(r.o)), leaderEpoch: num(r.e), metadata: nullableStr(r.m), commitTimestamp: num(r.ts) },
      }
    case 'td':
      return { type: 'topic-deleted', topic: str(r.tp) }
    case 'oe': {
      const pairs = Array.isArray(r.ps) ? (r.ps as unknown[][]) : []
      return { type: 'offsets-expired', groupId: str(r.g), partitions: pairs.map(([topic, partition]) => ({ topic: str(topic), partition: num(partition) })) }
    }
    case 'g': {
      const members = Array.isArray(r.ms) ? (r.ms as Record<string, unknown>[]) : []
      return {
        type: 'group',
        group: {
          groupId: str(r.g), protocolType: nullableStr(r.pt), generationId: num(r.gen),
          protocolName: nullableStr(r.pn), leaderId: nullableStr(r.l),
          members: members.map((m) => ({
            memberId: str(m.id), groupInstanceId: nullableStr(m.gi), clientId: str(m.c), clientHost: str(m.h),
            rebalanceTimeoutMs: num(m.rt), sessionTimeoutMs: num(m.st),
            metadata: Buffer.from(str(m.md), 'base64'), assignment: Buffer.from(str(m.a), 'base64'),
          })),
        },
      }
    }
    case 'gd':
      return { type: 'group-deleted', groupId: str(r.g) }
    default:
      return null
  }
}

function json(value: object): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8')
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function nullableStr(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0
}
