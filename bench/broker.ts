/**
 * Embedded broker throughput: produce then consume N records of ~200 bytes with
 * @platformatic/kafka over loopback. The broker runs in a child process so its CPU time can be
 * reported apart from the client's. Reports records/s and MB/s both ways and the broker's CPU
 * share (broker CPU seconds / wall seconds; 1.0 = one core busy).
 *
 * A second pass drives the broker at the protocol level with prebuilt batches (what a client's
 * batching produces, without the client's per-record cost): it shows what the broker itself
 * sustains when the client is not the bottleneck.
 *
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/broker.js
 * Options (env): RECORDS (default 200 000), PARTITIONS (4), BATCH (records per send, 1 000),
 * IN_FLIGHT (concurrent sends, 4), ACKS (-1), FSYNC (the broker's fsync mode: interval, its
 * default, or always, which syncs before answering every acks=-1 produce).
 */
import { fork, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { Admin, Consumer, Producer, createRecordsBatch, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { Reader, Writer } from '../src/broker/protocol/primitives.js'
import { codecFor, type Message } from '../src/broker/protocol/schema-codec.js'

const RECORDS = Number(process.env.RECORDS ?? 200_000)
const PARTITIONS = Number(process.env.PARTITIONS ?? 4)
const BATCH = Number(process.env.BATCH ?? 1000)
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 4)
const ACKS = Number(process.env.ACKS ?? -1)
const FSYNC = (process.env.FSYNC ?? 'interval') as 'interval' | 'always'
const VALUE = 'v'.repeat(190)

interface BrokerChild {
  child: ChildProcess
  bootstrap: string
  cpuSeconds(): Promise<number>
}

/** Starts the broker in a child process that answers 'cpu' messages with its CPU seconds. */
async function startBroker(): Promise<BrokerChild> {
  if (process.argv[2] === 'broker-child') throw new Error('unreachable')
  const child = fork(new URL(import.meta.url), ['broker-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const bootstrap = await new Promise<string>((resolve) => child.once('message', (m) => resolve(String(m))))
  const cpuSeconds = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(Number(m)))
      child.send('cpu')
    })
  return { child, bootstrap, cpuSeconds }
}

async function brokerChild(): Promise<void> {
  const { EmbeddedKafka } = await import('../src/broker/index.js')
  const kafka = await EmbeddedKafka.start({ defaultPartitions: PARTITIONS, fsync: FSYNC })
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage()
      process.send?.((u.user + u.system) / 1e6)
    } else if (m === 'stop') void kafka.close().then(() => process.exit(0))
  })
  process.send?.(kafka.bootstrapServers)
}

async function main(): Promise<void> {
  console.log(`broker fsync ${FSYNC}, acks=${ACKS}`)
  const broker = await startBroker()
  const brokers = [broker.bootstrap]
  const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: brokers })
  await admin.createTopics({ topics: ['bench'], partitions: PARTITIONS, replicas: 1 })
  await admin.close()

  const producer = new Producer({ clientId: 'bench-producer', bootstrapBrokers: brokers, serializers: stringSerializers })
  const bytesPerRecord = Buffer.byteLength(VALUE) + 10
  let cpu0 = await broker.cpuSeconds()
  let t0 = process.hrtime.bigint()
  clientCpuMark = process.cpuUsage()
  let next = 0
  const sender = async (): Promise<void> => {
    while (next < RECORDS) {
      const start = next
      next = Math.min(RECORDS, next + BATCH)
      const messages = []
      for (let i = start; i < next; i++) messages.push({ topic: 'bench', key: `k${i % 100_000}`.padEnd(10, '_'), value: VALUE })
      await producer.send({ messages, acks: ACKS })
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender))
  let seconds = Number(process.hrtime.bigint() - t0) / 1e9
  let cpu = (await broker.cpuSeconds()) - cpu0
  report('produce', seconds, cpu, bytesPerRecord)
  await producer.close()

  const consumer = new Consumer({ groupId: 'bench', clientId: 'bench-consumer', bootstrapBrokers: brokers, deserializers: stringDeserializers, maxWaitTime: 100 })
  cpu0 = await broker.cpuSeconds()
  t0 = process.hrtime.bigint()
  clientCpuMark = process.cpuUsage()
  const stream = await consumer.consume({ topics: ['bench'], mode: 'earliest', maxBytes: 8 << 20 })
  let received = 0
  await new Promise<void>((resolve) => {
    stream.on('data', () => {
      if (++received === RECORDS) resolve()
    })
  })
  seconds = Number(process.hrtime.bigint() - t0) / 1e9
  cpu = (await broker.cpuSeconds()) - cpu0
  report('consume', seconds, cpu, bytesPerRecord)
  await stream.close()
  await consumer.close()
  console.log(`* = protocol level, prebuilt batches of ${BATCH} records (client cost excluded)`)
  await protocolLevel(broker)
  broker.child.send('stop')
}

/** Pipelined requests over one socket, encoded with the broker's own codec. */
class WireClient {
  private pending: Array<{ flexible: boolean; resolve: (body: Reader) => void }> = []
  private buffered: Buffer = Buffer.alloc(0)
  private correlationId = 0

  constructor(private readonly socket: Socket) {
    let chunks: Buffer[] = []
    let length = 0
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      length += d.length
      // Concatenate only once a whole frame is there: large fetch responses arrive in many chunks.
      if (length < 4) return
      if (chunks[0].length < 4) chunks = [Buffer.concat(chunks)]
      if (length < 4 + chunks[0].readInt32BE(0)) return
      this.buffered = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
      chunks = []
      length = 0
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const frameSize = this.buffered.readInt32BE(0)
        const r = new Reader(this.buffered, 4, 4 + frameSize)
        r.int32()
        const next = this.pending.shift()
        if (next?.flexible) r.uvarint() // response header v1 tags
        this.buffered = this.buffered.subarray(4 + frameSize)
        next?.resolve(r)
      }
      if (this.buffered.length > 0) {
        chunks = [this.buffered]
        length = this.buffered.length
      }
    })
  }

  request(apiKey: number, name: string, version: number, body: Message): Promise<Message> {
    const codec = codecFor(`${name}Request`)
    const flexible = codec.isFlexible(version)
    const w = new Writer(1024)
    w.int32(0).int16(apiKey).int16(version).int32(++this.correlationId).string('bench', false)
    if (flexible) w.uvarint(0)
    codec.encode(w, version, body)
    const chunks = w.toChunks()
    chunks[0].writeInt32BE(w.length - 4, 0)
    for (const c of chunks) this.socket.write(c)
    return new Promise((resolve) => this.pending.push({ flexible, resolve: (r) => resolve(codecFor(`${name}Response`).decode(r, version)) }))
  }
}

async function protocolLevel(broker: BrokerChild): Promise<void> {
  const [host, port] = broker.bootstrap.split(':')
  const socket = await new Promise<Socket>((resolve) => {
    const s = connect(Number(port), host, () => resolve(s))
  })
  const client = new WireClient(socket)
  const messages = Array.from({ length: BATCH }, (_, i) => ({ topic: 'raw', key: Buffer.from(`k${i}`.padEnd(10, '_')), value: Buffer.from(VALUE) }))
  const batch = createRecordsBatch(messages).buffer
  const bytesPerRecord = Buffer.byteLength(VALUE) + 10
  let cpu0 = await broker.cpuSeconds()
  let t0 = process.hrtime.bigint()
  clientCpuMark = process.cpuUsage()
  const sends: Array<Promise<Message>> = []
  for (let sent = 0, i = 0; sent < RECORDS; sent += BATCH, i++) {
    sends.push(client.request(0, 'Produce', 7, { acks: ACKS, timeoutMs: 5000, topicData: [{ name: 'raw', partitionData: [{ index: i % PARTITIONS, records: batch }] }] }))
    if (sends.length >= IN_FLIGHT * 4) await sends.shift()
  }
  await Promise.all(sends)
  report('produce*', (Number(process.hrtime.bigint() - t0) / 1e9), (await broker.cpuSeconds()) - cpu0, bytesPerRecord)

  cpu0 = await broker.cpuSeconds()
  t0 = process.hrtime.bigint()
  clientCpuMark = process.cpuUsage()
  const offsets = Array.from({ length: PARTITIONS }, () => 0n)
  let records = 0
  while (records < RECORDS) {
    const res = await client.request(1, 'Fetch', 12, {
      maxWaitMs: 100, minBytes: 1, maxBytes: 16 << 20, sessionEpoch: -1,
      topics: [{ topic: 'raw', partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 4 << 20 })) }],
    })
    for (const p of (res.responses as Message[])[0].partitions as Message[]) {
      const data = p.records as Buffer
      // Count records from batch headers only: the bench measures the broker, not decoding.
      for (let pos = 0; pos + 61 <= data.length; pos += data.readInt32BE(pos + 8) + 12) {
        const base = data.readBigInt64BE(pos)
        const last = base + BigInt(data.readInt32BE(pos + 23))
        if (last >= offsets[p.partitionIndex as number]) records += data.readInt32BE(pos + 57)
        offsets[p.partitionIndex as number] = last + 1n
      }
    }
  }
  report('consume*', (Number(process.hrtime.bigint() - t0) / 1e9), (await broker.cpuSeconds()) - cpu0, bytesPerRecord)
  socket.destroy()
}

let clientCpuMark = process.cpuUsage()

function report(phase: string, seconds: number, cpu: number, bytesPerRecord: number): void {
  const rps = RECORDS / seconds
  const mbps = (rps * bytesPerRecord) / 1e6
  const client = process.cpuUsage(clientCpuMark)
  clientCpuMark = process.cpuUsage()
  const clientShare = ((client.user + client.system) / 1e6 / seconds) * 100
  console.log(`${phase.padEnd(8)} ${RECORDS} records in ${seconds.toFixed(2)} s: ${Math.round(rps)} records/s, ${mbps.toFixed(1)} MB/s, broker CPU ${((cpu / seconds) * 100).toFixed(0)}%, client CPU ${clientShare.toFixed(0)}% of one core`)
}

if (process.argv[2] === 'broker-child') await brokerChild()
else await main()
