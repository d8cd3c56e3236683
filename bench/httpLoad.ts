/**
 * The load generator of the HTTP benchmark, forked by bench/http.ts so that it never shares a process
 * (or an event loop) with the server: receives autocannon options as a message, runs autocannon
 * programmatically, and sends back its result JSON.
 */
import autocannon, { type Options } from 'autocannon';

if (!process.send) throw new Error('bench/httpLoad.js is forked by bench/http.js');

process.once('message', async (options: Options) => {
  try {
    const result = await autocannon(options);
    process.send!({ result }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: String((error as Error).stack ?? error) }, () => process.exit(1));
  }
});
