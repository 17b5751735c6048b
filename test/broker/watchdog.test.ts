import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import type { BrokerLogger } from '../../src/broker/logger.js'
import { ApiKey } from '../../src/broker/protocol/api-keys.js'
import type { Connection } from '../../src/broker/server/connection.js'
import { BrokerWatchdog, type WatchdogReport } from '../../src/broker/server/watchdog.js'
import { RawClient } from './fixtures/raw-client.js'
import { waitFor } from './fixtures/wait-for.js'

/** A logger that keeps the watchdog's warnings. */
function warningsLogger(): { logger: BrokerLogger; warnings: Array<{ msg: string; report: WatchdogReport }> } {
  const warnings: Array<{ msg: string; report: WatchdogReport }> = []
  const ignore = (): void => undefined
  return { warnings, logger: { debug: ignore, info: ignore, error: ignore, warn: (msg, meta) => void warnings.push({ msg, report: meta as WatchdogReport }) } }
}

/** Keeps the event loop busy, as a runaway computation would. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) {
    // spin
  }
}

/** The header of a request frame (key, version, correlation id, client id), which is all the watchdog reads. */
function requestFrame(apiKey: number, clientId: string): Buffer {
  const id = Buffer.from(clientId)
  const frame = Buffer.alloc(10 + id.length)
  frame.writeInt16BE(apiKey, 0)
  frame.writeInt16BE(0, 2)
  frame.writeInt32BE(1, 4)
  frame.writeInt16BE(id.length, 8)
  id.copy(frame, 10)
  return frame
}

/** What the watchdog reads of a connection, with the given unanswered requests. */
function connectionWith(address: string, state: { pending: number; oldest: Buffer; ageMs: number }): Connection {
  return {
    address,
    writeBlocked: false,
    get pendingRequests() {
      return state.pending
    },
    oldestPendingRequest: () => (state.pending === 0 ? null : { frame: state.oldest, receivedAt: performance.now() - state.ageMs }),
  } as unknown as Connection
}

describe('broker watchdog', () => {
  const closers: Array<() => unknown> = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close()
  })

  function watchdog(connections: Connection[] = []): { dog: BrokerWatchdog; warnings: Array<{ msg: string; report: WatchdogReport }> } {
    const { logger, warnings } = warningsLogger()
    // A window longer than any test: only check() ends one.
    const dog = new BrokerWatchdog(
      { connections: () => connections, fetchWaiters: () => 2, coordinatorLogQueues: () => ({ offsets: 0, transactions: 3 }) },
      logger,
      { intervalMs: 600_000, stalledRequestMs: 10_000 },
    )
    closers.push(() => dog.stop())
    return { dog, warnings }
  }

  it('warns with the event loop delay, the connections and the coordinator queues when the loop was blocked for over a second', () => {
    const { dog, warnings } = watchdog([connectionWith('10.0.0.7:50123', { pending: 1, oldest: requestFrame(ApiKey.Produce, 'meter-app'), ageMs: 5 })])
    expect(dog.check()).toBeNull()
    // Less than a second past when the next sample was due, which lateness alone would report.
    blockEventLoop(1_200)
    const report = dog.check()
    expect(report?.reasons).toEqual([expect.stringMatching(/^the event loop was blocked for \d+ ms$/)])
    expect(report?.eventLoopDelayMs.max).toBeGreaterThanOrEqual(1_000)
    expect(report?.eventLoopDelayMs.p99).toBeGreaterThan(0)
    expect(report).toMatchObject({
      openConnections: 1,
      pendingRequests: [{ clientId: 'meter-app', address: '10.0.0.7:50123', pending: 1, oldestApi: 'Produce', writeBlocked: false }],
      fetchWaiters: 2,
      coordinatorLogQueues: { offsets: 0, transactions: 3 },
    })
    expect(report?.cpuPercent).toBeGreaterThan(0)
    expect(report?.memoryMb.heapUsed).toBeGreaterThan(0)
    expect(warnings).toEqual([{ msg: 'broker watchdog: the broker is not keeping up', report }])
    // Each window reports its own delays: the block is not reported again.
    expect(dog.check()).toBeNull()
  })

  it('warns about a request unanswered for too long, but not about a JoinGroup waiting for the group', () => {
    const join = { pending: 1, oldest: requestFrame(ApiKey.JoinGroup, 'joiner'), ageMs: 60_000 }
    const fetch = { pending: 0, oldest: requestFrame(ApiKey.Fetch, 'reader'), ageMs: 12_000 }
    const { dog } = watchdog([connectionWith('10.0.0.1:1', join), connectionWith('10.0.0.2:2', fetch)])
    expect(dog.check()).toBeNull()
    fetch.pending = 1
    const report = dog.check()
    expect(report?.reasons).toEqual([expect.stringMatching(/^10\.0\.0\.2:2 has had a request unanswered for 12\d{3} ms$/)])
    // Both are listed, the one waiting longest first.
    expect(report?.pendingRequests.map((p) => [p.clientId, p.oldestApi])).toEqual([['joiner', 'JoinGroup'], ['reader', 'Fetch']])
  })

  it('warns about a connection whose unanswered requests grow at each look', () => {
    const state = { pending: 1, oldest: requestFrame(ApiKey.Metadata, 'flood'), ageMs: 1 }
    const { dog } = watchdog([connectionWith('10.0.0.3:3', state)])
    for (const pending of [1, 2, 3]) {
      state.pending = pending
      expect(dog.check()).toBeNull()
    }
    state.pending = 4
    expect(dog.check()?.reasons).toEqual(['10.0.0.3:3 has 4 unanswered requests, more at each of the last 3 looks'])
    expect(dog.check()).toBeNull()
  })

  it('reports a fetch parked on a live broker with the requests queued behind it, and stops with the broker', async () => {
    const { logger, warnings } = warningsLogger()
    const kafka = await EmbeddedKafka.start({ logger, watchdog: { intervalMs: 100, stalledRequestMs: 500 } })
    closers.push(() => kafka.close())
    kafka.localTopics.ensureTopic('meters', 1)
    const client = await RawClient.connect(kafka.bootstrapServers)
    closers.push(() => client.close())
    // A long poll on an empty partition, then two requests the connection can only answer after it.
    const fetched = client.request(ApiKey.Fetch, 12, {
      replicaId: -1, maxWaitMs: 30_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'meters', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    })
    const behind = [client.request(ApiKey.Metadata, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }), client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })]
    await waitFor('the watchdog warning', () => warnings.length > 0)
    const { report } = warnings[0]
    expect(report.reasons).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ has had a request unanswered for \d+ ms$/)])
    expect(report).toMatchObject({
      openConnections: 1,
      pendingRequests: [{ clientId: 'raw-client', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/), pending: 3, oldestApi: 'Fetch', writeBlocked: false }],
      fetchWaiters: 1,
      coordinatorLogQueues: { offsets: 0, transactions: 0 },
    })
    expect(report.pendingRequests[0].oldestPendingMs).toBeGreaterThanOrEqual(500)

    // Data arrives: the fetch and the requests behind it are answered, and the warnings stop.
    await kafka.localTopics.append('meters', 0, [{ key: Buffer.from('m1'), value: Buffer.from('42'), timestamp: Date.now() }])
    await Promise.all([fetched, ...behind])
    const answeredAt = warnings.length
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(warnings.length).toBe(answeredAt)

    // Once the broker is closed, nothing looks any more: a blocked loop goes unreported.
    await kafka.close()
    blockEventLoop(1_200)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(warnings.length).toBe(answeredAt)
  })
})
