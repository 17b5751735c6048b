/**
 * The embedded broker in a process of its own, so that it does not share the measured process's
 * event loop (a Kafka cluster runs elsewhere too). Started by `startBrokerProcess()`; prints
 * nothing; answers 'stop' by closing the broker (and its temporary log directory) and exiting.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { EmbeddedKafka } from '../../src/broker/index.js'

export interface BrokerProcess {
  readonly bootstrapServers: string
  readonly child: ChildProcess
  /** Closes the broker, removes its logs and waits for the process to exit. */
  stop(): Promise<void>
}

interface Ready {
  readonly bootstrapServers: string
}

export async function startBrokerProcess(partitions: number): Promise<BrokerProcess> {
  const child = fork(new URL(import.meta.url), ['--serve', String(partitions)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready))
    child.once('exit', (code) => reject(new Error(`The embedded broker process exited with code ${code} before it was ready.`)))
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    bootstrapServers: ready.bootstrapServers,
    child,
    async stop() {
      if (child.exitCode === null) child.send('stop')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

async function serve(partitions: number): Promise<void> {
  const kafka = await EmbeddedKafka.start({ defaultPartitions: partitions, autoCreateTopics: true })
  process.on('message', (m) => {
    if (m === 'stop') void kafka.close().finally(() => process.exit(0))
  })
  // Without a parent there is nobody to stop this broker: close it rather than linger.
  process.on('disconnect', () => void kafka.close().finally(() => process.exit(0)))
  process.send?.({ bootstrapServers: kafka.bootstrapServers } satisfies Ready)
}

if (process.argv[2] === '--serve') await serve(Number(process.argv[3] ?? 2))
