// `npm run schema:print`: writes schema/schema.graphql from the builder.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { printSdl } from "./schema.ts";

const SCHEMA_FILE = fileURLToPath(new URL("../../schema/schema.graphql", import.meta.url));

writeFileSync(SCHEMA_FILE, printSdl());
console.log(`wrote ${SCHEMA_FILE}`);
