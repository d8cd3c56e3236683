/**
 * Time as people read it. Instants are stored in UTC; anything a person reads — application numbers, dates on
 * certificates and pages, working days — is China Standard Time (UTC+8 all year since 1991, no daylight saving),
 * the zone of the working-day calendar. This is the one place that knows the offset.
 */

/** China Standard Time as minutes east of UTC. */
export const CHINA_STANDARD_TIME_OFFSET_MINUTES = 480;
export const CHINA_STANDARD_TIME_OFFSET_MS = CHINA_STANDARD_TIME_OFFSET_MINUTES * 60_000;
/** The IANA name of the zone, for `Intl` formatting. */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';

/** The instant's wall-clock time in China Standard Time, as a Date whose UTC fields read that wall clock. */
export function chinaWallClock(instant: Date | string): Date {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return new Date(ms + CHINA_STANDARD_TIME_OFFSET_MS);
}

/** The instant's date in China Standard Time, `YYYY-MM-DD`. */
export function chinaDate(instant: Date | string): string {
  return chinaWallClock(instant).toISOString().slice(0, 10);
}

/** The instant's date in China Standard Time, `YYYYMMDD` (application numbers, id-number birth dates). */
export function chinaDateCompact(instant: Date | string): string {
  return chinaDate(instant).replace(/-/g, '');
}

/** The UTC instant at which the China Standard Time day `YYYY-MM-DD` begins. */
export function startOfChinaDay(day: string): Date {
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !Number.isFinite(ms)) throw new RangeError(`not a day: ${day}`);
  return new Date(ms - CHINA_STANDARD_TIME_OFFSET_MS);
}
