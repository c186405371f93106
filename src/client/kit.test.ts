import { build } from "esbuild";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, parse, type GraphQLObjectType, type OperationDefinitionNode } from "graphql";
import { describe, expect, test } from "vitest";
import { authActionFor } from "./auth-errors.js";
import { LoginDocument, MeDocument, RenewTokenDocument } from "./generated/graphql.js";
import { isPublicOperation } from "./public-operations.js";

/** @see issue 14 — the client kit's surface: documents for every operation, browser-safe bundle. */

const root = path.resolve(import.meta.dirname, "../..");

describe("typed documents", () => {
  test("every root field of schema.graphql has a typed document in src/client/operations", () => {
    const schema = buildSchema(readFileSync(path.join(root, "schema.graphql"), "utf8"));
    const rootTypes = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t): t is GraphQLObjectType => Boolean(t));
    const fields = rootTypes.flatMap((type) => Object.keys(type.getFields()));
    const folder = path.join(root, "src/client/operations");
    const used = new Set<string>();
    for (const file of readdirSync(folder)) {
      for (const definition of parse(readFileSync(path.join(folder, file), "utf8")).definitions) {
        if (definition.kind !== "OperationDefinition") continue;
        for (const selection of (definition as OperationDefinitionNode).selectionSet.selections) {
          if (selection.kind === "Field") used.add(selection.name.value);
        }
      }
    }
    expect(fields.filter((field) => !used.has(field))).toEqual([]);
  });

  test("sign-in operations go out without a token, everything else with one", () => {
    expect(isPublicOperation(LoginDocument)).toBe(true);
    expect(isPublicOperation(RenewTokenDocument)).toBe(true);
    expect(isPublicOperation(MeDocument)).toBe(false);
  });
});

describe("error reasons", () => {
  test("expired or unreadable tokens mean renew; an ended session or refused refresh token means signed out", () => {
    const error = (reason?: string, sessionStatus?: string) => [{ message: "x", extensions: { code: "UNAUTHENTICATED", reason, sessionStatus } }];
    expect(authActionFor(error("TOKEN_EXPIRED"))).toEqual({ action: "renew" });
    expect(authActionFor(error("TOKEN_INVALID"))).toEqual({ action: "renew" });
    expect(authActionFor(error())).toEqual({ action: "renew" });
    expect(authActionFor(error("SESSION_ENDED", "REVOKED"))).toEqual({ action: "signOut", reason: "SESSION_ENDED", sessionStatus: "REVOKED" });
    expect(authActionFor(error("REFRESH_TOKEN_REUSED"))).toEqual({ action: "signOut", reason: "REFRESH_TOKEN_REUSED", sessionStatus: null });
    expect(authActionFor(error("INVALID_CREDENTIALS"))).toBeNull();
    expect(authActionFor([{ message: "x", extensions: { code: "FORBIDDEN", reason: "NOT_OWNER" } }])).toBeNull();
  });
});

describe("browser bundle", () => {
  test("the client entries bundle for the browser without server code or Node built-ins", async () => {
    const result = await build({
      entryPoints: [path.join(root, "src/client/index.ts"), path.join(root, "src/client/apollo.ts")],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      minify: true,
      write: false,
      outdir: "out",
      metafile: true,
      logLevel: "silent",
    });
    const ours = Object.keys(result.metafile.inputs).filter((input) => !input.includes("node_modules/"));
    const serverSide = ours.filter((input) => !input.startsWith("src/client/") && input !== "src/auth/error-reasons.ts");
    expect(serverSide).toEqual([]);
    expect(Object.keys(result.metafile.inputs).filter((input) => input.startsWith("node:"))).toEqual([]);
  });
});
