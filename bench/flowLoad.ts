/**
 * A load client of bench/cluster.ts, forked by it so that it never shares an event loop with a server: virtual
 * users that each take start-a-business applications through the whole flow over HTTP against one server, back
 * to back, for a fixed duration — submit as their citizen, ACCEPT as the window clerk, then APPROVE every matter
 * as its department's clerk, the departments at once (as they work in parallel). An application counts when an
 * answer shows it completed (the last approval issues its certificates in its request) within the window; a flow
 * still running at the end is finished but not counted. Every answer other than 2xx is an error, by status, with
 * the first few bodies kept; a 409 (a conflict) is one too.
 *
 * Message in: FlowLoadRequest; answer: `{ summary: FlowLoadSummary }`.
 */
export interface FlowUser {
  /** The citizen's headers (bearer token, JSON) and their submit body (the example form, their uploaded files). */
  headers: Record<string, string>;
  body: string;
}

export interface FlowLoadRequest {
  base: string;
  users: FlowUser[];
  /** Clerks' headers by department. */
  clerks: Record<string, Record<string, string>>;
  window: string;
  matters: { id: string; department: string }[];
  /** When to start (epoch ms: clients start together) and for how long, seconds. */
  startAt: number;
  seconds: number;
}

export interface FlowLoadSummary {
  completed: number;
  /** Applications completed only on a later read (certificates issued after the last approval answered). */
  completedLate: number;
  requests: number;
  statusCodes: Record<string, number>;
  errors: number;
  conflicts: number;
  /** Failures below HTTP (connection refused or reset, timeouts). */
  networkErrors: number;
  firstErrors: string[];
  /** Milliseconds: each request (all kinds) and each application, submit to completed. */
  latency: { p50: number; p99: number; max: number };
  flow: { p50: number; p99: number };
}

if (!process.send) throw new Error('bench/flowLoad.js is forked by bench/cluster.js');

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);

process.once('message', async (request: FlowLoadRequest) => {
  const end = request.startAt + request.seconds * 1000;
  const statusCodes: Record<string, number> = {};
  const latencies: number[] = [];
  const flows: number[] = [];
  const firstErrors: string[] = [];
  let completed = 0;
  let completedLate = 0;
  let networkErrors = 0;

  /** One request; answers the parsed body of a 2xx, undefined otherwise (counted and noted). */
  const call = async (route: string, init: { method?: string; headers: Record<string, string>; body?: string }): Promise<Record<string, unknown> | undefined> => {
    const started = performance.now();
    try {
      const res = await fetch(request.base + route, { ...init, signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      latencies.push(performance.now() - started);
      statusCodes[res.status] = (statusCodes[res.status] ?? 0) + 1;
      if (res.status >= 200 && res.status < 300) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (firstErrors.length < 5) firstErrors.push(`${init.method ?? 'GET'} ${route} ${res.status}: ${text.slice(0, 300)}`);
      return undefined;
    } catch (error) {
      networkErrors += 1;
      if (firstErrors.length < 5) firstErrors.push(`${init.method ?? 'GET'} ${route}: ${String(error)}`);
      return undefined;
    }
  };

  const flow = async (user: FlowUser): Promise<void> => {
    const started = performance.now();
    const submitted = await call('/api/v1/applications', { method: 'POST', headers: user.headers, body: user.body });
    if (!submitted) return;
    const events = `/api/v1/applications/${String(submitted.id)}/events`;
    if (!(await call(events, { method: 'POST', headers: request.clerks[request.window]!, body: JSON.stringify({ type: 'ACCEPT' }) }))) return;
    const answers = await Promise.all(request.matters.map((m) => call(events, { method: 'POST', headers: request.clerks[m.department]!, body: JSON.stringify({ type: 'APPROVE', matter: m.id }) })));
    if (answers.some((a) => !a)) return;
    let done = answers.some((a) => a!.status === 'completed');
    if (!done) {
      // Issued after the answers (an effect left to a worker): read until it shows, for at most 10 s.
      for (let i = 0; i < 200 && !done; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const view = await call(`/api/v1/applications/${String(submitted.id)}`, { headers: user.headers });
        if (!view) return;
        done = view.status === 'completed';
      }
      if (done) completedLate += 1;
      else if (firstErrors.length < 5) firstErrors.push(`application ${String(submitted.id)} not completed 10 s after its last approval`);
    }
    if (done && Date.now() <= end) {
      completed += 1;
      flows.push(performance.now() - started);
    }
  };

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, request.startAt - Date.now())));
  await Promise.all(
    request.users.map(async (user) => {
      while (Date.now() < end) await flow(user);
    }),
  );
  latencies.sort((a, b) => a - b);
  flows.sort((a, b) => a - b);
  const errors = Object.entries(statusCodes).reduce((n, [code, count]) => n + (Number(code) >= 200 && Number(code) < 300 ? 0 : count), 0) + networkErrors;
  const summary: FlowLoadSummary = {
    completed,
    completedLate,
    requests: latencies.length,
    statusCodes,
    errors,
    conflicts: statusCodes[409] ?? 0,
    networkErrors,
    firstErrors,
    latency: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
    flow: { p50: quantile(flows, 0.5), p99: quantile(flows, 0.99) },
  };
  process.send!({ summary }, () => process.exit(0));
});
