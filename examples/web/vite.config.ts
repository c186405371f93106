import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const kit = (file: string) => fileURLToPath(new URL(`../../src/client/${file}`, import.meta.url));

// The kit comes from this repository's source; an app outside it installs `graphql-auth-api` and imports
// `graphql-auth-api/client` (and `/client/apollo`) from the package instead.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^graphql-auth-api\/client\/apollo$/, replacement: kit("apollo.ts") },
      { find: /^graphql-auth-api\/client$/, replacement: kit("index.ts") },
    ],
    // one copy of each, from this app's node_modules, also for the kit's own imports
    dedupe: ["@apollo/client", "graphql", "graphql-ws", "rxjs"],
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
