/** One sample line of the Prometheus text format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  readonly help: string;
  readonly samples: PromSample[];
}

export interface PromScrape {
  readonly families: ReadonlyMap<string, PromFamily>;
  /** The value of the sample `name` whose labels include `labels`; undefined when none matches. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** The sum over every sample `name` whose labels include `labels` (0 when none matches). */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

// As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case; prom-client writes "Nan".
function parseValue(text: string, line: number): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value "${text}"`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` from `text` at `start`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (text[i] === "}") return { labels, end: i + 1 };
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`line ${line}: label without "="`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name "${name}"`);
    if (name in labels) throw new Error(`line ${line}: label "${name}" twice`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value of "${name}" not quoted`);
    let value = "";
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\\") {
        const next = text[++j];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else throw new Error(`line ${line}: bad escape "\\${next ?? ""}"`);
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`line ${line}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") throw new Error(`line ${line}: expected "," or "}" after label "${name}"`);
  }
}

const matches = (sample: PromSample, labels: Readonly<Record<string, string>>): boolean =>
  Object.entries(labels).every(([k, v]) => sample.labels[k] === v);

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every sample belongs
 * to a family declared by `# TYPE` before it, names and labels are well formed, histogram buckets
 * are cumulative and end with `le="+Inf"` equal to `_count`. Throws on the first violation.
 */
export function parsePrometheusText(text: string): PromScrape {
  const families = new Map<string, PromFamily & { samples: PromSample[] }>();
  const helps = new Map<string, string>();
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error("the exposition must end with a newline");
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === "") return;
    if (raw.startsWith("#")) {
      const [, keyword, name, ...rest] = raw.split(" ");
      if (keyword === "HELP" || keyword === "TYPE") {
        if (!name || !METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name in ${keyword}`);
        if (keyword === "HELP") helps.set(name, rest.join(" "));
        else {
          const type = rest.join(" ");
          if (!TYPES.has(type)) throw new Error(`line ${line}: unknown type "${type}"`);
          if (families.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
          families.set(name, { name, type: type as PromFamily["type"], help: helps.get(name) ?? "", samples: [] });
        }
      }
      return;
    }
    const brace = raw.indexOf("{");
    const space = raw.indexOf(" ");
    const nameEnd = brace >= 0 && brace < space ? brace : space;
    if (nameEnd <= 0) throw new Error(`line ${line}: not a sample: ${raw}`);
    const name = raw.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name "${name}"`);
    const { labels, end } = raw[nameEnd] === "{" ? parseLabels(raw, nameEnd, line) : { labels: {}, end: nameEnd };
    const fields = raw.slice(end).trim().split(" ");
    if (raw[end] !== " " || fields.length < 1 || fields.length > 2)
      throw new Error(`line ${line}: expected "<value> [timestamp]" after ${name}`);
    const value = parseValue(fields[0] ?? "", line);
    const family = [...families.values()].find(
      (f) =>
        f.name === name || (SUFFIXES[f.type] ?? []).some((suffix) => suffix !== "" && `${f.name}${suffix}` === name),
    );
    if (!family) throw new Error(`line ${line}: sample ${name} has no # TYPE before it`);
    if (family.type === "histogram" && name.endsWith("_bucket") && labels.le === undefined)
      throw new Error(`line ${line}: bucket without le`);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  const select = (name: string, labels: Readonly<Record<string, string>>) =>
    [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === name && matches(s, labels));
  return {
    families,
    value: (name, labels = {}) => select(name, labels)[0]?.value,
    sum: (name, labels = {}) => select(name, labels).reduce((total, s) => total + s.value, 0),
  };
}

function checkHistogram(family: PromFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  const keyOf = (labels: Readonly<Record<string, string>>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== "le")
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  for (const s of family.samples) {
    const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
    series.set(keyOf(s.labels), entry);
    if (s.name.endsWith("_bucket"))
      entry.buckets.push([s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), s.value]);
    if (s.name.endsWith("_count")) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    const at = `${family.name}${key}`;
    if (buckets.at(-1)?.[0] !== Infinity) throw new Error(`${at}: no le="+Inf" bucket last`);
    buckets.forEach(([le, n], i) => {
      const prev = buckets[i - 1];
      if (prev && (prev[0] >= le || prev[1] > n)) throw new Error(`${at}: buckets not increasing at le=${le}`);
    });
    if (count !== buckets.at(-1)?.[1]) throw new Error(`${at}: _count ${count} differs from the +Inf bucket`);
  }
}
