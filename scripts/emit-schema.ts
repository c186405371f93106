// Writes schema.graphql from the code; test/schema-drift.test.ts fails when the committed file differs.
import { writeFile } from "node:fs/promises";
import { printApiSchema } from "../src/graphql/print-schema.js";

await writeFile(new URL("../schema.graphql", import.meta.url), await printApiSchema());
console.log("schema.graphql written");
