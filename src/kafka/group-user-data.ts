import { kGetApi, type Consumer } from '@platformatic/kafka'

type Api = (...args: unknown[]) => void
type GetApi = (name: string, callback: (error: Error | null, api?: Api) => void) => void
type Callback = (error: unknown, response?: unknown) => void

/** What a member says and hears through the user data of the classic group protocol. */
export interface GroupUserDataHooks {
  /** This member's subscription user data, read each time it sends a JoinGroup; undefined: keep the client's. */
  readonly subscription?: () => Buffer
  /** The user data the leader attaches to `memberId`'s assignment in `generationId`; undefined: none. */
  readonly assignment: (generationId: number, memberId: string) => Buffer | undefined
  /** The user data of the assignment this member received (undefined: none). */
  readonly received: (userData: Buffer | undefined) => void
}

/**
 * Carries user data both ways through the group protocol, as Kafka Streams' assignor does with
 * its SubscriptionInfo and AssignmentInfo. `@platformatic/kafka` 1.35 sends the subscription user
 * data it was constructed with on every join, always writes an empty user data into the
 * assignments the leader sends, and drops the one a member receives. So the JoinGroup request
 * gets fresh subscription user data, the leader's SyncGroup request gets each member's
 * assignment user data, and the SyncGroup response's user data is handed to `received` before
 * the client reports the new assignment.
 */
export function carryGroupUserData(consumer: Consumer, hooks: GroupUserDataHooks): void {
  const target = consumer as unknown as Record<typeof kGetApi, GetApi>
  const getApi = target[kGetApi].bind(consumer)
  target[kGetApi] = (name, callback) =>
    getApi(name, (error, api) => {
      if (error !== null || api === undefined) callback(error, api)
      else if (name === 'JoinGroup' && hooks.subscription !== undefined) callback(null, withSubscription(api, hooks.subscription))
      else if (name === 'SyncGroup') callback(null, withAssignments(api, hooks))
      else callback(null, api)
    })
}

// JoinGroup: (connection, groupId, sessionTimeout, rebalanceTimeout, memberId, groupInstanceId, protocolType, protocols, reason, callback).
const JOIN_PROTOCOLS = 7
// SyncGroup: (connection, groupId, generationId, memberId, groupInstanceId, protocolType, protocolName, assignments, callback).
const SYNC_GENERATION = 2
const SYNC_ASSIGNMENTS = 7

function withSubscription(api: Api, subscription: () => Buffer): Api {
  return (...args) => {
    const protocols = args[JOIN_PROTOCOLS]
    let userData: Buffer | undefined
    try {
      userData = subscription()
    } catch {
      // The member could not say what it holds (its state directory unreadable): it joins with the
      // data the client was given, rather than failing the join inside the client.
    }
    if (Array.isArray(protocols) && userData !== undefined) {
      const data = userData
      args[JOIN_PROTOCOLS] = (protocols as { name: string; metadata: Buffer }[]).map((p) => ({ ...p, metadata: replaceSubscriptionUserData(p.metadata, data) }))
    }
    api(...args)
  }
}

function withAssignments(api: Api, hooks: GroupUserDataHooks): Api {
  return (...args) => {
    const assignments = args[SYNC_ASSIGNMENTS]
    const generationId = args[SYNC_GENERATION]
    if (Array.isArray(assignments) && typeof generationId === 'number') {
      args[SYNC_ASSIGNMENTS] = (assignments as { memberId: string; assignment: Buffer }[]).map((a) => {
        const userData = hooks.assignment(generationId, a.memberId)
        return userData === undefined ? a : { ...a, assignment: replaceAssignmentUserData(a.assignment, userData) }
      })
    }
    const callback = args.at(-1)
    if (typeof callback === 'function') {
      args[args.length - 1] = ((error, response) => {
        const assignment = (response as { assignment?: unknown } | undefined)?.assignment
        if (error === null || error === undefined) hooks.received(Buffer.isBuffer(assignment) ? assignmentUserData(assignment) : undefined)
        ;(callback as Callback)(error, response)
      }) satisfies Callback
    }
    api(...args)
  }
}

/** Reads the non-flexible encodings of Kafka's ConsumerProtocolSubscription and ConsumerProtocolAssignment. */
class Cursor {
  offset = 0

  constructor(readonly buffer: Buffer) {}

  skip(bytes: number): void {
    if (this.offset + bytes > this.buffer.length) throw new RangeError('truncated group protocol data')
    this.offset += bytes
  }

  int16(): number {
    this.skip(2)
    return this.buffer.readInt16BE(this.offset - 2)
  }

  int32(): number {
    this.skip(4)
    return this.buffer.readInt32BE(this.offset - 4)
  }

  skipString(): void {
    const length = this.int16()
    if (length > 0) this.skip(length)
  }

  skipArray(item: () => void): void {
    const count = this.int32()
    for (let i = 0; i < count; i++) item()
  }
}

/** Where the user data field starts: after the version and the topics (subscription) or assigned partitions (assignment). */
function userDataStart(buffer: Buffer, kind: 'subscription' | 'assignment'): Cursor {
  const cursor = new Cursor(buffer)
  cursor.int16()
  if (kind === 'subscription') cursor.skipArray(() => cursor.skipString())
  else
    cursor.skipArray(() => {
      cursor.skipString()
      cursor.skipArray(() => cursor.skip(4))
    })
  return cursor
}

/** `metadata` with its user data replaced; the fields after it (owned partitions, rack) are kept. */
export function replaceSubscriptionUserData(metadata: Buffer, userData: Buffer): Buffer {
  return replaceUserData(metadata, 'subscription', userData)
}

/** `assignment` with its user data replaced. */
export function replaceAssignmentUserData(assignment: Buffer, userData: Buffer): Buffer {
  return replaceUserData(assignment, 'assignment', userData)
}

/** The user data of an assignment; undefined when it has none (or is not one this code can read). */
export function assignmentUserData(assignment: Buffer): Buffer | undefined {
  try {
    const cursor = userDataStart(assignment, 'assignment')
    if (cursor.offset + 4 > assignment.length) return undefined
    const length = cursor.int32()
    if (length <= 0) return undefined
    cursor.skip(length)
    return Buffer.from(assignment.subarray(cursor.offset - length, cursor.offset))
  } catch {
    return undefined
  }
}

function replaceUserData(encoded: Buffer, kind: 'subscription' | 'assignment', userData: Buffer): Buffer {
  let head: Buffer
  let tail: Buffer
  try {
    const cursor = userDataStart(encoded, kind)
    head = encoded.subarray(0, cursor.offset)
    if (cursor.offset + 4 <= encoded.length) {
      const length = cursor.int32()
      if (length > 0) cursor.skip(length)
    }
    tail = encoded.subarray(cursor.offset)
  } catch {
    // Not an encoding this code knows: leave it as the client wrote it.
    return encoded
  }
  const length = Buffer.alloc(4)
  length.writeInt32BE(userData.length)
  return Buffer.concat([head, length, userData, tail])
}
