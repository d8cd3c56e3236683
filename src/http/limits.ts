/**
 * The limiters of sign-in and registration, built once per app so the API and the pages count the same attempts
 * (in the database when a store is given, so every instance shares the counts). A refusal is passed on as
 * AUTH.RATE_LIMITED: the API answers it as problem+json, a page as a page.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator, type Store } from 'express-rate-limit';
import { OnevisitError } from '../domain/errors.js';

/** Registrations per client address in an hour, unless `registrationAttempts` says otherwise. */
export const REGISTRATION_ATTEMPTS = 20;
const REGISTRATION_WINDOW_MS = 60 * 60 * 1000;

/**
 * Wrong progress lookups (GET /progress, the 办件查询 page): per client address in 15 minutes, and per application
 * number in a day from all addresses together. With 6-character check codes (about 8.9 × 10^8 of them, see
 * identity/checkCode.ts) the second bounds the guesses on any one receipt whatever the number of addresses: 30 a day
 * gives odds of about 1 in 3 × 10^7 a day. A number whose day's tries are used up answers 429 even to its right code
 * until the day is over; its applicant still follows it signed in.
 */
export const PROGRESS_ATTEMPTS = 10;
const PROGRESS_WINDOW_MS = 15 * 60 * 1000;
export const PROGRESS_ATTEMPTS_PER_NUMBER = 30;
const PROGRESS_NUMBER_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What the progress limiters key on; set in `res.locals.progress` by whoever checked the query first. */
export interface ProgressAttempt {
  number: string;
}

/** What the sign-in limiter keys on; set in `res.locals.login` by whoever checked the body first. */
export interface LoginAttempt {
  username: string;
}

export interface Limiters {
  login: RequestHandler;
  registration: RequestHandler;
  /** By client address, then by application number; only wrong lookups count (a found application is not decremented from). */
  progress: RequestHandler[];
}

export interface LimiterOptions {
  loginAttempts?: number;
  registrationAttempts?: number;
  loginStore?: Store;
  registrationStore?: Store;
  progressAttempts?: number;
  progressAttemptsPerNumber?: number;
  /** One store per limiter (express-rate-limit refuses a store shared by two). */
  progressStore?: Store;
  progressNumberStore?: Store;
}

/** A username as the sign-in limiter keys it: SHA-256 of the lower-cased name (as accounts compare them), shortened. */
function usernameDigest(username: string): string {
  return shortDigest(username.toLowerCase().slice(0, 64));
}

function shortDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

export function createLimiters(options: LimiterOptions): Limiters {
  const login = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: options.loginAttempts ?? 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    ...(options.loginStore ? { store: options.loginStore } : {}),
    // The client's address (IPv6 by its /56) and the username, which is kept only as a hash: counts may be stored.
    keyGenerator: (req: Request, res) => `${ipKeyGenerator(req.ip ?? '')}|${usernameDigest((res.locals.login as LoginAttempt).username)}`,
    handler: (_req, _res, next) => next(new OnevisitError('AUTH.RATE_LIMITED', 'too many sign-in attempts; wait a few minutes and try again')),
  });
  // Registrations are counted per client address (IPv6 by its /56).
  const registration = rateLimit({
    windowMs: REGISTRATION_WINDOW_MS,
    limit: options.registrationAttempts ?? REGISTRATION_ATTEMPTS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(options.registrationStore ? { store: options.registrationStore } : {}),
    keyGenerator: (req: Request) => ipKeyGenerator(req.ip ?? ''),
    handler: (_req, _res, next) => next(new OnevisitError('AUTH.RATE_LIMITED', 'too many registrations from this address; try again in an hour')),
  });
  // Progress lookups: only wrong ones count (a found application's answer is taken back off the count).
  const progressRefused = (_req: Request, _res: unknown, next: (error: unknown) => void) =>
    next(new OnevisitError('AUTH.RATE_LIMITED', 'too many progress lookups that found nothing; check the number and code on the receipt and try again later'));
  const progressByAddress = rateLimit({
    windowMs: PROGRESS_WINDOW_MS,
    limit: options.progressAttempts ?? PROGRESS_ATTEMPTS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    ...(options.progressStore ? { store: options.progressStore } : {}),
    keyGenerator: (req: Request) => ipKeyGenerator(req.ip ?? ''),
    handler: progressRefused,
  });
  const progressByNumber = rateLimit({
    windowMs: PROGRESS_NUMBER_WINDOW_MS,
    limit: options.progressAttemptsPerNumber ?? PROGRESS_ATTEMPTS_PER_NUMBER,
    // One counter per number, whoever asks: the address is no part of the key, and its headers would only tell an
    // attacker how many tries others have left.
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    ...(options.progressNumberStore ? { store: options.progressNumberStore } : {}),
    keyGenerator: (_req: Request, res) => shortDigest((res.locals.progress as ProgressAttempt).number.trim()),
    handler: progressRefused,
  });
  return { login, registration, progress: [progressByAddress, progressByNumber] };
}
