#!/usr/bin/env node
// Enforces the layering of DESIGN.md: a layer imports only the layers below it, the bundled
// topologies use the public entry points only, and the native/client packages stay in the one
// layer that owns them. Run by `npm run lint`; exits non-zero on any violation.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Direct dependencies of each layer; a layer may also use everything its dependencies may use. */
export const layerDependencies = {
  core: [],
  serde: ['core'],
  state: ['serde'],
  processors: ['state'],
  topology: ['processors'],
  dsl: ['topology', 'processors'],
  kafka: ['core'],
  engine: ['topology', 'state', 'serde', 'core'],
  runtime: ['engine', 'kafka'],
  testing: ['engine'],
  broker: [],
  geo: ['core'],
  http: ['runtime', 'topology', 'serde', 'core'],
  cli: ['runtime', 'http', 'dsl', 'testing', 'broker', 'geo', 'topologies', 'index'],
  index: ['dsl', 'runtime', 'engine', 'serde', 'state', 'topology', 'processors', 'core', 'geo'],
  topologies: ['public'],
}

/**
 * Dependencies narrowed to some files: `layer -> { lower layer -> the only files it may import }`.
 * The topology runs any processor through the Processor API; which concrete operators exist is the
 * DSL compiler's business, so the topology must not reach past that API. A narrowing binds the
 * layer's own files; layers above it keep what their own dependencies allow.
 */
export const narrowedDependencies = {
  topology: { processors: ['src/processors/api.ts'] },
}

/** The files a bundled topology may import: the package's public entry points. */
const publicEntryPoints = ['src/index.ts', 'src/testing/index.ts', 'src/broker/index.ts', 'src/geo/index.ts']

/** npm packages that only one layer may import. */
const ownedPackages = {
  '@platformatic/kafka': ['kafka'],
  rocksdb: ['state/rocksdb'],
}

function closure(layer, seen = new Set()) {
  for (const dep of layerDependencies[layer] ?? []) {
    if (!seen.has(dep)) {
      seen.add(dep)
      closure(dep, seen)
    }
  }
  return seen
}

/** The layer a repository-relative path belongs to, or undefined for files outside the layers. */
export function layerOf(relPath) {
  const parts = relPath.split(/[\\/]/)
  if (parts[0] === 'topologies') return 'topologies'
  if (parts[0] !== 'src') return undefined
  if (parts.length === 2) return parts[1] === 'index.ts' ? 'index' : undefined
  return parts[1]
}

const importPattern = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** Module specifiers imported by a TypeScript source (comments stripped first). */
export function importsOf(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
  const specifiers = []
  for (const match of code.matchAll(importPattern)) specifiers.push(match[1] ?? match[2])
  return specifiers
}

function* sourceFiles(dir) {
  let entries
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const entry of entries) {
    const full = join(dir, entry)
    if (statSync(full).isDirectory()) yield* sourceFiles(full)
    else if (/\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) yield full
  }
}

function packageName(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** Every layering violation under `root` (the repository root), as human-readable lines. */
export function findViolations(root) {
  const violations = []
  for (const top of ['src', 'topologies']) {
    for (const file of sourceFiles(join(root, top))) {
      const rel = relative(root, file).split(sep).join('/')
      const layer = layerOf(rel)
      if (layer === undefined) continue
      const allowed = closure(layer)
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = relative(root, resolve(dirname(file), specifier)).split(sep).join('/').replace(/\.js$/, '.ts')
          const targetLayer = layerOf(target)
          if (targetLayer === undefined || targetLayer === layer) continue
          if (layer === 'topologies') {
            if (!publicEntryPoints.includes(target)) {
              violations.push(`${rel}: bundled topologies import only the public API (${publicEntryPoints.join(', ')}), not ${target}`)
            }
            continue
          }
          if (!allowed.has(targetLayer)) {
            violations.push(`${rel}: layer "${layer}" may not import layer "${targetLayer}" (${specifier}); allowed: ${[...allowed].join(', ') || 'nothing of the library'}`)
            continue
          }
          const only = narrowedDependencies[layer]?.[targetLayer]
          if (only !== undefined && !only.includes(target)) {
            violations.push(`${rel}: layer "${layer}" may import only ${only.join(', ')} of layer "${targetLayer}", not ${target}`)
          }
        } else if (!specifier.startsWith('node:')) {
          const owners = ownedPackages[packageName(specifier)]
          if (owners !== undefined && !owners.some((owner) => rel.startsWith(`src/${owner}/`))) {
            violations.push(`${rel}: only ${owners.map((o) => `src/${o}/`).join(', ')} may import "${packageName(specifier)}"`)
          }
        }
      }
    }
  }
  return violations
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const violations = findViolations(root)
  if (violations.length > 0) {
    console.error(`Layering violations (see DESIGN.md, "Layers"):\n${violations.map((v) => `  ${v}`).join('\n')}`)
    process.exit(1)
  }
  console.log('layers: ok')
}
