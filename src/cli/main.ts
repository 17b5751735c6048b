#!/usr/bin/env node
import { processIo } from './io.js'
import { runCli } from './run-cli.js'

// Ctrl-C / SIGTERM ask the running command to shut down gracefully; a second signal forces exit.
const controller = new AbortController()
let signalled = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) process.exit(130)
    signalled = true
    controller.abort()
  })
}

process.exitCode = await runCli(process.argv.slice(2), processIo, controller.signal)
