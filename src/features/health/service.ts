import type { Config } from "../../config";
import type { Database } from "../../db";
import { AppError } from "../../platform/errors";
import type { Logger } from "../../platform/logger";

/** Readiness: whether the storage this deployment uses answers. */
export class HealthService {
  constructor(
    private readonly db: Database,
    private readonly config: Pick<Config, "database">,
    private readonly logger: Logger,
  ) {}

  /** The storage in use when it answers; 503 `DEPENDENCY_UNAVAILABLE` when it does not. */
  async ready(): Promise<{ database: Config["database"] }> {
    try {
      await this.db.ping();
    } catch (error) {
      this.logger.warn("readiness check failed", { error });
      throw new AppError("DEPENDENCY_UNAVAILABLE", "The database does not answer");
    }
    return { database: this.config.database };
  }
}
