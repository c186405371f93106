import type { AuthContext, AuthService } from "graphql-auth-api";

export const typeDefs = /* GraphQL */ `
  type Invoice { id: ID! ownerId: ID! amount: Int! }

  type Query {
    myInvoices: [Invoice!]! @authorized
    invoiceTotal: Int! @authorized(roles: ["ADMIN"])
    status: String! @public
  }

  type Mutation {
    login(login: String!, password: String!): String! @public
    logout: Boolean! @authorized
  }
`;

/** The resolver map; login and logout go through the auth service's use cases. */
export function resolvers(auth: AuthService) {
  return {
    Query: {
      myInvoices: async (_: unknown, __: unknown, ctx: AuthContext) => {
        const { user } = await ctx.principal(); // memoised: the guard already checked it
        return [{ id: `${user.id}-1`, ownerId: user.id, amount: 100 }];
      },
      invoiceTotal: () => 100,
      status: () => "ok",
    },
    Mutation: {
      login: async (_: unknown, args: { login: string; password: string }, ctx: AuthContext) => (await auth.auth.login(args, ctx.client)).accessToken,
      logout: async (_: unknown, __: unknown, ctx: AuthContext) => {
        await auth.auth.logout(await ctx.principal(), ctx.client);
        return true;
      },
    },
  };
}
