import type { Config } from "../../config";

/**
 * The `tenant` label of the tenant metrics: the slug when the operator lists it in
 * `METRICS_TENANTS` (at most 20), otherwise `other`. A slug a client sends never becomes a label
 * by itself, so the number of series stays bounded whatever the number of tenants or attempts.
 */
export function tenantLabel(config: Pick<Config, "metrics">, slug: string | undefined): string {
  return slug !== undefined && config.metrics.tenants.includes(slug) ? slug : "other";
}
