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
}

export interface ResolvedGroupTimeouts {
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly rebalanceTimeoutMs: number
  readonly taskTimeoutMs: number
}

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
  return { sessionTimeoutMs, heartbeatIntervalMs, rebalanceTimeoutMs, taskTimeoutMs }
}
