import { bundledTopologies } from '../../../topologies/index.js'
import type { BundledTopology } from '../../../topologies/types.js'
import type { Command } from '../command.js'
import { processIo } from '../io.js'
import { appFigures } from '../run/app-figures.js'
import { produceCityFeed, type CityFeed } from '../run/city-feed.js'
import { resolveTopology } from '../run/resolve-topology.js'
import { parseRunOptions, runUsage } from '../run/run-options.js'
import { runTopologies, type RunEnvironment } from '../run/run-topology.js'
import { plainDisplay, terminalDisplay } from '../run/status-line.js'

export interface RunCommandDependencies {
  readonly topologies?: readonly BundledTopology[]
  readonly cityFeed?: CityFeed
  readonly appFigures?: RunEnvironment['appFigures']
}

/** `tributary run`; the topologies and the generator are injectable so tests can run their own. */
export function createRunCommand(deps: RunCommandDependencies = {}): Command {
  const topologies = deps.topologies ?? bundledTopologies
  return {
    name: 'run',
    summary: 'Run bundled topologies on a live simulated city, with a live map (embedded Kafka unless --brokers)',
    usage: runUsage,
    async run(args, io, signal) {
      const options = parseRunOptions(args)
      const bundled = options.topologies.map((name) => resolveTopology('run', name, topologies))
      // Only a real terminal gets a status line rewritten in place; logs and pipes get plain lines.
      const display = io === processIo && process.stdout.isTTY === true ? terminalDisplay(process.stdout) : plainDisplay(io)
      try {
        return await runTopologies(bundled, options, { io, display, cityFeed: deps.cityFeed ?? produceCityFeed, appFigures: deps.appFigures ?? appFigures }, signal)
      } catch (error) {
        // One line: the first line of the message says what failed and what to do.
        const message = error instanceof Error ? error.message : String(error)
        throw new Error(message.split('\n')[0], { cause: error })
      }
    },
  }
}

export const runCommand: Command = createRunCommand()
