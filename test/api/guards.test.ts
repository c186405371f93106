/**
 * One guard engine, two front-ends: schema-first `@authorized` / `@public` (and Federation's aliases) give the
 * same 401/403 codes and reasons as type-graphql's `@Authorized`, and a schema with an unguarded root field
 * is refused at start-up.
 * @see issue 11
 */
import { makeExecutableSchema } from "@graphql-tools/schema";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Field, ObjectType, Query, Resolver } from "type-graphql";
import { CLI_ACTOR } from "../../src/auth/actor.js";
import { authDirectiveTypeDefs } from "../../src/graphql/guards/directives.js";
import { findUnguardedRootFields } from "../../src/graphql/guards/require-guards.js";
import { applyAuthDirectives } from "../../src/graphql/guards/schema-first.js";
import { printApiSchema } from "../../src/graphql/print-schema.js";
import { createSchema } from "../../src/graphql/schema.js";
import { startTestApi, type TestApi } from "../support/api.js";
import { createAccount } from "../support/accounts.js";

const typeDefs = /* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  type Invoice { id: ID! amount: Int! }
  type Report @authorized(roles: ["ADMIN"]) { total: Int! }
  type Query {
    hello: String! @public
    myInvoices: [Invoice!]! @authorized
    adminReport: Report! @authorized
    payroll: Int! @authorized(roles: ["ADMIN"])
    fedMe: String! @authenticated
    fedBilling: Int! @requiresScopes(scopes: [["BILLING"], ["ADMIN"]])
  }
`;

const NO_CLIENT = { ipAddress: null, userAgent: null };

const resolvers = {
  Query: {
    hello: () => "hi",
    myInvoices: () => [{ id: "1", amount: 42 }],
    adminReport: () => ({ total: 7 }),
    payroll: () => 1000,
    fedMe: () => "me",
    fedBilling: () => 5,
  },
};

let api: TestApi;
beforeAll(async () => {
  const schema = applyAuthDirectives(makeExecutableSchema({ typeDefs: [authDirectiveTypeDefs, typeDefs], resolvers }));
  api = await startTestApi({ SESSION_LIMIT: "0" }, undefined, schema);
});
afterAll(async () => {
  await api?.close();
});

async function ask(query: string, token?: string) {
  const res = await fetch(api.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: Record<string, unknown> }> };
  return { status: res.status, data: body.data, extensions: body.errors?.[0]?.extensions, wwwAuthenticate: res.headers.get("www-authenticate") };
}

/** Logs in through the auth core (this schema-first server serves no login of its own). */
async function signIn(roles: string[] = []) {
  const { creds } = await createAccount(api, { roles });
  return api.app.auth.login({ login: creds.email, password: creds.password }, NO_CLIENT);
}

async function session(roles: string[] = []) {
  return (await signIn(roles)).accessToken;
}

describe("schema-first @authorized", () => {
  test("a @public field answers without a token", async () => {
    expect(await ask("{ hello }")).toMatchObject({ status: 200, data: { hello: "hi" } });
  });

  test("a guarded field is 401 TOKEN_MISSING without a token", async () => {
    const res = await ask("{ myInvoices { id } }");
    expect(res).toMatchObject({ status: 401, extensions: { code: "UNAUTHENTICATED", reason: "TOKEN_MISSING" }, wwwAuthenticate: "Bearer" });
  });

  test("a guarded field answers an authenticated caller, and is 401 SESSION_ENDED after that session logs out", async () => {
    const result = await signIn();
    const token = result.accessToken;
    expect(await ask("{ myInvoices { id amount } }", token)).toMatchObject({ status: 200, data: { myInvoices: [{ id: "1", amount: 42 }] } });
    await api.app.auth.logout({ user: result.user, session: result.session }, NO_CLIENT);
    const res = await ask("{ myInvoices { id } }", token);
    expect(res).toMatchObject({ status: 401, extensions: { code: "UNAUTHENTICATED", reason: "SESSION_ENDED", sessionStatus: "LOGGED_OUT" } });
  });

  test("a role-guarded field is 403 ROLE_REQUIRED without the role and answers with it", async () => {
    expect(await ask("{ payroll }", await session())).toMatchObject({ status: 403, extensions: { code: "FORBIDDEN", reason: "ROLE_REQUIRED" } });
    expect(await ask("{ payroll }", await session(["ADMIN"]))).toMatchObject({ status: 200, data: { payroll: 1000 } });
  });

  test("@authorized on an object type guards each of its fields", async () => {
    const plain = await ask("{ adminReport { total } }", await session());
    expect(plain.extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_REQUIRED" });
    expect(await ask("{ adminReport { total } }", await session(["ADMIN"]))).toMatchObject({ status: 200, data: { adminReport: { total: 7 } } });
  });

  test("Federation's @authenticated and @requiresScopes work as aliases (scopes are roles, any one set suffices)", async () => {
    expect((await ask("{ fedMe }")).extensions).toMatchObject({ reason: "TOKEN_MISSING" });
    expect(await ask("{ fedMe }", await session())).toMatchObject({ data: { fedMe: "me" } });
    expect((await ask("{ fedBilling }", await session())).extensions).toMatchObject({ reason: "ROLE_REQUIRED" });
    expect(await ask("{ fedBilling }", await session(["BILLING"]))).toMatchObject({ data: { fedBilling: 5 } });
    expect(await ask("{ fedBilling }", await session(["ADMIN"]))).toMatchObject({ data: { fedBilling: 5 } });
  });

  test("a disabled account is 401 ACCOUNT_UNAVAILABLE on the very next request", async () => {
    const { user, accessToken } = await signIn();
    await api.app.auth.disableUser(CLI_ACTOR, user.id, NO_CLIENT);
    expect((await ask("{ myInvoices { id } }", accessToken)).extensions).toMatchObject({ reason: "ACCOUNT_UNAVAILABLE" });
  });
});

describe("secure by default", () => {
  const unguarded = () =>
    applyAuthDirectives(
      makeExecutableSchema({
        typeDefs: [authDirectiveTypeDefs, "type Query { ok: Int @public open: Int } type Mutation { change: Int closed: Int @authorized }"],
      }),
      { requireGuards: false },
    );

  test("applyAuthDirectives() refuses such a schema itself unless told otherwise", () => {
    const sdl = [authDirectiveTypeDefs, "type Query { ok: Int @public open: Int }"];
    expect(() => applyAuthDirectives(makeExecutableSchema({ typeDefs: sdl }))).toThrow(/no guard: Query\.open\./);
  });

  test("start-up refuses a schema whose root fields carry no guard, naming them", async () => {
    await expect(startTestApi({}, api.databaseUrl, unguarded())).rejects.toThrow(/Query\.open, Mutation\.change/);
  });

  test("GRAPHQL_REQUIRE_GUARDS=false serves it anyway", async () => {
    const lax = await startTestApi({ GRAPHQL_REQUIRE_GUARDS: "false" }, api.databaseUrl, unguarded());
    await lax.close();
  });

  test("the code-first check sees @Authorized and @Public, and names a resolver with neither", async () => {
    @ObjectType()
    class Greeting {
      @Field(() => String)
      text!: string;
    }
    @Resolver()
    class ForgottenResolver {
      @Query(() => Greeting)
      forgottenGreeting(): Greeting {
        return { text: "hi" };
      }
    }
    expect(findUnguardedRootFields(await createSchema())).toEqual([]);
    expect(findUnguardedRootFields(await createSchema([ForgottenResolver]))).toEqual(["Query.forgottenGreeting"]);
  });
});

test("the printed schema shows every guard: @authorized on protected fields, @public on the open operations", async () => {
  const document = parse(await printApiSchema());
  const roots = document.definitions.flatMap((definition) =>
    definition.kind === "ObjectTypeDefinition" && ["Query", "Mutation"].includes(definition.name.value) ? (definition.fields ?? []) : [],
  );
  const guards = Object.fromEntries(roots.map((field) => [field.name.value, field.directives?.map((d) => d.name.value).join(",")]));
  expect(guards).toMatchObject({ me: "authorized", user: "authorized", logout: "authorized", signUp: "public", login: "public", renewToken: "public" });
  expect(await printApiSchema()).toContain('user(id: ID!): User @authorized(roles: ["ADMIN"])');
});
