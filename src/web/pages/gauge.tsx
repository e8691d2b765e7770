/**
 * The maintenance ratio (MM / equity) as a gauge with the account's state thresholds (warning, margin call,
 * liquidation): an SVG half dial from 0 to 1.25 × the liquidation threshold (or beyond, when the ratio is), zones
 * coloured by state, the needle at the ratio. A ratio that is not defined (equity ≤ 0 with margin) pins the needle at
 * the end and says so.
 * @module
 */
import type { Thresholds } from "../api";
import { pct } from "../format";

export function Gauge({ ratio, thresholds, state }: { ratio: number | null; thresholds: Thresholds; state: string }) {
  const max = Math.max(thresholds.liquidationRatio * 1.25, ratio !== null ? ratio * 1.05 : 0);
  const angle = (r: number): number => Math.PI * (1 - Math.min(1, Math.max(0, r / max)));
  const pt = (r: number, radius: number): string => `${(100 + radius * Math.cos(angle(r))).toFixed(2)} ${(100 - radius * Math.sin(angle(r))).toFixed(2)}`;
  const arc = (from: number, to: number, cls: string) => <path key={cls} class={cls} d={`M ${pt(from, 80)} A 80 80 0 0 1 ${pt(to, 80)}`} />;
  const needle = ratio === null ? max : ratio;
  const label = `maintenance ratio ${ratio === null ? "not defined (equity ≤ 0)" : pct(ratio)}; warning at ${pct(thresholds.warningRatio)}, margin call at ${pct(thresholds.marginCallRatio)}, liquidation at ${pct(thresholds.liquidationRatio)}`;
  return (
    <figure class="gauge" data-testid="gauge" data-value={ratio ?? undefined}>
      <svg viewBox="0 0 200 120" role="img" aria-label={label}>
        {arc(0, thresholds.warningRatio, "z-healthy")}
        {arc(thresholds.warningRatio, thresholds.marginCallRatio, "z-warning")}
        {arc(thresholds.marginCallRatio, thresholds.liquidationRatio, "z-margin_call")}
        {arc(thresholds.liquidationRatio, max, "z-liquidation")}
        {[thresholds.warningRatio, thresholds.marginCallRatio, thresholds.liquidationRatio].map((t) => (
          <text key={t} class="tick" x={(100 + 94 * Math.cos(angle(t))).toFixed(1)} y={(100 - 94 * Math.sin(angle(t))).toFixed(1)} text-anchor="middle">
            {Math.round(t * 100)}%
          </text>
        ))}
        <line class="needle" x1="100" y1="100" x2={(100 + 70 * Math.cos(angle(needle))).toFixed(2)} y2={(100 - 70 * Math.sin(angle(needle))).toFixed(2)} />
        <circle cx="100" cy="100" r="4" class="hub" />
        <text x="100" y="92" text-anchor="middle" class={`gauge-value h-text-${state}`}>
          {ratio === null ? "n/a" : pct(ratio, 1)}
        </text>
      </svg>
      <figcaption>MM / equity (liquidation at {pct(thresholds.liquidationRatio, 0)})</figcaption>
    </figure>
  );
}
