/**
 * supabase-js >= 2.10x builds a Realtime client inside createClient() and, on Node.js < 22 (no
 * global WebSocket), THROWS "Node.js 20 detected without native WebSocket support" unless a
 * WebSocket constructor is passed as `realtime.transport`. The backend only writes through
 * PostgREST / Storage and never subscribes to Realtime channels, so it can pass this stub:
 *
 *   createClient(url, serviceRoleKey, {
 *     auth: { persistSession: false, autoRefreshToken: false },
 *     realtime: { transport: NoRealtimeTransport },
 *   });
 *
 * Constructing it (i.e. subscribing to a channel) throws a clear error instead of connecting.
 * On Node.js >= 22, or with the "ws" package installed, a real WebSocket can be passed instead.
 */
import type { SupabaseClientOptions } from '@supabase/supabase-js';

export type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

class NoRealtimeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  constructor(address: string | URL) {
    throw new Error(`Realtime is not available in this process (no WebSocket transport); refusing to connect to ${String(address)}`);
  }
}

export const NoRealtimeTransport = NoRealtimeWebSocket as unknown as RealtimeTransport;
