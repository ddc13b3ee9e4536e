/**
 * `{{column}}` / `{{column|default text}}` placeholders in recordings, filled from one CSV row.
 *
 * Pure and free of Node built-ins on purpose: workflow code (Temporal's deterministic sandbox)
 * resolves templates per row, so nothing here may do I/O or depend on the host.
 */
import { InputError } from './input-error';
import type { RowValues, UserFlow } from './types';

export interface TemplateVariable {
  name: string;
  /** True only if every reference carries an inline default, i.e. the column is truly optional. */
  hasDefault: boolean;
}

/**
 * Name: anything but braces and the pipe, so CSV headers with spaces ("First Name") work.
 * Default: anything but braces. Both are trimmed, so `{{ name | Bob }}` means name / "Bob".
 * An empty `{{ }}` is not a placeholder and stays literal.
 * Created per call because a shared /g regex carries lastIndex state between uses.
 */
const placeholderRegex = () => /\{\{\s*([^{}|\s][^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

interface Placeholder {
  name: string;
  /** undefined when no `|` was written; `{{x|}}` has the empty string as its default. */
  inlineDefault: string | undefined;
}

function placeholdersIn(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of text.matchAll(placeholderRegex())) {
    found.push({ name: m[1], inlineDefault: m[2] });
  }
  return found;
}

/** Visits every string value (not object keys) anywhere inside `value`, with its path. */
function forEachString(value: unknown, visit: (s: string, path: string) => void, path = ''): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, visit, `${path}[${i}]`));
  else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) forEachString(v, visit, path ? `${path}.${k}` : k);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own-property lookup, so a column called `constructor` or `__proto__` cannot hit Object.prototype. */
function lookup(map: Record<string, string> | undefined, name: string): string | undefined {
  return map && Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
}

/** Where a string sits in a flow, naming the step's type: `steps[3] (navigate).url`. */
function forEachFlowString(flow: UserFlow, visit: (s: string, where: string) => void): void {
  visit(flow.title, 'title');
  flow.steps.forEach((step, i) => forEachString(step, (s, path) => visit(s, `steps[${i}] (${step.type}).${path}`)));
}

/**
 * Every `{{` that does not open a well-formed placeholder (unclosed `{{path`, empty `{{}}`, a brace inside):
 * left alone it would run as literal text, which is never what the author meant.
 */
export function malformedPlaceholders(flow: UserFlow): string[] {
  const problems: string[] = [];
  forEachFlowString(flow, (s, where) => {
    const wellFormed = new RegExp(placeholderRegex().source, 'y');
    for (let at = s.indexOf('{{'); at >= 0; at = s.indexOf('{{', at)) {
      wellFormed.lastIndex = at;
      if (wellFormed.exec(s)) {
        at = wellFormed.lastIndex;
        continue;
      }
      const close = s.indexOf('}}', at + 2);
      const text = close < 0 ? s.slice(at, at + 40) : s.slice(at, close + 2);
      problems.push(
        close < 0
          ? `${where}: unclosed placeholder "${text}" (no closing "}}")`
          : `${where}: malformed placeholder "${text}" (expected {{column}} or {{column|default}})`,
      );
      at += 2;
    }
  });
  return problems;
}

/** Every variable the flow references (title included), unique, in first-seen order. */
export function templateVariables(flow: UserFlow): TemplateVariable[] {
  const byName = new Map<string, TemplateVariable>();
  forEachString(flow, (s) => {
    for (const p of placeholdersIn(s)) {
      const seen = byName.get(p.name);
      const hasDefault = p.inlineDefault !== undefined;
      if (!seen) byName.set(p.name, { name: p.name, hasDefault });
      else seen.hasDefault &&= hasDefault;
    }
  });
  return [...byName.values()];
}

/**
 * Variables that would make some row fail: referenced without an inline default, and neither a
 * CSV column nor a job default. Checked once up front so a bad job fails before any browser starts.
 */
export function missingColumns(flow: UserFlow, headers: string[], defaults: Record<string, string> = {}): string[] {
  const known = new Set(headers);
  return templateVariables(flow)
    .filter((v) => !v.hasDefault && !known.has(v.name) && lookup(defaults, v.name) === undefined)
    .map((v) => v.name);
}

/**
 * Deep copy of `value` with every placeholder replaced. Precedence: the row's value (even when
 * the cell is empty, since an empty cell is how a CSV tests an empty field), then the job
 * default, then the inline default. Substituted text is not re-scanned, so a CSV value that
 * happens to contain `{{...}}` is inserted literally.
 */
export function applyTemplate<T>(value: T, row: RowValues, defaults: Record<string, string> = {}): T {
  const problems: string[] = [];
  const copy = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      return v.replace(placeholderRegex(), (whole, name: string, inlineDefault: string | undefined) => {
        const resolved = lookup(row, name) ?? lookup(defaults, name) ?? inlineDefault;
        if (resolved !== undefined) return resolved;
        problems.push(`${path || '(value)'}: no value for {{${name}}} (not a CSV column, no job default, no inline default)`);
        return whole;
      });
    }
    if (Array.isArray(v)) return v.map((item, i) => copy(item, `${path}[${i}]`));
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        // defineProperty so a `__proto__` key in customStep parameters stays plain data.
        Object.defineProperty(out, k, {
          value: copy(item, path ? `${path}.${k}` : k),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return v;
  };
  const result = copy(value, '') as T;
  if (problems.length > 0) throw new InputError('Unresolved template variables', problems);
  return result;
}
