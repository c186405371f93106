import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { applyAuthDirectives, authDirectiveTypeDefs, createAuthService, type AuthContext } from "graphql-auth-api";
import { resolvers, typeDefs } from "./schema.js";

/** Starts the app: an SDL schema whose guards are directives, on Apollo Server 5. */
export async function startApp(options: { port?: number; env?: Record<string, string | undefined> } = {}) {
  const auth = await createAuthService({ env: options.env });
  const schema = applyAuthDirectives(makeExecutableSchema({ typeDefs: [authDirectiveTypeDefs, typeDefs], resolvers: resolvers(auth) }));
  const server = new ApolloServer<AuthContext>({ schema, ...auth.apolloOptions });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 4000 },
    context: async ({ req }) => auth.context(req),
  });
  return { url, auth, stop: async () => (await server.stop(), await auth.close()) };
}
