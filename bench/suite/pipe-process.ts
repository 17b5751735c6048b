/**
 * The raw pipe (the I/O limit) in a Node process of its own, like Tributary's application in
 * kafka mode: its CPU time and peak memory are then the pipe's alone, not the load generator's
 * and the result reader's, and its CPU-ms per 1,000 records compare with Tributary's.
 */
import { createKafkaClients } from '../../src/kafka/index.js'
import { serveChild, startChildService, type ChildService } from './child-service.js'
import { DEFAULT_PIPE_SETTINGS, RawPipe, type PipeSettings } from './raw-pipe.js'

export interface PipeProcessOptions {
  readonly bootstrapServers: string
  /** The consumer group, whose commits tell the bench when the pipe is done. */
  readonly groupId: string
  readonly inputTopics: readonly string[]
  readonly settings: Omit<PipeSettings, keyof typeof DEFAULT_PIPE_SETTINGS> & Partial<PipeSettings>
}

export type PipeProcess = ChildService<Record<string, never>, Record<string, never>>

/** Starts the pipe in a child process; resolves once it has joined its group and is piping. */
export function startPipeProcess(options: PipeProcessOptions): Promise<PipeProcess> {
  return startChildService(new URL(import.meta.url), options, 'The raw pipe')
}

async function startPipe(options: PipeProcessOptions, fail: (error: unknown) => void) {
  const clients = createKafkaClients({ bootstrapServers: [options.bootstrapServers], clientId: `${options.groupId}-client`, applicationId: options.groupId })
  const pipe = new RawPipe(clients.consumer({ isolationLevel: 'read_uncommitted' }), clients.producer(), { ...DEFAULT_PIPE_SETTINGS, ...options.settings }, fail)
  await pipe.start(options.inputTopics)
  return {
    started: {},
    close: async () => {
      await pipe.close()
      return {}
    },
  }
}

if (process.argv[2] === '--serve') await serveChild(startPipe)
