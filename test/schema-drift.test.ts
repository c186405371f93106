import { readFile } from "node:fs/promises";
import { expect, test } from "vitest";
import { printApiSchema } from "../src/graphql/print-schema.js";

test("schema.graphql matches the schema built from the code (run `npm run schema` after changing it)", async () => {
  const committed = await readFile(new URL("../schema.graphql", import.meta.url), "utf8");
  expect(committed).toBe(await printApiSchema());
});
