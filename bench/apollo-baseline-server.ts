/**
 * The benchmark's second baseline: a bare Apollo Server 5 as its documentation shows it
 * (`startStandaloneServer`, a small SDL schema, plain resolvers) that only verifies the HS256 access token
 * with jsonwebtoken (a KeyObject built once, algorithm, issuer and audience pinned) and answers `me` from its
 * claims. None of the project's code runs per request, so API / this baseline is what the whole product stack
 * costs against the least a JWT-protected Apollo server does. Not part of the product.
 */
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { GraphQLError } from "graphql";
import jwt from "jsonwebtoken";
import { createSecretKey } from "node:crypto";
import { loadConfig } from "../src/config.js";

const config = loadConfig(process.env);
if (config.jwt.secret === undefined) throw new Error("apollo baseline: JWT_SECRET is required");
const key = createSecretKey(Buffer.from(config.jwt.secret, "utf8"));
const verifyOptions: jwt.VerifyOptions = { algorithms: ["HS256"], issuer: config.jwt.issuer, audience: config.jwt.audience };

const typeDefs = `#graphql
  type User { id: ID!  email: String!  username: String  roles: [String!]!  createdAt: String! }
  type Query { me: User! }
`;

interface Context {
  claims: jwt.JwtPayload | null;
}

const unauthenticated = () => new GraphQLError("Invalid or expired token", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });

const resolvers = {
  Query: {
    me: (_parent: unknown, _args: unknown, { claims }: Context) => {
      if (claims === null || typeof claims.sub !== "string") throw unauthenticated();
      return { id: claims.sub, email: `${claims.sub}@example.com`, username: null, roles: [], createdAt: new Date((claims.iat ?? 0) * 1000).toISOString() };
    },
  },
};

const server = new ApolloServer<Context>({ typeDefs, resolvers });
const { url } = await startStandaloneServer(server, {
  listen: { port: config.port, host: config.host },
  context: async ({ req }) => {
    const header = req.headers.authorization;
    if (!header?.startsWith("Bearer ")) return { claims: null };
    try {
      return { claims: jwt.verify(header.slice(7), key, verifyOptions) as jwt.JwtPayload };
    } catch {
      throw unauthenticated();
    }
  },
});
process.stdout.write(`apollo baseline ready at ${url}\n`);

const stop = () => {
  void server.stop().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3_000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
