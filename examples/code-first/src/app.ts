import "reflect-metadata";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildAuthSchema, createAuthService, type AuthContext } from "graphql-auth-api";
import { InvoiceResolver } from "./invoice.resolver.js";

/** Starts the app: the auth operations and the invoice resolvers on one Apollo Server. */
export async function startApp(options: { port?: number; env?: Record<string, string | undefined> } = {}) {
  const auth = await createAuthService({ env: options.env });
  const schema = await buildAuthSchema({ resolvers: [InvoiceResolver] });
  const server = new ApolloServer<AuthContext>({ schema, ...auth.apolloOptions });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 4000 },
    context: async ({ req }) => auth.context(req),
  });
  return { url, auth, stop: async () => (await server.stop(), await auth.close()) };
}
