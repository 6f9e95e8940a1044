// Prisma CLI configuration. `generate` needs no database; the migrate commands of the Prisma CLI
// (on machines that have its schema engine) read DATABASE_URL. The server applies migrations
// itself (src/db/migrate.ts), recording them in the same `_prisma_migrations` ledger.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
