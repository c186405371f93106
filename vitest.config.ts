import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for type-graphql and Apollo; without this alias Vite would hand
    // our own modules the .mjs build, and graphql refuses types from "another module or realm".
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // CI also keeps a machine-readable report, from which .ci/run prints its closing "N passed, N failed" line
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/results/vitest.json" }]] : ["default"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
