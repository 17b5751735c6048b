import type { GroupService } from './broker-context.js'
import { GroupCoordinator } from './groups/index.js'
import type { LogDurability } from './log/durability.js'
import type { BrokerLogger } from './logger.js'

export interface GroupServiceOptions {
  dataDir: string
  logger: BrokerLogger
  now: () => number
  partitionExists: (topic: string, partition: number) => boolean
  durability: LogDurability
}

/** Creates the consumer group coordinator (./groups) and loads its persisted groups and offsets. */
export async function loadGroupCoordinator(options: GroupServiceOptions): Promise<GroupService> {
  const coordinator = new GroupCoordinator(options)
  await coordinator.load()
  return coordinator
}
