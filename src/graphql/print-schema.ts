import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { createSchema } from "./schema.js";

/** The SDL committed as schema.graphql: what clients and codegen read, with every guard shown. */
export async function printApiSchema(): Promise<string> {
  const header = "# Generated from the type-graphql classes by `npm run schema`. Do not edit by hand.\n\n";
  return `${header + printSchemaWithDirectives(await createSchema())}\n`;
}
