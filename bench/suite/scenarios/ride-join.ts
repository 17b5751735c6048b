import { JoinWindows } from '../../../src/dsl/join-windows.js'
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js'
import { Serdes } from '../../../src/serde/serdes.js'
import type { RideAssignment, RideRequest } from '../../../topologies/velocity/domain.js'
import { VELOCITY_TOPICS } from '../../../topologies/velocity/domain.js'
import { rideRequestsAndAssignments } from './ride-data.js'
import { inBlocks, type BuiltScenario, type InputRecord, type Scenario, type ScenarioVariant } from './scenario.js'

const WINDOW_MS = 60_000
const GRACE_MS = 5_000
const OUTPUT_TOPIC = 'bench_ride_matches'

/** What the join emits: a request with the driver that took it (null when none did in time). */
export interface RideMatch {
  readonly requestId: string
  readonly riderId: string
  readonly driverId: string | null
  readonly waitMs: number | null
  readonly etaSeconds: number | null
}

function match(request: RideRequest, assignment: RideAssignment | null): RideMatch {
  return {
    requestId: request.requestId,
    riderId: request.riderId,
    driverId: assignment === null ? null : assignment.driverId,
    waitMs: assignment === null ? null : assignment.ts - request.ts,
    etaSeconds: assignment === null ? null : assignment.etaSeconds,
  }
}

function build(kind: 'inner' | 'left'): BuiltScenario {
  const b = new StreamsBuilder()
  const keySerde = Serdes.string()
  const requests = b.stream<string, RideRequest>(VELOCITY_TOPICS.rideRequests, { keySerde, valueSerde: Serdes.json<RideRequest>() })
  const assignments = b.stream<string, RideAssignment>(VELOCITY_TOPICS.rideAssignments, { keySerde, valueSerde: Serdes.json<RideAssignment>() })
  const windows = JoinWindows.ofTimeDifferenceAndGrace(WINDOW_MS, GRACE_MS)
  const joined =
    kind === 'inner'
      ? requests.join(assignments, (r, a) => match(r, a), windows)
      : requests.leftJoin(assignments, (r, a) => match(r, a), windows)
  joined.to(OUTPUT_TOPIC, { keySerde, valueSerde: Serdes.json<RideMatch>() })
  return { topology: b.build(), outputTopics: [OUTPUT_TOPIC] }
}

interface Buffered<V> {
  readonly ts: number
  readonly value: V
  matched: boolean
}

/**
 * The join by hand: a Map per side from request id to the records seen in the last window plus
 * grace, evicted in arrival order; for the left join, a FIFO of requests that emits the
 * unmatched ones once stream time has passed their window and grace (as Tributary does).
 */
function computeLimit(kind: 'inner' | 'left', inputs: readonly InputRecord[]): number {
  const requests = new Map<string, Buffered<RideRequest>[]>()
  const assignments = new Map<string, Buffered<RideAssignment>[]>()
  const evictions: Array<{ key: string; ts: number; side: 'request' | 'assignment' }> = []
  const pending: Array<Buffered<RideRequest>> = []
  let evicted = 0
  let pendingHead = 0
  let streamTime = -1
  let emitted = 0
  const emit = (key: string, value: RideMatch): void => {
    // Serialize as a sink would, so the baseline pays what Tributary pays for its output.
    if (Buffer.from(key).length + Buffer.from(JSON.stringify(value)).length > 0) emitted++
  }
  for (const input of inputs) {
    const key = input.key.toString()
    const ts = input.timestamp
    if (ts > streamTime) {
      streamTime = ts
      if (kind === 'left') {
        while (pendingHead < pending.length && (pending[pendingHead] as Buffered<RideRequest>).ts + WINDOW_MS + GRACE_MS < streamTime) {
          const request = pending[pendingHead++] as Buffered<RideRequest>
          if (!request.matched) emit(request.value.requestId, match(request.value, null))
        }
      }
      while (evicted < evictions.length && (evictions[evicted] as { ts: number }).ts + WINDOW_MS + GRACE_MS < streamTime) {
        const { key: old, side, ts: oldTs } = evictions[evicted++] as { key: string; ts: number; side: 'request' | 'assignment' }
        const map: Map<string, Array<{ ts: number }>> = side === 'request' ? requests : assignments
        const kept = map.get(old)?.filter((e) => e.ts !== oldTs)
        if (kept === undefined || kept.length === 0) map.delete(old)
        else map.set(old, kept)
      }
    }
    if (input.topic === VELOCITY_TOPICS.rideRequests) {
      const request: Buffered<RideRequest> = { ts, value: JSON.parse(String(input.value)) as RideRequest, matched: false }
      for (const a of assignments.get(key) ?? []) {
        if (Math.abs(a.ts - ts) > WINDOW_MS) continue
        request.matched = true
        emit(key, match(request.value, a.value))
      }
      append(requests, key, request)
      evictions.push({ key, ts, side: 'request' })
      if (kind === 'left' && !request.matched) pending.push(request)
    } else {
      const assignment: Buffered<RideAssignment> = { ts, value: JSON.parse(String(input.value)) as RideAssignment, matched: false }
      for (const r of requests.get(key) ?? []) {
        if (Math.abs(r.ts - ts) > WINDOW_MS) continue
        r.matched = true
        emit(key, match(r.value, assignment.value))
      }
      append(assignments, key, assignment)
      evictions.push({ key, ts, side: 'assignment' })
    }
    // Compact the queues now and then so that long runs do not keep every record.
    if (evicted > 100_000) {
      evictions.splice(0, evicted)
      evicted = 0
    }
    if (pendingHead > 100_000) {
      pending.splice(0, pendingHead)
      pendingHead = 0
    }
  }
  return emitted
}

function append<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

function variant(kind: 'inner' | 'left'): ScenarioVariant {
  return { name: kind, build: () => build(kind), computeLimit: (inputs) => computeLimit(kind, inputs), kafkaStreams: { scenario: 'bench.RideJoin', options: { variant: kind } } }
}

/** Scenario 1: ride requests joined with the matching service's assignments within 60 s. */
export const rideJoinScenario: Scenario = {
  name: 'ride-join',
  description: `stream-stream windowed join: ${VELOCITY_TOPICS.rideRequests} x ${VELOCITY_TOPICS.rideAssignments} within 60 s (grace 5 s), inner and left`,
  inputTopics: [VELOCITY_TOPICS.rideRequests, VELOCITY_TOPICS.rideAssignments],
  variants: [variant('inner'), variant('left')],
  prepare: (records, seed) => inBlocks(rideRequestsAndAssignments(records, seed), [VELOCITY_TOPICS.rideRequests, VELOCITY_TOPICS.rideAssignments]),
  dataSource:
    'ride requests from the city generator at 500/s of event time; ride assignments derived from them by the bench (92% answered 2-30 s later, 4% of all only after the window), deterministically from the seed',
}
