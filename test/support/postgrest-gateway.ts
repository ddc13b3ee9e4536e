/**
 * A small PostgREST-compatible HTTP gateway (plus a Supabase Storage stand-in) for tests, because
 * neither PostgREST nor the Supabase CLI can be installed here. Point supabase-js at it:
 *
 *   const gw = await startPostgrestGateway({ databaseUrl });
 *   const supabase = createClient(gw.url, 'service-role-key', { auth: { persistSession: false } });
 *
 * SECURITY MODEL: every request runs as the database user of `databaseUrl` (the table owner), i.e.
 * it stands in for the service role. The apikey and Authorization headers are accepted and IGNORED:
 * no JWT verification, no role switching, so RLS policies are not exercised through the gateway
 * (test them in SQL with SET ROLE). Never expose it beyond tests.
 *
 * Implemented (the subset @supabase/postgrest-js 2.x sends), schema "public" only:
 *   GET/HEAD /rest/v1/<table>?select=...&<filters>&order=...&limit=...&offset=...
 *     select: *, columns, alias:column, column::cast, json paths (col->a->>b)
 *     filters: eq neq gt gte lt lte like ilike match imatch in is isdistinct cs cd ov
 *              fts plfts phfts wfts, not.<op>, <op>(any|all), or=(...), and=(...), not.or/not.and
 *     Prefer: count=exact|planned|estimated (all exact) -> Content-Range
 *   POST   /rest/v1/<table>[?columns=..&on_conflict=..]  insert / upsert
 *     Prefer: resolution=merge-duplicates|ignore-duplicates, return=minimal|representation,
 *             missing=default, count=..., tx=rollback
 *   PATCH  /rest/v1/<table>?<filters>   update
 *   DELETE /rest/v1/<table>?<filters>   delete
 *   Accept: application/vnd.pgrst.object+json (single) -> 406 PGRST116 unless exactly one row
 *   Accept: ...;nulls=stripped -> null fields removed
 *   /storage/v1/... -> see storage-endpoint.ts
 *   order= on writes sorts the returned representation.
 * Not implemented (answered with a PostgREST-style 400/404 error): resource embedding
 * (select=a,rel(*)), rpc/, PUT, CSV/GeoJSON/explain output, Range headers, limit/offset on
 * POST/PATCH/DELETE (limited updates), schemas other than public, OpenAPI root.
 *
 * Identifiers from the URL/body are validated against the catalog and quoted; all values are bound
 * parameters. Rows are (de)serialized by PostgreSQL itself (json_populate_record / json_agg), so
 * jsonb columns take objects and type errors surface as PostgreSQL errors. Errors are PostgREST
 * shaped: JSON {code, message, details, hint} with PostgREST's SQLSTATE -> HTTP status mapping
 * (e.g. 23505 -> 409, 22P02 -> 400, 42P01 -> 404).
 *
 * stop() closes the listener and destroys every open socket (clients get connection refused, like
 * Supabase being down); start() listens again on the same port; close() stops and ends the pool.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, PoolClient } from 'pg';
import { createStorageEndpoint, readRequestBody } from './storage-endpoint';

export interface PostgrestGatewayOptions {
  databaseUrl: string;
  /** Port to listen on (127.0.0.1); 0 / undefined picks a free one, kept across stop()/start(). */
  port?: number;
  /** Where storage buckets live; default: a fresh temp dir, removed by close(). */
  storageDir?: string;
}

export interface PostgrestGateway {
  /** Base URL for createClient(), e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  storageDir: string;
  /** Stops listening and destroys open connections (simulates an outage). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** stop() + end the pool (+ remove the default temp storage dir). */
  close(): Promise<void>;
}

const SCHEMA = 'public';

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------
class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

const notImplemented = (what: string) =>
  new GatewayError(400, 'PGRST127', 'Feature not implemented', `${what} is not supported by the test PostgREST gateway`);
const parseError = (message: string, details: string | null = null) => new GatewayError(400, 'PGRST100', message, details);

/** PostgREST's SQLSTATE -> HTTP status mapping. */
function statusForSqlState(code: string): number {
  if (code === '23503' || code === '23505') return 409;
  if (code === '42883' || code === '42P01') return 404;
  if (code === '42501') return 403;
  if (code === '25006') return 405;
  if (code === 'P0001') return 400;
  if (/^(08|53)/.test(code)) return 503;
  if (/^(0L|0P|28)/.test(code)) return 403;
  if (/^(09|25|2D|38|39|3B|40|54|55|57|58|F0|HV|P0|XX)/.test(code) || code === '42P17') return 500;
  return 400;
}

interface PgLikeError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

function errorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof GatewayError) {
    return { status: error.status, body: { code: error.code, details: error.details, hint: error.hint, message: error.message } };
  }
  const pg = error as PgLikeError;
  if (pg && typeof pg.code === 'string' && /^[0-9A-Z]{5}$/.test(pg.code)) {
    return {
      status: statusForSqlState(pg.code),
      body: { code: pg.code, details: pg.detail ?? null, hint: pg.hint ?? null, message: pg.message ?? 'database error' },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Connection problems (ECONNREFUSED, terminated connections, ...): PostgREST answers 503.
  return {
    status: 503,
    body: { code: 'PGRST001', details: message, hint: null, message: 'Database client error. Retrying the connection.' },
  };
}

// ---------------------------------------------------------------------------------------------
// Schema cache
// ---------------------------------------------------------------------------------------------
interface ColumnInfo {
  name: string;
  defaultExpr: string | null;
}

interface TableInfo {
  name: string;
  columns: Map<string, ColumnInfo>;
  primaryKey: string[];
}

async function loadSchema(pool: Pool): Promise<Map<string, TableInfo>> {
  const columns = await pool.query<{ table_name: string; column_name: string; default_expr: string | null }>(
    `SELECT c.relname AS table_name, a.attname AS column_name,
            CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default_expr
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY c.relname, a.attnum`,
    [SCHEMA],
  );
  const keys = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
      WHERE n.nspname = $1 AND i.indisprimary
      ORDER BY c.relname, k.ord`,
    [SCHEMA],
  );
  const tables = new Map<string, TableInfo>();
  for (const row of columns.rows) {
    let table = tables.get(row.table_name);
    if (!table) {
      table = { name: row.table_name, columns: new Map(), primaryKey: [] };
      tables.set(row.table_name, table);
    }
    table.columns.set(row.column_name, { name: row.column_name, defaultExpr: row.default_expr });
  }
  for (const row of keys.rows) tables.get(row.table_name)?.primaryKey.push(row.column_name);
  return tables;
}

// ---------------------------------------------------------------------------------------------
// SQL building helpers
// ---------------------------------------------------------------------------------------------
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (table: TableInfo) => `${ident(SCHEMA)}.${ident(table.name)}`;

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Splits on `sep` outside parentheses and double quotes. */
function splitTopLevel(input: string, sep = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < input.length) current += input[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === sep && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted || depth !== 0) throw parseError('"failed to parse" unbalanced quotes or parentheses', input);
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

function requireColumn(table: TableInfo, name: string): string {
  if (!table.columns.has(name)) {
    throw new GatewayError(400, '42703', `column ${table.name}.${name} does not exist`);
  }
  return name;
}

interface ColumnRef {
  sql: string;
  /** Default output name: the column, or the last json path key. */
  name: string;
}

/** `col`, `col->a->>b`, `col->0` -> SQL with the path keys as parameters. */
function columnRef(table: TableInfo, raw: string, params: Params): ColumnRef {
  const tokens = raw.split(/(->>?)/);
  const column = requireColumn(table, tokens[0]);
  let sql = ident(column);
  let name = column;
  for (let i = 1; i < tokens.length; i += 2) {
    const arrow = tokens[i];
    const key = tokens[i + 1];
    if (key === undefined || key === '') throw parseError('"failed to parse" json path', raw);
    sql = /^-?\d+$/.test(key) ? `(${sql}${arrow}${params.add(Number(key))}::int)` : `(${sql}${arrow}${params.add(key)}::text)`;
    name = key;
  }
  return { sql, name };
}

const CAST = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?$/;

function selectList(table: TableInfo, select: string | null, params: Params): string {
  const items = splitTopLevel(select && select !== '' ? select : '*');
  const out: string[] = [];
  for (const rawItem of items) {
    const item = rawItem.trim();
    if (item === '*') {
      out.push('*');
      continue;
    }
    if (item.includes('(') || item.startsWith('...')) throw notImplemented(`Resource embedding (select=${item})`);
    let alias: string | undefined;
    let rest = item;
    const aliasMatch = /^([^:]+):(?!:)(.+)$/.exec(item);
    if (aliasMatch) {
      alias = unquote(aliasMatch[1]);
      rest = aliasMatch[2];
    }
    let cast: string | undefined;
    const castAt = rest.indexOf('::');
    if (castAt >= 0) {
      cast = rest.slice(castAt + 2);
      rest = rest.slice(0, castAt);
      if (!CAST.test(cast)) throw parseError('"failed to parse select parameter"', item);
    }
    const ref = columnRef(table, unquote(rest), params);
    out.push(`${ref.sql}${cast ? `::${cast}` : ''} AS ${ident(alias ?? ref.name)}`);
  }
  return out.join(', ');
}

const SIMPLE_OPERATORS: Record<string, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'LIKE',
  ilike: 'ILIKE',
  match: '~',
  imatch: '~*',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
  isdistinct: 'IS DISTINCT FROM',
};

const IS_KEYWORDS: Record<string, string> = { null: 'NULL', not_null: 'NOT NULL', true: 'TRUE', false: 'FALSE', unknown: 'UNKNOWN' };

const FTS_FUNCTIONS: Record<string, string> = {
  fts: 'to_tsquery',
  plfts: 'plainto_tsquery',
  phfts: 'phraseto_tsquery',
  wfts: 'websearch_to_tsquery',
};

/** `[not.]op[(any|all)].value` applied to an already-built column SQL. */
function operatorCondition(column: string, expr: string, params: Params, inLogicTree: boolean): string {
  let negate = false;
  let rest = expr;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  if (dot < 0) throw parseError('"failed to parse filter"', expr);
  const opToken = rest.slice(0, dot);
  let value = rest.slice(dot + 1);
  if (inLogicTree) value = unquote(value);
  const match = /^([a-z]+)(?:\(([^)]*)\))?$/.exec(opToken);
  if (!match) throw parseError('"failed to parse filter"', expr);
  const [, op, modifier] = match;

  let condition: string;
  if (op === 'in') {
    if (!value.startsWith('(') || !value.endsWith(')')) throw parseError('"failed to parse filter (in)"', expr);
    const inner = value.slice(1, -1);
    const list = inner === '' ? [] : splitTopLevel(inner).map(unquote);
    condition = list.length === 0 ? 'false' : `${column} = ANY(${params.add(list)})`;
  } else if (op === 'is') {
    const keyword = IS_KEYWORDS[value.toLowerCase()];
    if (!keyword) throw parseError('"failed to parse filter (is)"', expr);
    condition = `${column} IS ${keyword}`;
  } else if (op in FTS_FUNCTIONS) {
    const config = modifier ? `${params.add(modifier)}::regconfig, ` : '';
    condition = `${column} @@ ${FTS_FUNCTIONS[op]}(${config}${params.add(value)})`;
  } else if (op in SIMPLE_OPERATORS) {
    const sqlOp = SIMPLE_OPERATORS[op];
    const patternValue = op === 'like' || op === 'ilike' ? value.replace(/\*/g, '%') : value;
    if (modifier === 'any' || modifier === 'all') {
      if (!['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'].includes(op)) {
        throw parseError('"failed to parse filter"', expr);
      }
      const elementType = ['like', 'ilike', 'match', 'imatch'].includes(op) ? '::text[]' : '';
      condition = `${column} ${sqlOp} ${modifier.toUpperCase()}(${params.add(patternValue)}${elementType})`;
    } else if (modifier !== undefined) {
      throw parseError('"failed to parse filter"', expr);
    } else {
      condition = `${column} ${sqlOp} ${params.add(patternValue)}`;
    }
  } else {
    throw parseError(`"failed to parse filter" unknown operator ${op}`, expr);
  }
  return negate ? `NOT (${condition})` : condition;
}

/** `or=(a.eq.1,and(b.gt.2,c.is.null))` */
function logicTree(table: TableInfo, kind: 'or' | 'and', negate: boolean, value: string, params: Params): string {
  if (!value.startsWith('(') || !value.endsWith(')')) throw parseError('"failed to parse logic tree"', value);
  const items = splitTopLevel(value.slice(1, -1)).map((item) => {
    const nested = /^(not\.)?(or|and)(\(.*\))$/s.exec(item);
    if (nested) return logicTree(table, nested[2] as 'or' | 'and', nested[1] !== undefined, nested[3], params);
    const dot = item.indexOf('.');
    if (dot < 0) throw parseError('"failed to parse logic tree"', item);
    const ref = columnRef(table, item.slice(0, dot), params);
    return operatorCondition(ref.sql, item.slice(dot + 1), params, true);
  });
  const joined = items.length === 0 ? 'true' : `(${items.join(kind === 'or' ? ' OR ' : ' AND ')})`;
  return negate ? `NOT ${joined}` : joined;
}

const RESERVED_QUERY_KEYS = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict']);

function whereClause(table: TableInfo, query: URLSearchParams, params: Params): string {
  const conditions: string[] = [];
  for (const [key, value] of query) {
    if (RESERVED_QUERY_KEYS.has(key)) continue;
    const logic = /^(not\.)?(or|and)$/.exec(key);
    if (logic) {
      conditions.push(logicTree(table, logic[2] as 'or' | 'and', logic[1] !== undefined, value, params));
      continue;
    }
    if (key.includes('.')) throw notImplemented(`Filters on embedded resources (${key})`);
    const ref = columnRef(table, key, params);
    conditions.push(operatorCondition(ref.sql, value, params, false));
  }
  return conditions.length === 0 ? 'true' : conditions.join(' AND ');
}

function orderClause(table: TableInfo, order: string | null, params: Params): string {
  if (!order) return '';
  const terms = splitTopLevel(order).map((term) => {
    const parts = term.split('.');
    const ref = columnRef(table, parts[0], params);
    let sql = ref.sql;
    for (const modifier of parts.slice(1)) {
      if (modifier === 'asc') sql += ' ASC';
      else if (modifier === 'desc') sql += ' DESC';
      else if (modifier === 'nullsfirst') sql += ' NULLS FIRST';
      else if (modifier === 'nullslast') sql += ' NULLS LAST';
      else throw parseError('"failed to parse order"', term);
    }
    return sql;
  });
  return ` ORDER BY ${terms.join(', ')}`;
}

function nonNegativeInt(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw parseError(`"failed to parse ${key} parameter"`, raw);
  return Number(raw);
}

/** Column list from `columns="a","b"` (supabase-js quotes each name). */
function columnsParam(raw: string): string[] {
  return splitTopLevel(raw)
    .map((c) => unquote(c.trim()))
    .filter((c) => c !== '');
}

// ---------------------------------------------------------------------------------------------
// Request handling
// ---------------------------------------------------------------------------------------------
interface Prefer {
  returnRepresentation: boolean;
  resolution?: 'merge' | 'ignore';
  count: boolean;
  missingDefault: boolean;
  rollback: boolean;
}

function parsePrefer(header: string | string[] | undefined): Prefer {
  const values = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  return {
    returnRepresentation: values.includes('return=representation'),
    resolution: values.includes('resolution=merge-duplicates')
      ? 'merge'
      : values.includes('resolution=ignore-duplicates')
        ? 'ignore'
        : undefined,
    count: values.some((v) => /^count=(exact|planned|estimated)$/.test(v)),
    missingDefault: values.includes('missing=default'),
    rollback: values.includes('tx=rollback'),
  };
}

interface Outcome {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

interface AggregateRow {
  body: string;
  n: number;
  first: string | null;
}

function aggregate(inner: string, stripNulls: boolean): string {
  const element = stripNulls ? 'json_strip_nulls(row_to_json(_r))' : '_r';
  return `SELECT coalesce(json_agg(${element}), '[]')::text AS body, count(*)::int AS n, (json_agg(${element}) -> 0)::text AS first FROM (${inner}) AS _r`;
}

const SINGLE_MEDIA = 'application/vnd.pgrst.object+json';

function singleError(n: number): GatewayError {
  return new GatewayError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', `The result contains ${n} rows`);
}

function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') throw new GatewayError(400, 'PGRST102', 'Empty or invalid json');
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new GatewayError(400, 'PGRST102', 'Empty or invalid json', error instanceof Error ? error.message : null);
  }
}

export async function startPostgrestGateway(options: PostgrestGatewayOptions): Promise<PostgrestGateway> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: 10, options: '-c TimeZone=UTC' });
  pool.on('error', () => undefined); // idle client lost (e.g. database dropped): the next checkout reconnects

  const ownsStorageDir = options.storageDir === undefined;
  const storageDir = options.storageDir ?? (await mkdtemp(join(tmpdir(), 'postgrest-gateway-storage-')));
  const storage = createStorageEndpoint({ rootDir: storageDir });

  let schema: Map<string, TableInfo> | undefined;
  let schemaLoading: Promise<Map<string, TableInfo>> | undefined;
  const reloadSchema = async (): Promise<Map<string, TableInfo>> => {
    schemaLoading ??= loadSchema(pool).finally(() => {
      schemaLoading = undefined;
    });
    schema = await schemaLoading;
    return schema;
  };

  async function tableInfo(name: string): Promise<TableInfo> {
    let table = (schema ?? (await reloadSchema())).get(name);
    if (!table) table = (await reloadSchema()).get(name);
    if (!table) {
      throw new GatewayError(404, 'PGRST205', `Could not find the table '${SCHEMA}.${name}' in the schema cache`);
    }
    return table;
  }

  async function runWrite(sql: string, values: unknown[], decide: (row: AggregateRow) => Outcome, rollback: boolean): Promise<Outcome> {
    let client: PoolClient | undefined;
    let broken: Error | undefined;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      try {
        const result = await client.query<AggregateRow>(sql, values);
        const outcome = decide(result.rows[0]);
        await client.query(rollback || outcome.status >= 400 ? 'ROLLBACK' : 'COMMIT');
        return outcome;
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw error;
      }
    } finally {
      client?.release(broken);
    }
  }

  async function handleRest(req: IncomingMessage, tableName: string, query: URLSearchParams, rawBody: string): Promise<Outcome> {
    const method = (req.method ?? 'GET').toUpperCase();
    const profile = req.headers[method === 'GET' || method === 'HEAD' ? 'accept-profile' : 'content-profile'];
    if (typeof profile === 'string' && profile !== '' && profile !== SCHEMA) {
      throw new GatewayError(406, 'PGRST106', `The schema must be one of the following: ${SCHEMA}`);
    }
    const accept = String(req.headers.accept ?? '');
    if (/text\/csv|geo\+json|vnd\.pgrst\.plan/.test(accept)) throw notImplemented(`Accept: ${accept}`);
    const single = accept.includes(SINGLE_MEDIA);
    const stripNulls = /nulls=stripped/.test(accept);
    const prefer = parsePrefer(req.headers.prefer);
    const table = await tableInfo(tableName);
    const params = new Params();
    const contentHeaders = { 'content-type': `${single ? SINGLE_MEDIA : 'application/json'}; charset=utf-8` };

    if (method === 'GET' || method === 'HEAD') {
      const where = whereClause(table, query, params);
      const whereValues = [...params.values];
      const columns = selectList(table, query.get('select'), params);
      const order = orderClause(table, query.get('order'), params);
      const limit = nonNegativeInt(query, 'limit');
      const offset = nonNegativeInt(query, 'offset') ?? 0;
      const inner = `SELECT ${columns} FROM ${qualified(table)} WHERE ${where}${order}${limit !== undefined ? ` LIMIT ${limit}` : ''}${offset ? ` OFFSET ${offset}` : ''}`;
      const { rows } = await pool.query<AggregateRow>(aggregate(inner, stripNulls), params.values);
      const row = rows[0];
      let total: number | undefined;
      if (prefer.count) {
        const counted = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(table)} WHERE ${where}`, whereValues);
        total = Number(counted.rows[0].n);
      }
      if (single && row.n !== 1) throw singleError(row.n);
      const range = row.n > 0 ? `${offset}-${offset + row.n - 1}` : '*';
      return {
        status: 200,
        body: method === 'HEAD' ? undefined : single ? (row.first ?? 'null') : row.body,
        headers: { ...contentHeaders, 'content-range': `${range}/${total ?? '*'}` },
      };
    }

    const finish = (row: AggregateRow, createdStatus: number): Outcome => {
      if (single && prefer.returnRepresentation && row.n !== 1) throw singleError(row.n);
      const headers: Record<string, string> = prefer.count ? { 'content-range': `*/${row.n}` } : {};
      if (!prefer.returnRepresentation) return { status: createdStatus === 201 ? 201 : 204, headers };
      return { status: createdStatus, body: single ? (row.first ?? 'null') : row.body, headers: { ...contentHeaders, ...headers } };
    };

    if (method === 'POST') {
      if (query.has('limit') || query.has('offset')) throw notImplemented('limit/offset on POST');
      const payload = parseJsonBody(rawBody);
      const rowsArray = Array.isArray(payload) ? payload : [payload];
      if (!rowsArray.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
        throw new GatewayError(400, 'PGRST102', 'Empty or invalid json', 'The body must be a JSON object or an array of objects');
      }
      const columnsRaw = query.get('columns');
      const columns = columnsRaw
        ? columnsParam(columnsRaw)
        : [...new Set(rowsArray.flatMap((r) => Object.keys(r as Record<string, unknown>)))];
      for (const c of columns) {
        if (!table.columns.has(c)) {
          throw new GatewayError(400, 'PGRST204', `Could not find the '${c}' column of '${table.name}' in the schema cache`);
        }
      }
      const bodyParam = params.add(rawBody);
      const elements = `json_array_elements(CASE WHEN json_typeof(${bodyParam}::json) = 'array' THEN ${bodyParam}::json ELSE json_build_array(${bodyParam}::json) END)`;
      const sourceColumns = columns.map((c) => {
        const info = table.columns.get(c) as ColumnInfo;
        const value = `(_p).${ident(c)}`;
        if (prefer.missingDefault && info.defaultExpr !== null) {
          return `CASE WHEN (_e.v::jsonb) ? ${params.add(c)}::text THEN ${value} ELSE ${info.defaultExpr} END`;
        }
        return value;
      });
      let sql = columns.length
        ? `INSERT INTO ${qualified(table)} AS _t (${columns.map(ident).join(', ')}) SELECT ${sourceColumns.join(', ')} FROM ${elements} AS _e(v) CROSS JOIN LATERAL json_populate_record(NULL::${qualified(table)}, _e.v) AS _p`
        : `INSERT INTO ${qualified(table)} AS _t DEFAULT VALUES`;
      if (!columns.length && rowsArray.length !== 1) throw notImplemented('Bulk insert of empty objects');
      if (prefer.resolution) {
        const conflictRaw = query.get('on_conflict');
        const target = conflictRaw ? conflictRaw.split(',').map((c) => requireColumn(table, c.trim())) : table.primaryKey;
        if (target.length === 0)
          throw new GatewayError(400, 'PGRST127', 'Feature not implemented', `${table.name} has no primary key; pass on_conflict`);
        const updates = columns.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`);
        sql +=
          prefer.resolution === 'ignore' || updates.length === 0
            ? ` ON CONFLICT (${target.map(ident).join(', ')}) DO NOTHING`
            : ` ON CONFLICT (${target.map(ident).join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
      }
      sql += ' RETURNING _t.*';
      const select = selectList(table, prefer.returnRepresentation ? query.get('select') : '*', params);
      const order = orderClause(table, query.get('order'), params);
      const statement = `WITH _w AS (${sql}) ${aggregate(`SELECT ${select} FROM _w${order}`, stripNulls)}`;
      return runWrite(statement, params.values, (row) => finish(row, 201), prefer.rollback);
    }

    if (method === 'PATCH' || method === 'DELETE') {
      if (query.has('limit') || query.has('offset')) throw notImplemented(`limit/offset on ${method}`);
      const where = whereClause(table, query, params);
      let sql: string;
      if (method === 'PATCH') {
        const payload = parseJsonBody(rawBody);
        if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
          throw new GatewayError(400, 'PGRST102', 'Empty or invalid json', 'PATCH expects a JSON object');
        }
        const columns = Object.keys(payload as Record<string, unknown>);
        for (const c of columns) {
          if (!table.columns.has(c)) {
            throw new GatewayError(400, 'PGRST204', `Could not find the '${c}' column of '${table.name}' in the schema cache`);
          }
        }
        if (columns.length === 0) {
          sql = `SELECT * FROM ${qualified(table)} WHERE ${where}`;
        } else {
          const record = `json_populate_record(NULL::${qualified(table)}, ${params.add(rawBody)}::json)`;
          const assignments = columns.map((c) => `${ident(c)} = (${record}).${ident(c)}`);
          sql = `UPDATE ${qualified(table)} SET ${assignments.join(', ')} WHERE ${where} RETURNING ${qualified(table)}.*`;
        }
      } else {
        sql = `DELETE FROM ${qualified(table)} WHERE ${where} RETURNING ${qualified(table)}.*`;
      }
      const select = selectList(table, prefer.returnRepresentation ? query.get('select') : '*', params);
      const order = orderClause(table, query.get('order'), params);
      const statement = `WITH _w AS (${sql}) ${aggregate(`SELECT ${select} FROM _w${order}`, stripNulls)}`;
      return runWrite(statement, params.values, (row) => finish(row, 200), prefer.rollback);
    }

    if (method === 'PUT') throw notImplemented('PUT');
    throw new GatewayError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.local');
    const path = url.pathname;
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers':
        'authorization, x-client-info, apikey, content-type, prefer, accept-profile, content-profile, range, x-upsert',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-expose-headers': 'content-range',
    };
    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }

    if (path === '/storage/v1' || path.startsWith('/storage/v1/')) {
      await storage.handle(req, res, path.slice('/storage/v1'.length), url.searchParams);
      return;
    }

    let outcome: Outcome;
    try {
      if (!path.startsWith('/rest/v1/')) throw new GatewayError(404, 'PGRST125', `Invalid path specified in request URL: ${path}`);
      const segments = path.slice('/rest/v1/'.length).split('/');
      if (segments[0] === 'rpc')
        throw new GatewayError(
          404,
          'PGRST202',
          'Could not find the function in the schema cache',
          'rpc/ is not supported by the test PostgREST gateway',
        );
      if (segments.length !== 1 || segments[0] === '')
        throw new GatewayError(404, 'PGRST125', `Invalid path specified in request URL: ${path}`);
      let tableName: string;
      try {
        tableName = decodeURIComponent(segments[0]);
      } catch {
        throw new GatewayError(404, 'PGRST125', `Invalid path specified in request URL: ${path}`);
      }
      const rawBody = req.method === 'GET' || req.method === 'HEAD' ? '' : (await readRequestBody(req)).toString('utf8');
      try {
        outcome = await handleRest(req, tableName, url.searchParams, rawBody);
      } catch (error) {
        // The table/column may have been created after the schema cache was loaded: reload once and retry.
        const code = error instanceof GatewayError ? error.code : (error as PgLikeError | undefined)?.code;
        if (code !== '42703' && code !== 'PGRST204') throw error;
        await reloadSchema();
        outcome = await handleRest(req, tableName, url.searchParams, rawBody);
      }
    } catch (error) {
      const { status, body } = errorBody(error);
      outcome = { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8' } };
    }
    const headers: Record<string, string | number> = { ...(outcome.headers ?? {}) };
    if (outcome.body !== undefined) headers['content-length'] = Buffer.byteLength(outcome.body);
    res.writeHead(outcome.status, headers);
    res.end(req.method === 'HEAD' ? undefined : outcome.body);
  }

  // -------------------------------------------------------------------------------------------
  // Listener lifecycle
  // -------------------------------------------------------------------------------------------
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        const { status, body } = errorBody(error);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let port = options.port ?? 0;
  let listening = false;

  const start = async (): Promise<void> => {
    if (listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') port = address.port;
    listening = true;
  };

  const stop = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    });
  };

  let closed = false;
  const close = async (): Promise<void> => {
    await stop();
    if (closed) return;
    closed = true;
    await pool.end().catch(() => undefined);
    if (ownsStorageDir) await rm(storageDir, { recursive: true, force: true });
  };

  await start();
  await reloadSchema().catch(() => undefined); // warm the cache; a missing database surfaces per request

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storageDir,
    stop,
    start,
    close,
  };
}
