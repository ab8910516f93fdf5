import type { UsageDay, UsageSeries } from "./console-repository";

/** How each series is drawn: colour, dash pattern and marker, so it reads without colour too. */
export const SERIES_STYLE: Record<
  UsageSeries,
  { label: string; color: string; dash: string; marker: Marker }
> = {
  created: { label: "Criados", color: "#1f4fb5", dash: "", marker: "circle" },
  used: { label: "Usados", color: "#1e6b34", dash: "8 4", marker: "square" },
  revoked: { label: "Revogados", color: "#a3261b", dash: "2 3", marker: "triangle" },
  validation_failed: { label: "Falhas de validação", color: "#6b3fa0", dash: "10 3 2 3", marker: "diamond" },
};

type Marker = "circle" | "square" | "triangle" | "diamond";

const WIDTH = 600;
const HEIGHT = 320;
const MARGIN = { top: 16, right: 24, bottom: 40, left: 44 };

/** The smallest "round" number at or above `value` (1, 2, 5 × 10ⁿ), for the y axis's top. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function MarkerShape({ kind, x, y, color }: { kind: Marker; x: number; y: number; color: string }) {
  const r = 3.5;
  switch (kind) {
    case "circle":
      return <circle cx={x} cy={y} r={r} fill={color} />;
    case "square":
      return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} fill={color} />;
    case "triangle":
      return (
        <polygon points={`${x},${y - r - 1} ${x - r - 1},${y + r} ${x + r + 1},${y + r}`} fill={color} />
      );
    case "diamond":
      return (
        <polygon
          points={`${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}`}
          fill={color}
        />
      );
  }
}

/** A sample of a series' line and marker, for the legend. */
export function LegendSample({ series }: { series: UsageSeries }) {
  const style = SERIES_STYLE[series];
  return (
    <svg viewBox="0 0 28 14" aria-hidden="true" focusable="false">
      <line
        x1="0"
        y1="7"
        x2="28"
        y2="7"
        stroke={style.color}
        stroke-width="2"
        stroke-dasharray={style.dash || undefined}
      />
      <MarkerShape kind={style.marker} x={14} y={7} color={style.color} />
    </svg>
  );
}

/**
 * The usage chart, drawn on the server as SVG (no library, no script): one line per series over
 * the days, each with its own dash pattern and marker. Described for screen readers by its title
 * and by the data table the page puts beside it.
 */
export function UsageChart({ days, series }: { days: UsageDay[]; series: readonly UsageSeries[] }) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = niceCeiling(Math.max(0, ...days.flatMap((day) => series.map((name) => day.counts[name]))));
  const x = (index: number) => MARGIN.left + (days.length <= 1 ? 0 : (index * plotWidth) / (days.length - 1));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const ticks = [0, top / 2, top].filter(
    (tick, index, all) => Number.isInteger(tick) && all.indexOf(tick) === index,
  );
  const totals = series.map(
    (name) => `${SERIES_STYLE[name].label}: ${days.reduce((sum, day) => sum + day.counts[name], 0)}`,
  );
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby="grafico-titulo grafico-resumo"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id="grafico-titulo">Convites por dia nos últimos {days.length} dias</title>
      <desc id="grafico-resumo">
        Totais do período: {totals.join("; ")}. Os valores de cada dia estão na tabela ao lado.
      </desc>
      {ticks.map((tick) => (
        <g>
          <line
            x1={MARGIN.left}
            x2={WIDTH - MARGIN.right}
            y1={y(tick)}
            y2={y(tick)}
            stroke="#c8d0db"
            stroke-width="1"
          />
          <text x={MARGIN.left - 8} y={y(tick) + 4} text-anchor="end" font-size="14" fill="#4a5566">
            {tick}
          </text>
        </g>
      ))}
      {days.map((day, index) =>
        (days.length - 1 - index) % 7 === 0 ? (
          <text
            x={x(index)}
            y={HEIGHT - MARGIN.bottom + 18}
            text-anchor="middle"
            font-size="14"
            fill="#4a5566"
          >
            {day.day.slice(8, 10)}/{day.day.slice(5, 7)}
          </text>
        ) : null,
      )}
      {series.map((name) => {
        const style = SERIES_STYLE[name];
        const points = days
          .map((day, index) => `${x(index).toFixed(1)},${y(day.counts[name]).toFixed(1)}`)
          .join(" ");
        return (
          <g>
            <polyline
              points={points}
              fill="none"
              stroke={style.color}
              stroke-width="2"
              stroke-dasharray={style.dash || undefined}
            />
            {days.map((day, index) =>
              day.counts[name] > 0 ? (
                <MarkerShape kind={style.marker} x={x(index)} y={y(day.counts[name])} color={style.color} />
              ) : null,
            )}
          </g>
        );
      })}
    </svg>
  );
}
