/** A strict-enough check of the Prometheus text exposition format (0.0.4), for asserting what /metrics serves. */

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:\\\\.|[^"\\\\\\n])*"';
// Prometheus parses values with Go's strconv.ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
const VALUE = '(?:[Nn][Aa][Nn]|[+-]?[Ii][Nn][Ff](?:[Ii][Nn][Ii][Tt][Yy])?|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
export const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? ${VALUE}(?: -?\\d+)?$`);
const HELP_LINE = new RegExp(`^# HELP ${NAME} .*$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

export interface ParsedExposition {
  /** Metric family names declared with # TYPE, in order. */
  families: string[];
  /** Sample names (with _bucket/_sum/_count suffixes as written). */
  samples: Set<string>;
  /** Lines that are neither valid samples nor comments. */
  invalid: string[];
  /** Families declared more than once (would make Prometheus reject the scrape). */
  duplicateFamilies: string[];
}

export function parseExposition(text: string): ParsedExposition {
  const families: string[] = [];
  const samples = new Set<string>();
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = TYPE_LINE.exec(line);
      if (type) families.push(type[1]);
      else if (line.startsWith('# HELP') && !HELP_LINE.test(line)) invalid.push(line);
      else if (line.startsWith('# TYPE')) invalid.push(line);
      continue;
    }
    const m = SAMPLE_LINE.exec(line);
    if (m) samples.add(m[1]);
    else invalid.push(line);
  }
  const seen = new Set<string>();
  const duplicateFamilies = families.filter((f) => (seen.has(f) ? true : (seen.add(f), false)));
  return { families, samples, invalid, duplicateFamilies };
}
