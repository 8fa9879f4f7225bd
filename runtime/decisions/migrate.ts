// Schema migrations for the decision log, by node-pg-migrate (SQL files in ./migrations,
// tracked in the `vigil_migrations` table under an advisory lock, so several pods starting
// at once apply each migration exactly once).
import path from "node:path";
import { runner } from "node-pg-migrate";
import { PACKAGE_ROOT } from "../paths.js";

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, "runtime/decisions/migrations");
export const MIGRATIONS_TABLE = "vigil_migrations";

export interface MigrationResult {
  applied: string[];
}

export async function migrateDecisionLog(
  databaseUrl: string,
  log: (message: string) => void = () => undefined,
): Promise<MigrationResult> {
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: "up",
    count: Infinity,
    singleTransaction: true,
    checkOrder: true,
    log,
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return { applied: ran.map((m) => m.name) };
}
