/**
 * One JSON line per request: method, path (as the client sent it, mount prefixes included), status, duration,
 * who (user id and role). Never bodies, query strings, headers, tokens or id numbers.
 */
import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger } from 'pino';
import { authOf } from './auth.js';

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      redact: { paths: ['password', '*.password', 'token', '*.token', 'idNumber', '*.idNumber', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    options.destination,
  );
}

/**
 * The path the client asked for, without the query string (which may hold check codes). From `originalUrl`:
 * routers rewrite `req.url` / `req.path` while a request is inside them, so those lose the `/api/v1` prefix.
 */
export function requestPath(req: Request): string {
  const url = req.originalUrl ?? req.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export function requestLogger(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    // Taken now, before any router has rewritten the URL.
    const path = requestPath(req);
    res.on('finish', () => {
      const principal = res.locals.auth ? authOf(res).principal : undefined;
      logger.info(
        {
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
          ...(principal ? { user: principal.userId, role: principal.role } : {}),
        },
        'request',
      );
    });
    next();
  };
}
