#!/usr/bin/env node
// tsc compiles TypeScript only: copy the data files the compiled code reads at run time (the
// Kafka protocol message schemas of the embedded broker) next to it in dist/.
import { cpSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const assets = ['src/broker/protocol/schemas']
for (const asset of assets) cpSync(join(root, asset), join(root, 'dist', asset), { recursive: true })
