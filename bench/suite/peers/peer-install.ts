import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { PeerLibrary } from './peer-library.js'

const run = promisify(execFile)

/** `.bench-peers/` at the repository's root (gitignored), whether this runs from bench/ or dist/bench/. */
export function defaultPeersCacheDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const fromDist = /[\\/]dist[\\/]bench[\\/]suite[\\/]peers[\\/]?$/.test(here)
  return fileURLToPath(new URL(fromDist ? '../../../../.bench-peers/' : '../../../.bench-peers/', import.meta.url))
}

/** The npm command that installs `peer` into `cacheDir` (its own node_modules; lifecycle scripts off: nothing native is built). */
export function installCommand(peer: Pick<PeerLibrary, 'packageName' | 'version'>, cacheDir: string): string[] {
  return ['install', '--prefix', cacheDir, '--save-exact', '--ignore-scripts', '--no-audit', '--no-fund', `${peer.packageName}@${peer.version}`]
}

/** The version of `packageName` installed under `cacheDir`, if any. */
export function installedVersion(cacheDir: string, packageName: string): string | undefined {
  const manifest = join(cacheDir, 'node_modules', ...packageName.split('/'), 'package.json')
  if (!existsSync(manifest)) return undefined
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version
}

/**
 * Makes sure `peer` is installed at its exact version under `cacheDir` (`.bench-peers/` of the
 * repository by default, gitignored), installing it with npm when it is not; a cache directory
 * of its own keeps it out of the project's package.json and lockfile. Throws, saying why, when
 * npm fails (no registry, a build that needs a compiler).
 */
export async function installPeer(peer: PeerLibrary, cacheDir: string, log: (line: string) => void): Promise<void> {
  if (installedVersion(cacheDir, peer.packageName) === peer.version) return
  mkdirSync(cacheDir, { recursive: true })
  // A manifest of its own, so npm installs here rather than into a project above the directory.
  const manifest = join(cacheDir, 'package.json')
  if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: 'tributary-bench-peers', private: true, description: 'npm peers of npm run bench -- --peers; not a dependency of Tributary' }, null, 2)}\n`)
  const args = installCommand(peer, cacheDir)
  log(`installing the peer ${peer.packageName}@${peer.version}: npm ${args.join(' ')}`)
  try {
    await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { maxBuffer: 16 << 20 })
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') ?? (error instanceof Error ? error.message : String(error))
    throw new Error(`Installing the peer ${peer.packageName}@${peer.version} into ${cacheDir} failed: ${detail}`)
  }
  if (installedVersion(cacheDir, peer.packageName) !== peer.version) throw new Error(`npm ran, but ${peer.packageName}@${peer.version} is not under ${cacheDir}/node_modules.`)
}

/** Loads a package installed under `cacheDir` (its CommonJS entry point), as a peer's program does. */
export function requireFromCache<T>(cacheDir: string, packageName: string): T {
  return createRequire(join(cacheDir, 'package.json'))(packageName) as T
}
