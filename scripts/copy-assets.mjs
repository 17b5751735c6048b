#!/usr/bin/env node
// Runs after tsc: copies the data files the compiled code reads at run time (the Kafka protocol
// message schemas of the embedded broker, the live map's page) next to it in dist/, and makes the CLI executable
// (tsc writes plain files; `npx tributary` runs the bin file directly).
import { chmodSync, cpSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const assets = ['src/broker/protocol/schemas', 'src/cli/run/live-map/page']
for (const asset of assets) cpSync(join(root, asset), join(root, 'dist', asset), { recursive: true })
chmodSync(join(root, 'dist/src/cli/main.js'), 0o755)
