import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config'

/** What every test run shares; vitest.interop.config.ts builds on it too. */
export const sharedTestOptions: NonNullable<ViteUserConfig['test']> = {
  // e2e tests start brokers and child processes: give them room, but fail a hung test.
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Two cores: forks keep native addons (rocksdb) isolated per test file.
  pool: 'forks',
  reporters: ['default'],
}

export default defineConfig({
  test: {
    ...sharedTestOptions,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          // test/interop runs Apache Kafka and Kafka Streams (Java): `npm run test:interop` runs it.
          exclude: [...configDefaults.exclude, 'test/interop/**', 'test/e2e/soak.test.ts'],
          // Two files at a time: the e2e files spend most of their time waiting on timers (commit
          // intervals, session timeouts, restarts), not on the CPU, and each has its own broker.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          // expectTypeOf only fails when the type checker runs: test/**/*.test-d.ts hold those checks.
          // Their own tsconfig keeps tsc to them and what they import, not the whole tree. Errors
          // elsewhere are left to the build, which npm test runs first, and to npm run typecheck.
          typecheck: {
            enabled: true,
            include: ['test/**/*.test-d.ts'],
            tsconfig: './tsconfig.typecheck.json',
            ignoreSourceErrors: true,
          },
        },
      },
      {
        extends: true,
        test: {
          // The fault soak runs three instances and SIGKILLs brokers: it runs last and alone, so
          // its recovery times are not those of a machine shared with another suite.
          name: 'soak',
          include: ['test/e2e/soak.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
