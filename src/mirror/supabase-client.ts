import { createClient, SupabaseClient } from '@supabase/supabase-js';
import { NoRealtimeTransport } from './db/no-realtime-transport';

/** The service-role client every part of the mirror shares. */
export function createSupabaseClient(config: { url: string; serviceRoleKey: string }): SupabaseClient {
  return createClient(config.url, config.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no WebSocket: the mirror never subscribes, so Realtime gets a transport that refuses to.
    realtime: { transport: NoRealtimeTransport },
  });
}
