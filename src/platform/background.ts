import type { Logger } from "./logger";

/**
 * Work a request starts but does not wait for, e.g. sending a reset e-mail after the 202 has
 * gone out so the answer's timing cannot tell whether the account exists. The request middleware
 * keeps the Worker alive (`waitUntil`) until `settled()`. (Nothing closes the database: see
 * src/db/postgres.ts for why the PostgreSQL client is never ended.)
 * A failed task is logged, never thrown at the client.
 *
 * @example services.background.defer("send reset e-mail", () => sendIt());
 */
export class BackgroundTasks {
  readonly #pending: Promise<void>[] = [];

  constructor(private readonly logger: Logger) {}

  defer(name: string, task: () => Promise<unknown>): void {
    this.#pending.push(
      Promise.resolve()
        .then(task)
        .then(
          () => undefined,
          (error: unknown) => this.logger.error("background task failed", { task: name, error }),
        ),
    );
  }

  /** Resolves when every task deferred so far has finished (successfully or not). */
  async settled(): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
  }
}
