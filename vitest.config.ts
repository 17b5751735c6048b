import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/interop runs Apache Kafka and Kafka Streams (Java): `npm run test:interop` runs it.
    exclude: [...configDefaults.exclude, 'test/interop/**'],
    // e2e tests start brokers and child processes: give them room, but fail a hung test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: forks keep native addons (rocksdb) isolated per test file.
    pool: 'forks',
    reporters: ['default'],
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
})
