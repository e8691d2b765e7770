/**
 * uPlot in a Preact component: created once per options object, fed new data in place (live updates do not rebuild
 * the chart), resized with its container (phone widths too), destroyed on unmount.
 * @module
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartProps {
  readonly options: Omit<uPlot.Options, "width" | "height"> & { height?: number };
  readonly data: uPlot.AlignedData;
  readonly label: string;
  readonly testId?: string;
}

export function Chart({ options, data, label, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const width = Math.max(280, el.clientWidth);
    const u = new uPlot({ ...options, width, height: options.height ?? 260 } as uPlot.Options, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(280, el.clientWidth);
      if (Math.abs(w - u.width) > 2) u.setSize({ width: w, height: options.height ?? 260 });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [options]);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid={testId} />;
}

/** A uPlot plugin drawing vertical marker lines with labels at x values (parameter versions, breaches). */
export function markersPlugin(markers: () => readonly { x: number; label: string; color: string }[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const { top, height } = u.bbox;
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          for (const m of markers()) {
            const x = Math.round(u.valToPos(m.x, "x", true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.strokeStyle = m.color;
            ctx.fillStyle = m.color;
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.fillText(m.label, x + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

/** Horizontal lines at y values (thresholds), on the scale `scale`. */
export function levelsPlugin(levels: () => readonly { y: number; label: string; color: string }[], scale = "y"): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const { left, width } = u.bbox;
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          for (const l of levels()) {
            const y = Math.round(u.valToPos(l.y, scale, true));
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
            ctx.strokeStyle = l.color;
            ctx.fillStyle = l.color;
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(left, y);
            ctx.lineTo(left + width, y);
            ctx.stroke();
            ctx.fillText(l.label, left + 4 * devicePixelRatio, y - 3 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

export const COLORS = { equity: "#1f6feb", im: "#bf8700", mm: "#cf222e", ratio: "#8250df", warning: "#d4a72c", marginCall: "#e16f24", liquidation: "#cf222e", param: "#57606a" };
