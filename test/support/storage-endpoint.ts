/**
 * A small Supabase Storage stand-in for tests, mounted by the PostgREST gateway under /storage/v1.
 * Buckets and objects are plain files under `rootDir`:
 *
 *   <rootDir>/<bucket>/bucket.json            bucket metadata
 *   <rootDir>/<bucket>/objects/<path>          object bytes
 *   <rootDir>/<bucket>/meta/<path>.json        object metadata (id, content type, size, times)
 *
 * Supported (the subset @supabase/storage-js 2.x sends for these calls):
 *   buckets: GET /bucket, GET /bucket/:id, POST /bucket, PUT /bucket/:id, DELETE /bucket/:id,
 *            POST /bucket/:id/empty
 *   objects: POST /object/:bucket/:path (upload; x-upsert: true overwrites), PUT (update),
 *            GET / HEAD /object/[authenticated/]:bucket/:path (download / exists),
 *            GET /object/public/:bucket/:path (public buckets only),
 *            DELETE /object/:bucket {prefixes} (remove), DELETE /object/:bucket/:path,
 *            POST /object/list/:bucket {prefix, limit, offset, sortBy, search} (list)
 *   bodies: raw bytes with content-type (Buffer / string / ArrayBuffer uploads) or multipart form
 *           data (Blob / File / FormData uploads).
 * Not supported: signed URLs, image transformations, move/copy, info, list-v2, vectors/analytics,
 * row level security on storage.objects (every caller has full access, like the service role).
 *
 * Errors use Storage's JSON shape {statusCode, error, message} with a matching HTTP status, so
 * storage-js reports them as StorageApiError in `error`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StorageEndpoint {
  /** Directory holding the buckets. */
  readonly rootDir: string;
  /** Handles a request whose path (after /storage/v1) is `subpath`, e.g. "/object/screenshots/a/b.png". */
  handle(req: IncomingMessage, res: ServerResponse, subpath: string, query: URLSearchParams): Promise<void>;
}

interface BucketRecord {
  id: string;
  name: string;
  owner: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: string;
  updated_at: string;
}

interface ObjectMeta {
  id: string;
  contentType: string;
  cacheControl: string;
  size: number;
  userMetadata: unknown;
  created_at: string;
  updated_at: string;
}

class StorageHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 200 * 1024 * 1024;

/** Reads a whole request body (rejects above `limit` bytes). */
export function readRequestBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new StorageHttpError(413, 'Payload too large', 'The request body is too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

const BUCKET_ID = /^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,99}$/;

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new StorageHttpError(400, 'Invalid Input', 'The URL is not valid');
  }
}

function checkBucketId(id: string): string {
  if (!BUCKET_ID.test(id) || id === '.' || id === '..') {
    throw new StorageHttpError(400, 'Invalid Input', `The bucket name "${id}" is invalid`);
  }
  return id;
}

/** Decodes and validates object path segments (no traversal, no empty or dot segments). */
function objectSegments(rawSegments: string[]): string[] {
  const segments = rawSegments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new StorageHttpError(400, 'Invalid Key', 'The object key is not valid');
    }
  });
  if (segments.length === 0) throw new StorageHttpError(400, 'Invalid Key', 'The object key is missing');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\0') || s.includes('\\') || s.includes('/')) {
      throw new StorageHttpError(400, 'Invalid Key', `The object key "${segments.join('/')}" is not valid`);
    }
  }
  return segments;
}

/** "a/b//c/" -> segments of a caller-supplied key (list prefixes / remove paths in JSON bodies). */
function keySegments(key: string): string[] {
  return objectSegments(
    key
      .split('/')
      .filter((s) => s !== '')
      .map((s) => encodeURIComponent(s)),
  );
}

function parseSizeLimit(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(String(value).trim());
  if (!match) throw new StorageHttpError(400, 'Invalid Input', `Invalid file size limit "${String(value)}"`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1;
  return Math.floor(Number(match[1]) * factor);
}

function mimeAllowed(allowed: string[] | null, contentType: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.trim().toLowerCase();
    if (p === '*/*' || p === '*') return true;
    if (p.endsWith('/*')) return type.startsWith(p.slice(0, -1));
    return p === type;
  });
}

export function createStorageEndpoint(options: { rootDir: string }): StorageEndpoint {
  const rootDir = options.rootDir;
  const bucketDir = (id: string) => join(rootDir, checkBucketId(id));
  const bucketFile = (id: string) => join(bucketDir(id), 'bucket.json');
  const objectFile = (id: string, segments: string[]) => join(bucketDir(id), 'objects', ...segments);
  const metaFile = (id: string, segments: string[]) =>
    join(bucketDir(id), 'meta', ...segments.slice(0, -1), `${segments[segments.length - 1]}.json`);

  async function readBucket(id: string): Promise<BucketRecord> {
    try {
      return JSON.parse(await readFile(bucketFile(id), 'utf8')) as BucketRecord;
    } catch (error) {
      if (isNotFound(error)) throw new StorageHttpError(404, 'Bucket not found', 'Bucket not found');
      throw error;
    }
  }

  async function writeAtomic(file: string, data: Buffer | string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }

  async function readMeta(id: string, segments: string[]): Promise<ObjectMeta | null> {
    try {
      return JSON.parse(await readFile(metaFile(id, segments), 'utf8')) as ObjectMeta;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Removes now-empty parent directories up to (excluding) `stop`. */
  async function pruneEmptyDirs(start: string, stop: string): Promise<void> {
    let dir = start;
    while (dir.startsWith(stop) && dir !== stop) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }

  function fileObject(id: string, name: string, meta: ObjectMeta): Record<string, unknown> {
    return {
      name,
      bucket_id: id,
      owner: '',
      id: meta.id,
      updated_at: meta.updated_at,
      created_at: meta.created_at,
      last_accessed_at: meta.updated_at,
      metadata: {
        eTag: `"${meta.id}"`,
        size: meta.size,
        mimetype: meta.contentType,
        cacheControl: meta.cacheControl,
        lastModified: meta.updated_at,
        contentLength: meta.size,
        httpStatusCode: 200,
      },
      user_metadata: meta.userMetadata ?? null,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Buckets
  // ------------------------------------------------------------------------------------------
  async function listBuckets(): Promise<BucketRecord[]> {
    let entries: string[] = [];
    try {
      entries = await readdir(rootDir);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const buckets: BucketRecord[] = [];
    for (const entry of entries.sort()) {
      try {
        buckets.push(await readBucket(entry));
      } catch {
        // not a bucket directory
      }
    }
    return buckets;
  }

  async function createBucket(body: Record<string, unknown>): Promise<{ name: string }> {
    const id = checkBucketId(String(body.id ?? body.name ?? ''));
    try {
      await stat(bucketFile(id));
      throw new StorageHttpError(409, 'Duplicate', 'The resource already exists');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const now = new Date().toISOString();
    const record: BucketRecord = {
      id,
      name: String(body.name ?? id),
      owner: '',
      public: body.public === true,
      file_size_limit: parseSizeLimit(body.file_size_limit),
      allowed_mime_types: Array.isArray(body.allowed_mime_types) ? body.allowed_mime_types.map(String) : null,
      created_at: now,
      updated_at: now,
    };
    await mkdir(join(bucketDir(id), 'objects'), { recursive: true });
    await writeAtomic(bucketFile(id), JSON.stringify(record, null, 2));
    return { name: id };
  }

  async function updateBucket(id: string, body: Record<string, unknown>): Promise<{ message: string }> {
    const record = await readBucket(id);
    if (body.public !== undefined) record.public = body.public === true;
    if ('file_size_limit' in body) record.file_size_limit = parseSizeLimit(body.file_size_limit);
    if ('allowed_mime_types' in body) {
      record.allowed_mime_types = Array.isArray(body.allowed_mime_types) ? body.allowed_mime_types.map(String) : null;
    }
    record.updated_at = new Date().toISOString();
    await writeAtomic(bucketFile(id), JSON.stringify(record, null, 2));
    return { message: 'Successfully updated' };
  }

  async function bucketIsEmpty(id: string): Promise<boolean> {
    try {
      return (await readdir(join(bucketDir(id), 'objects'))).length === 0;
    } catch (error) {
      if (isNotFound(error)) return true;
      throw error;
    }
  }

  async function emptyBucket(id: string): Promise<{ message: string }> {
    await readBucket(id);
    await rm(join(bucketDir(id), 'objects'), { recursive: true, force: true });
    await rm(join(bucketDir(id), 'meta'), { recursive: true, force: true });
    await mkdir(join(bucketDir(id), 'objects'), { recursive: true });
    return { message: 'Successfully emptied' };
  }

  async function deleteBucket(id: string): Promise<{ message: string }> {
    await readBucket(id);
    if (!(await bucketIsEmpty(id))) {
      throw new StorageHttpError(409, 'InvalidRequest', 'The bucket you tried to delete is not empty');
    }
    await rm(bucketDir(id), { recursive: true, force: true });
    return { message: 'Successfully deleted' };
  }

  // ------------------------------------------------------------------------------------------
  // Objects
  // ------------------------------------------------------------------------------------------
  async function parseUpload(
    req: IncomingMessage,
  ): Promise<{ data: Buffer; contentType: string; cacheControl: string; userMetadata: unknown }> {
    const raw = await readRequestBody(req);
    const contentTypeHeader = String(req.headers['content-type'] ?? '');
    const cacheHeader = String(req.headers['cache-control'] ?? '');
    let userMetadata: unknown = null;
    const metaHeader = req.headers['x-metadata'];
    if (typeof metaHeader === 'string' && metaHeader) {
      try {
        userMetadata = JSON.parse(Buffer.from(metaHeader, 'base64').toString('utf8'));
      } catch {
        userMetadata = null;
      }
    }
    if (contentTypeHeader.toLowerCase().startsWith('multipart/form-data')) {
      const form = await new Request('http://storage.local/', {
        method: 'POST',
        headers: { 'content-type': contentTypeHeader },
        body: raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer,
      }).formData();
      let file: Blob | undefined;
      let cacheControl = '3600';
      form.forEach((value, key) => {
        if (typeof value !== 'string') {
          file ??= value;
        } else if (key === 'cacheControl') {
          cacheControl = value;
        } else if (key === 'metadata') {
          try {
            userMetadata = JSON.parse(value);
          } catch {
            userMetadata = value;
          }
        }
      });
      if (!file) throw new StorageHttpError(400, 'Invalid Input', 'No file found in the multipart body');
      return {
        data: Buffer.from(await file.arrayBuffer()),
        contentType: file.type || 'application/octet-stream',
        cacheControl: `max-age=${cacheControl}`,
        userMetadata,
      };
    }
    return {
      data: raw,
      contentType: contentTypeHeader || 'application/octet-stream',
      cacheControl: cacheHeader || 'no-cache',
      userMetadata,
    };
  }

  async function putObject(
    req: IncomingMessage,
    id: string,
    segments: string[],
    mode: 'create' | 'update',
  ): Promise<{ Id: string; Key: string }> {
    const bucket = await readBucket(id);
    const upsert = String(req.headers['x-upsert'] ?? 'false').toLowerCase() === 'true';
    const upload = await parseUpload(req);
    if (bucket.file_size_limit !== null && upload.data.length > bucket.file_size_limit) {
      throw new StorageHttpError(413, 'Payload too large', 'The object exceeded the maximum allowed size');
    }
    if (!mimeAllowed(bucket.allowed_mime_types, upload.contentType)) {
      throw new StorageHttpError(415, 'invalid_mime_type', `mime type ${upload.contentType} is not supported`);
    }
    const existing = await readMeta(id, segments);
    if (mode === 'create' && existing && !upsert) {
      throw new StorageHttpError(409, 'Duplicate', 'The resource already exists');
    }
    if (mode === 'update' && !existing) {
      throw new StorageHttpError(404, 'not_found', 'Object not found');
    }
    const now = new Date().toISOString();
    const meta: ObjectMeta = {
      id: existing?.id ?? randomUUID(),
      contentType: upload.contentType,
      cacheControl: upload.cacheControl,
      size: upload.data.length,
      userMetadata: upload.userMetadata,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    try {
      await writeAtomic(objectFile(id, segments), upload.data);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        throw new StorageHttpError(400, 'Invalid Key', 'The object key collides with an existing object or folder');
      }
      throw error;
    }
    await writeAtomic(metaFile(id, segments), JSON.stringify(meta));
    return { Id: meta.id, Key: `${id}/${segments.join('/')}` };
  }

  async function getObject(res: ServerResponse, id: string, segments: string[], headOnly: boolean, requirePublic: boolean): Promise<void> {
    const bucket = await readBucket(id);
    if (requirePublic && !bucket.public) throw new StorageHttpError(400, 'Bucket not found', 'Bucket not found');
    const meta = await readMeta(id, segments);
    let data: Buffer;
    try {
      if (!meta) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      data = await readFile(objectFile(id, segments));
    } catch (error) {
      if (isNotFound(error)) {
        if (headOnly) {
          res.writeHead(404);
          res.end();
          return;
        }
        throw new StorageHttpError(404, 'not_found', 'Object not found');
      }
      throw error;
    }
    res.writeHead(200, {
      'content-type': meta.contentType,
      'content-length': data.length,
      'cache-control': meta.cacheControl,
      etag: `"${meta.id}"`,
      'last-modified': new Date(meta.updated_at).toUTCString(),
    });
    res.end(headOnly ? undefined : data);
  }

  async function removeObjects(id: string, keys: string[]): Promise<Record<string, unknown>[]> {
    await readBucket(id);
    const removed: Record<string, unknown>[] = [];
    for (const key of keys) {
      const segments = keySegments(key);
      const meta = await readMeta(id, segments);
      if (!meta) continue;
      await rm(objectFile(id, segments), { force: true });
      await rm(metaFile(id, segments), { force: true });
      await pruneEmptyDirs(dirname(objectFile(id, segments)), join(bucketDir(id), 'objects'));
      await pruneEmptyDirs(dirname(metaFile(id, segments)), join(bucketDir(id), 'meta'));
      removed.push(fileObject(id, segments.join('/'), meta));
    }
    return removed;
  }

  async function listObjects(id: string, body: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    await readBucket(id);
    const prefix = typeof body.prefix === 'string' ? body.prefix : '';
    const segments = prefix.split('/').filter((s) => s !== '').length > 0 ? keySegments(prefix) : [];
    const limit = typeof body.limit === 'number' ? body.limit : 100;
    const offset = typeof body.offset === 'number' ? body.offset : 0;
    const search = typeof body.search === 'string' ? body.search.toLowerCase() : '';
    const sortBy = (body.sortBy ?? {}) as { column?: string; order?: string };
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = await readdir(join(bucketDir(id), 'objects', ...segments), { withFileTypes: true });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const items: Record<string, unknown>[] = [];
    for (const entry of entries) {
      if (entry.name.endsWith('.tmp')) continue;
      if (search && !entry.name.toLowerCase().startsWith(search)) continue;
      if (entry.isDirectory()) {
        items.push({ name: entry.name, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null });
      } else {
        const meta = await readMeta(id, [...segments, entry.name]);
        if (meta) items.push(fileObject(id, entry.name, meta));
      }
    }
    const column = ['name', 'created_at', 'updated_at', 'last_accessed_at'].includes(sortBy.column ?? '')
      ? (sortBy.column as string)
      : 'name';
    const direction = String(sortBy.order ?? 'asc').toLowerCase() === 'desc' ? -1 : 1;
    items.sort((a, b) => {
      const av = String(a[column] ?? '');
      const bv = String(b[column] ?? '');
      return av < bv ? -direction : av > bv ? direction : 0;
    });
    return items.slice(offset, offset + limit);
  }

  async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = (await readRequestBody(req)).toString('utf8');
    if (raw.trim() === '') return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new StorageHttpError(400, 'Invalid Input', 'The request body must be a JSON object');
  }

  async function route(req: IncomingMessage, res: ServerResponse, subpath: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = subpath.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
    const [area, ...rest] = parts;

    if (area === 'bucket') {
      const id = rest[0] !== undefined ? decodeSegment(rest[0]) : undefined;
      if (method === 'GET' && id === undefined) return sendJson(res, 200, await listBuckets());
      if (method === 'POST' && id === undefined) return sendJson(res, 200, await createBucket(await jsonBody(req)));
      if (id !== undefined && rest.length === 1) {
        if (method === 'GET') return sendJson(res, 200, await readBucket(id));
        if (method === 'PUT') return sendJson(res, 200, await updateBucket(id, await jsonBody(req)));
        if (method === 'DELETE') return sendJson(res, 200, await deleteBucket(id));
      }
      if (id !== undefined && rest.length === 2 && rest[1] === 'empty' && method === 'POST') {
        return sendJson(res, 200, await emptyBucket(id));
      }
    }

    if (area === 'object') {
      if (method === 'POST' && rest[0] === 'list' && rest.length === 2) {
        return sendJson(res, 200, await listObjects(decodeSegment(rest[1]), await jsonBody(req)));
      }
      if ((method === 'GET' || method === 'HEAD') && (rest[0] === 'authenticated' || rest[0] === 'public') && rest.length >= 3) {
        return getObject(res, decodeSegment(rest[1]), objectSegments(rest.slice(2)), method === 'HEAD', rest[0] === 'public');
      }
      if (['sign', 'upload', 'info', 'move', 'copy', 'list-v2'].includes(rest[0] ?? '')) {
        throw new StorageHttpError(400, 'Not Implemented', `The test storage endpoint does not support /object/${rest[0]}`);
      }
      if (rest.length === 1 && method === 'DELETE') {
        const body = await jsonBody(req);
        const prefixes = Array.isArray(body.prefixes) ? body.prefixes.map(String) : [];
        return sendJson(res, 200, await removeObjects(decodeSegment(rest[0]), prefixes));
      }
      if (rest.length >= 2) {
        const id = decodeSegment(rest[0]);
        const segments = objectSegments(rest.slice(1));
        if (method === 'POST') return sendJson(res, 200, await putObject(req, id, segments, 'create'));
        if (method === 'PUT') return sendJson(res, 200, await putObject(req, id, segments, 'update'));
        if (method === 'GET' || method === 'HEAD') return getObject(res, id, segments, method === 'HEAD', false);
        if (method === 'DELETE') {
          const removed = await removeObjects(id, [segments.join('/')]);
          if (removed.length === 0) throw new StorageHttpError(404, 'not_found', 'Object not found');
          return sendJson(res, 200, { message: 'Successfully deleted' });
        }
      }
    }

    throw new StorageHttpError(404, 'not_found', `No storage route for ${method} ${subpath}`);
  }

  return {
    rootDir,
    async handle(req, res, subpath) {
      try {
        await route(req, res, subpath);
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof StorageHttpError) {
          sendJson(res, error.status, { statusCode: String(error.status), error: error.error, message: error.message });
        } else {
          sendJson(res, 500, { statusCode: '500', error: 'internal', message: error instanceof Error ? error.message : String(error) });
        }
      }
    },
  };
}
