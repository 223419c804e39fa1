export interface PlotPoint {
  readonly id: string;
  readonly label: string;
  readonly lat: number;
  readonly lon: number;
  readonly kind: "rider" | "target" | "center";
}

const W = 560;
const H = 360;
const PAD = 36;
const KM_PER_DEG_LAT = 111.32;

/**
 * Positions drawn locally as SVG, no map tiles (the platform runs without internet): an
 * equirectangular projection around the points' middle, scaled alike on both axes, with a km grid.
 */
export function Plot({ points, title }: { points: readonly PlotPoint[]; title: string }) {
  if (points.length === 0) return null;
  const lat0 = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const lon0 = points.reduce((s, p) => s + p.lon, 0) / points.length;
  const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180);
  const xy = points.map((p) => ({ p, x: (p.lon - lon0) * kmPerDegLon, y: (p.lat - lat0) * KM_PER_DEG_LAT }));
  const spanKm = Math.max(0.5, ...xy.map((q) => Math.abs(q.x) * 2), ...xy.map((q) => Math.abs(q.y) * 2 * (W / H)));
  const scale = (W - 2 * PAD) / spanKm;
  const sx = (x: number) => W / 2 + x * scale;
  const sy = (y: number) => H / 2 - y * scale;
  const step = niceStep(spanKm / 6);
  const lines: number[] = [];
  for (let k = -Math.ceil(spanKm / step); k <= Math.ceil(spanKm / step); k++) lines.push(k * step);
  return (
    <svg
      className="plot"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${title}: ${points.map((p) => p.label).join(", ")}`}
    >
      <title>{title}</title>
      <rect x={0} y={0} width={W} height={H} className="plot-bg" />
      {lines.map((k) => (
        <g key={k} className="plot-grid">
          <line x1={sx(k)} x2={sx(k)} y1={0} y2={H} />
          <line x1={0} x2={W} y1={sy(k)} y2={sy(k)} />
        </g>
      ))}
      <g className="plot-scale">
        <line x1={PAD} x2={PAD + step * scale} y1={H - 14} y2={H - 14} />
        <text x={PAD} y={H - 20}>
          {step >= 1 ? `${step} km` : `${Math.round(step * 1000)} m`}
        </text>
      </g>
      {xy.map(({ p, x, y }) => (
        <g
          key={p.id}
          className={`plot-point plot-${p.kind}`}
          transform={`translate(${sx(x).toFixed(1)} ${sy(y).toFixed(1)})`}
        >
          <title>{`${p.label}: ${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`}</title>
          {p.kind === "target" ? (
            <rect x={-6} y={-6} width={12} height={12} />
          ) : p.kind === "center" ? (
            <path d="M-7 0H7M0 -7V7" />
          ) : (
            <circle r={6} />
          )}
          <text x={9} y={4}>
            {p.label}
          </text>
        </g>
      ))}
    </svg>
  );
}

function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(raw));
  const n = raw / pow;
  return (n < 1.5 ? 1 : n < 3.5 ? 2 : n < 7.5 ? 5 : 10) * pow;
}
