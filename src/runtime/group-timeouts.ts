import { ConfigError } from '../core/errors.js'

/** How the instance stays in its consumer group and how long it rides out failures. Milliseconds. */
export interface GroupTimeoutsConfig {
  /**
   * How long the group waits for a silent member before it gives the member's tasks to the
   * others (Kafka's `session.timeout.ms`). Default 45000. The broker bounds it (Kafka's
   * `group.min.session.timeout.ms`, 6000 by default).
   */
  readonly sessionTimeoutMs?: number
  /** How often the member tells the group it is alive; below a third of the session timeout. Default 3000. */
  readonly heartbeatIntervalMs?: number
  /** How long the group waits for every member to rejoin during a rebalance. Default 60000. */
  readonly rebalanceTimeoutMs?: number
  /**
   * How long Kafka operations (poll, produce, commit) may keep failing with retriable errors
   * before the instance gives up and goes to ERROR (Kafka Streams' `task.timeout.ms`). 0 gives up
   * at the first failure. Default 300000.
   */
  readonly taskTimeoutMs?: number
  /**
   * Static membership (Kafka's `group.instance.id`, KIP-345): an id unique to this instance and
   * stable across its restarts. A restarted instance that rejoins under it within the session
   * timeout takes its old place and tasks at once, without a rebalance and without waiting for its
   * dead predecessor's session to expire. Two live instances must never share one (the second
   * fences the first: FENCED_INSTANCE_ID, an error no retry fixes). Default: none.
   */
  readonly groupInstanceId?: string
}

export interface ResolvedGroupTimeouts {
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly rebalanceTimeoutMs: number
  readonly taskTimeoutMs: number
  readonly groupInstanceId: string | undefined
}

/** Kafka's rule for `group.instance.id`: the characters of a topic name, at most 249 of them. */
const GROUP_INSTANCE_ID = /^[A-Za-z0-9._-]{1,249}$/

function duration(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number of milliseconds >= ${min}, got ${String(value)}.`)
  }
  return value
}

/** Validates the group and failure timeouts and fills in Kafka Streams' defaults. */
export function resolveGroupTimeouts(config: GroupTimeoutsConfig): ResolvedGroupTimeouts {
  const sessionTimeoutMs = duration('sessionTimeoutMs', config.sessionTimeoutMs, 45_000, 1)
  const heartbeatIntervalMs = duration('heartbeatIntervalMs', config.heartbeatIntervalMs, Math.min(3_000, Math.floor(sessionTimeoutMs / 3)), 1)
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ConfigError(
      `heartbeatIntervalMs (${heartbeatIntervalMs}) must be lower than sessionTimeoutMs (${sessionTimeoutMs}); a third of it or less leaves room for a lost heartbeat.`,
    )
  }
  const rebalanceTimeoutMs = duration('rebalanceTimeoutMs', config.rebalanceTimeoutMs, 60_000, 1)
  const taskTimeoutMs = duration('taskTimeoutMs', config.taskTimeoutMs, 300_000, 0)
  const groupInstanceId = config.groupInstanceId
  if (groupInstanceId !== undefined && (typeof groupInstanceId !== 'string' || !GROUP_INSTANCE_ID.test(groupInstanceId))) {
    throw new ConfigError(
      `groupInstanceId must be 1 to 249 letters, digits, ".", "_" or "-", unique to each instance and kept across its restarts, got ${JSON.stringify(groupInstanceId)}.`,
    )
  }
  return { sessionTimeoutMs, heartbeatIntervalMs, rebalanceTimeoutMs, taskTimeoutMs, groupInstanceId }
}
