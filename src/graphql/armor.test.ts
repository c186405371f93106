import { ApolloServer } from "@apollo/server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { rejectNulCharacters } from "./armor.js";
import { operationChecksPlugin } from "./operation-checks.js";

// A tiny schema is enough: the plugin looks only at the request's document and variables.
let server: ApolloServer;
beforeAll(async () => {
  server = new ApolloServer({
    typeDefs: "type Query { echo(text: String): String }",
    resolvers: { Query: { echo: (_: unknown, args: { text?: string }) => args.text ?? null } },
    plugins: [operationChecksPlugin([rejectNulCharacters])],
  });
  await server.start();
});
afterAll(async () => {
  await server?.stop();
});

async function codeOf(query: string, variables?: Record<string, unknown>): Promise<string | null> {
  const { body } = await server.executeOperation({ query, variables });
  if (body.kind !== "single") throw new Error("expected a single result");
  return (body.singleResult.errors?.[0]?.extensions?.code as string | undefined) ?? null;
}

/** @see issue 17: the literal check is remembered per cached document, and must still refuse every time. */
test("rejectNulCharacters refuses a NUL literal on every request of the same (cached) document", async () => {
  const query = 'query { echo(text: "a\\u0000b") }';
  expect(await codeOf(query)).toBe("BAD_USER_INPUT");
  expect(await codeOf(query)).toBe("BAD_USER_INPUT");
});

test("rejectNulCharacters checks variables on every request, whatever it remembers of the document", async () => {
  const query = "query Echo($text: String) { echo(text: $text) }";
  expect(await codeOf(query, { text: "fine" })).toBeNull();
  expect(await codeOf(query, { text: "x\u0000y" })).toBe("BAD_USER_INPUT");
  expect(await codeOf(query, { text: "fine again" })).toBeNull();
});

test("rejectNulCharacters refuses a NUL in a nested variable value or key", async () => {
  const query = "query Echo($text: String) { echo(text: $text) }";
  // extra variables are not validated against the operation, but they are still checked
  expect(await codeOf(query, { text: "ok", extra: { list: ["a", "b\u0000"] } })).toBe("BAD_USER_INPUT");
  expect(await codeOf(query, { text: "ok", extra: { "k\u0000": 1 } })).toBe("BAD_USER_INPUT");
});
