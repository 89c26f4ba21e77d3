/** Lexical checks of the XSD built-in types the profile uses (§5). Pure predicates, no allocation-heavy work. */

const DASH = 45;
const COLON = 58;
const T = 84;
const Z = 90;
const PLUS = 43;
const MINUS = 45;

const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31;

/** xsd:dateTime (ISO 8601 profile of XML Schema), calendar-checked. */
export function isDateTime(v: string): boolean {
  return plainDateTime(v) ?? parsedDateTime(v);
}

/**
 * An xsd:dateTime as a comparable instant: UTC milliseconds, the fraction's digits beyond them, and
 * whether it has a time zone (XML Schema 1.1 §3.3.7: `…:00Z`, `…:00.000Z` and `…:00+00:00` are the
 * same instant). Undefined when the text is no xsd:dateTime.
 */
export function dateTimeInstant(v: string): { ms: number; rest: string; zoned: boolean } | undefined {
  const m = DATE_TIME.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', tz, tzh, tzm] = m;
  const digits = frac.slice(1).replace(/0+$/, '');
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Date.UTC maps years 0-99 to 1900-1999.
  if (Number(y) >= 0 && Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
  ms += Number(digits.slice(0, 3).padEnd(3, '0'));
  if (tz && tz !== 'Z') ms -= (tz.startsWith('-') ? -1 : 1) * (Number(tzh) * 60 + Number(tzm)) * 60_000;
  return Number.isNaN(ms) ? undefined : { ms, rest: digits.slice(3), zoned: tz !== undefined };
}

function parsedDateTime(v: string): boolean {
  const m = DATE_TIME.exec(v);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, frac, , tzh, tzm] = m;
  return validDateTime(
    Number(y),
    Number(mo),
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    !frac || /^\.0+$/.test(frac),
    tzh === undefined ? undefined : Number(tzh),
    Number(tzm),
  );
}

function validDateTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  zeroFraction: boolean,
  tzHours: number | undefined,
  tzMinutes: number,
): boolean {
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  const midnight24 = hour === 24 && minute === 0 && second === 0 && zeroFraction;
  if ((hour > 23 && !midnight24) || minute > 59 || second > 59) return false;
  if (tzHours !== undefined) {
    const offset = tzHours * 60 + tzMinutes;
    if (tzMinutes > 59 || offset > 14 * 60) return false;
  }
  return true;
}

/** The number written by `n` ASCII digits at `from`, or -1. */
function digitsAt(v: string, from: number, n: number): number {
  let x = 0;
  for (let i = from; i < from + n; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    x = x * 10 + d;
  }
  return x;
}

/**
 * The common lexical form, without a regular expression: a four-digit year, no fraction, and no
 * zone, `Z` or `±hh:mm`. Undefined for any other form (the regular expression decides).
 */
function plainDateTime(v: string): boolean | undefined {
  const n = v.length;
  if (n !== 19 && n !== 20 && n !== 25) return undefined;
  if (
    v.charCodeAt(4) !== DASH ||
    v.charCodeAt(7) !== DASH ||
    v.charCodeAt(10) !== T ||
    v.charCodeAt(13) !== COLON ||
    v.charCodeAt(16) !== COLON
  )
    return undefined;
  const year = digitsAt(v, 0, 4);
  const month = digitsAt(v, 5, 2);
  const day = digitsAt(v, 8, 2);
  const hour = digitsAt(v, 11, 2);
  const minute = digitsAt(v, 14, 2);
  const second = digitsAt(v, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let tzHours: number | undefined;
  let tzMinutes = Number.NaN;
  if (n === 20) {
    if (v.charCodeAt(19) !== Z) return undefined;
  } else if (n === 25) {
    const sign = v.charCodeAt(19);
    if ((sign !== PLUS && sign !== MINUS) || v.charCodeAt(22) !== COLON) return undefined;
    tzHours = digitsAt(v, 20, 2);
    tzMinutes = digitsAt(v, 23, 2);
    if (tzHours < 0 || tzMinutes < 0) return undefined;
  }
  return validDateTime(year, month, day, hour, minute, second, true, tzHours, tzMinutes);
}

const DURATION = /^-?P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** xsd:duration, e.g. PT4H, P1DT2H30M. */
export const isDuration = (v: string) => DURATION.test(v) && !v.endsWith('T');

/** xsd:boolean. */
export const isBoolean = (v: string) => v === 'true' || v === 'false' || v === '1' || v === '0';

/** True when `v` is one or more ASCII digits from `from` on (what \d+ matches without the u flag). */
export function allDigits(v: string, from = 0): boolean {
  if (v.length <= from) return false;
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** xsd:integer: /^[+-]?\d+$/. */
export function isInteger(v: string): boolean {
  const sign = v.charCodeAt(0);
  return allDigits(v, sign === PLUS || sign === MINUS ? 1 : 0);
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** xsd:long: an integer within 64 bits. */
export function isLong(v: string): boolean {
  if (!isInteger(v)) return false;
  if (v.length <= 18) return true; // at most 18 digits: always within 64 bits
  const n = BigInt(v);
  return n >= LONG_MIN && n <= LONG_MAX;
}

/** Canonical form of an integer lexical value ('+01' → '1'), for comparing against lists. */
export function canonicalInteger(v: string): string {
  // Already canonical: digits only, no leading zero, short enough for BigInt to print it back as is.
  const plain = v.length <= 15 && allDigits(v) && (v.length === 1 || v.charCodeAt(0) !== 48);
  return plain ? v : BigInt(v).toString();
}

/** Length in characters as XML Schema counts them (code points, not UTF-16 units). */
export function charLength(v: string): number {
  let n = v.length;
  for (let i = 0; i < v.length - 1; i++) {
    const c = v.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) continue;
    const next = v.charCodeAt(i + 1);
    // A surrogate pair is one code point; a lone surrogate counts as one, as string iteration does.
    if (next >= 0xdc00 && next <= 0xdfff) {
      n--;
      i++;
    }
  }
  return n;
}
