import { Connection } from '@temporalio/client';

/**
 * True once the frontend at `address` serves calls. A listening port is not enough: until its own health check
 * passes, the frontend answers every call with "Frontend is not healthy yet", and a worker's first call
 * (NativeConnection.connect) fails on it instead of retrying.
 */
export async function frontendAnswers(address: string): Promise<boolean> {
  try {
    // connect() itself calls GetSystemInfo, the call that fails while the frontend is not healthy yet.
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}
