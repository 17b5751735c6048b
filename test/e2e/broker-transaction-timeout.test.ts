import { spawn } from 'node:child_process'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedKafka } from '../../src/broker/index.js'
import { haveKcat, kcat, KCAT } from '../broker/fixtures/kcat.js'
import { RawClient } from '../broker/fixtures/raw-client.js'
import { TxnCalls } from '../broker/fixtures/txn-client.js'
import { waitFor } from '../broker/fixtures/wait-for.js'

if (!haveKcat) console.warn(`transaction timeout tests skipped: ${KCAT} is not installed (apt-get install kcat)`)

const TOPIC = 'payouts'
const TXN_TIMEOUT_MS = 1_000
/** The broker's default `transactionTimeoutCheckIntervalMs`, as Kafka's `transaction.abort.timed.out.transaction.cleanup.interval.ms`. */
const CHECK_INTERVAL_MS = 10_000

/**
 * A producer process (@platformatic/kafka, which sends its request `timeout` as the transaction
 * timeout) that opens a transaction, writes one record and then waits to be killed.
 */
const OPEN_AND_WAIT = `
import { Producer, stringSerializers } from '@platformatic/kafka'
const producer = new Producer({ clientId: 'payout-batcher', bootstrapBrokers: [process.env.BOOTSTRAP], serializers: stringSerializers,
  transactionalId: 'payout-batcher', idempotent: true, timeout: ${TXN_TIMEOUT_MS} })
const transaction = await producer.beginTransaction()
await transaction.send({ messages: [{ topic: '${TOPIC}', key: 'driver-1', value: 'from-killed', partition: 0 }] })
console.log('OPEN')
setInterval(() => {}, 60_000)
`

/** Runs OPEN_AND_WAIT in a child process; resolves with a SIGKILL of it once its transaction is open. */
function openTransactionInChild(bootstrap: string): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', OPEN_AND_WAIT], { env: { ...process.env, BOOTSTRAP: bootstrap }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const kill = (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    return exited
  }
  return new Promise((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('OPEN')) resolve(kill)
    })
    void exited.then(() => reject(new Error(`the producer process exited before opening its transaction: ${stderr}`)))
  })
}

describe.skipIf(!haveKcat)('transaction timeout', () => {
  const closers: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined)
  })

  it('aborts the open transactions of a killed and of a stalled producer after their timeout, and fences them', async () => {
    // The default check interval: the abort comes within timeout + interval.
    const kafka = await EmbeddedKafka.start({ defaultPartitions: 1 })
    closers.push(() => kafka.close())
    kafka.localTopics.ensureTopic(TOPIC, 1)
    const raw = await RawClient.connect(kafka.bootstrapServers)
    closers.push(async () => raw.close())
    const txn = new TxnCalls(raw)
    const highWatermark = (): Promise<bigint> => txn.latestOffset(TOPIC, 0, 0)
    const lastStableOffset = (): Promise<bigint> => txn.latestOffset(TOPIC, 0, 1)

    // A producer process opens a transaction and is killed.
    const startedAt = Date.now()
    const kill = await openTransactionInChild(kafka.bootstrapServers)
    closers.push(kill)
    await kill()
    expect(await highWatermark()).toBe(1n)

    // A kafkajs producer opens one too and simply never ends it.
    const client = new Kafka({ clientId: 'payout-stalled', brokers: [kafka.bootstrapServers], logLevel: logLevel.NOTHING })
    const stalled = client.producer({ transactionalId: 'payout-stalled', idempotent: true, maxInFlightRequests: 1, transactionTimeout: TXN_TIMEOUT_MS })
    await stalled.connect()
    closers.push(() => stalled.disconnect())
    const open = await stalled.transaction()
    await open.send({ topic: TOPIC, messages: [{ key: 'driver-2', value: 'from-stalled', partition: 0 }] })
    const bothOpenAt = Date.now()

    // A plain record after them stays invisible to read_committed while they are open.
    const plain = client.producer()
    await plain.connect()
    closers.push(() => plain.disconnect())
    await plain.send({ topic: TOPIC, messages: [{ key: 'driver-3', value: 'committed', partition: 0 }] })
    expect(await highWatermark()).toBe(3n)
    expect(await lastStableOffset()).toBe(0n)

    await waitFor('the broker to abort both transactions', async () => (await lastStableOffset()) === (await highWatermark()), TXN_TIMEOUT_MS + CHECK_INTERVAL_MS + 2_000)
    const abortedAt = Date.now()
    // Not before the timeout, and no later than the first check after it (with some slack for the polling).
    expect(abortedAt - startedAt).toBeGreaterThanOrEqual(TXN_TIMEOUT_MS)
    expect(abortedAt - bothOpenAt).toBeLessThanOrEqual(TXN_TIMEOUT_MS + CHECK_INTERVAL_MS + 1_000)
    // Two abort markers: the last stable offset is past them, and read_committed fetches list both aborted transactions.
    expect(await highWatermark()).toBe(5n)
    const fetched = await txn.fetch(TOPIC, 0, 0n, 1)
    expect((fetched.abortedTransactions as Array<{ firstOffset: bigint }>).map((a) => a.firstOffset).sort()).toEqual([0n, 1n])
    const consume = (isolation: string): Promise<string> =>
      kcat(['-b', kafka.bootstrapServers, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-f', '%k=%s\n', '-X', `isolation.level=${isolation}`])
    expect((await consume('read_committed')).trim().split('\n')).toEqual(['driver-3=committed'])
    expect((await consume('read_uncommitted')).trim().split('\n')).toEqual(['driver-1=from-killed', 'driver-2=from-stalled', 'driver-3=committed'])

    // The killed producer's id was fenced too: a successor starts two epochs on (the abort bumped one).
    expect(await txn.init('payout-batcher')).toMatchObject({ errorCode: 0, producerEpoch: 2 })
    // The stalled producer's epoch was bumped: its next request is refused as from a zombie.
    const sendError = (await open.send({ topic: TOPIC, messages: [{ key: 'driver-2', value: 'too-late', partition: 0 }] }).then(() => null, (e: unknown) => e)) as { type?: string } | null
    expect(sendError?.type).toBe('INVALID_PRODUCER_EPOCH')
    const commitError = (await open.commit().then(() => null, (e: unknown) => e)) as { type?: string } | null
    expect(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']).toContain(commitError?.type)
    expect((await consume('read_committed')).trim().split('\n')).toEqual(['driver-3=committed'])
  })
})
