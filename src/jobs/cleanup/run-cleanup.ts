import type { Shared } from "../../shared";
import type { CleanupStep } from "./steps";

/** The most one cron invocation does; what is left waits for the next run. */
export interface CleanupBudget {
  /** Rows per statement. */
  batchSize: number;
  /** Statements per run, across every step (D1 allows 50 queries per invocation on the free plan). */
  maxBatches: number;
}

export interface StepReport {
  step: string;
  rows: number;
  batches: number;
  /** Nothing due is left (the last batch came back short). */
  done: boolean;
  error?: string;
}

export interface CleanupReport {
  outcome: "complete" | "partial" | "failed";
  rows: number;
  batches: number;
  steps: StepReport[];
}

/**
 * Runs the steps round robin, one batch per step per turn, until each is done or the budget is
 * spent, so one huge backlog cannot starve the other steps and a million due rows spread over
 * several runs instead of one invocation that hits the platform's limits. A failing step is
 * logged and skipped; the others go on. Each step logs one line and adds its rows to
 * `tokens_cleanup_rows_total{step}`; the run logs a summary and counts `tokens_cleanup_runs_total`.
 */
export async function runCleanup(
  services: Pick<Shared, "db" | "clock" | "logger" | "metrics">,
  steps: readonly CleanupStep[],
  budget: CleanupBudget,
): Promise<CleanupReport> {
  const now = services.clock.now().getTime();
  const started = Date.now();
  const reports = steps.map((step): StepReport & { run: CleanupStep } => ({
    run: step,
    step: step.name,
    rows: 0,
    batches: 0,
    done: false,
  }));
  let batches = 0;
  for (;;) {
    const pending = reports.filter((report) => !report.done && report.error === undefined);
    if (pending.length === 0 || batches >= budget.maxBatches) break;
    for (const report of pending) {
      if (batches >= budget.maxBatches) break;
      batches += 1;
      report.batches += 1;
      try {
        const changed = await report.run.runBatch(services.db, now, budget.batchSize);
        report.rows += changed;
        report.done = changed < budget.batchSize;
      } catch (error) {
        report.error = error instanceof Error ? error.message : String(error);
        services.logger.error("cleanup step failed", { step: report.step, error });
      }
    }
  }
  const stepReports = reports.map(({ run: _, ...report }) => report);
  for (const report of stepReports) {
    services.metrics.increment("tokens_cleanup_rows_total", { step: report.step }, report.rows);
    services.logger.info("cleanup step", { ...report });
  }
  const outcome = stepReports.some((report) => report.error !== undefined)
    ? "failed"
    : stepReports.every((report) => report.done)
      ? "complete"
      : "partial";
  services.metrics.increment("tokens_cleanup_runs_total", { outcome });
  const rows = stepReports.reduce((sum, report) => sum + report.rows, 0);
  services.logger.info("cleanup run", { outcome, rows, batches, durationMs: Date.now() - started });
  return { outcome, rows, batches, steps: stepReports };
}
