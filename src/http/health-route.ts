import type { KafkaStreams } from '../runtime/kafka-streams.js'
import type { KafkaStreamsState } from '../runtime/streams-events.js'
import { jsonAnswer, type QueryAnswer } from './query-answer.js'

/** From worst to best: the state of several apps is the worst of theirs. */
const SEVERITY: readonly KafkaStreamsState[] = ['ERROR', 'NOT_RUNNING', 'PENDING_SHUTDOWN', 'CREATED', 'REBALANCING', 'RUNNING']

/**
 * `GET /health`: `{ state }`, and with several apps `{ state, applications: [{ applicationId, state }] }`
 * where `state` is the worst of them. 200 when RUNNING, 503 otherwise, so a load balancer or a
 * readiness probe can use the status alone.
 */
export function answerHealth(apps: readonly KafkaStreams[]): QueryAnswer {
  const states = apps.map((app) => ({ applicationId: app.config.applicationId, state: app.state() }))
  const state = SEVERITY.find((s) => states.some((a) => a.state === s)) ?? 'NOT_RUNNING'
  const body = apps.length === 1 ? { state } : { state, applications: states }
  return jsonAnswer(state === 'RUNNING' ? 200 : 503, body)
}
