/** Lexical checks of the XSD built-in types the profile uses (§5). Pure predicates, no allocation-heavy work. */

const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** xsd:dateTime (ISO 8601 profile of XML Schema), calendar-checked. */
export function isDateTime(v: string): boolean {
  const m = DATE_TIME.exec(v);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, frac, , tzh, tzm] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  const midnight24 = hour === 24 && mi === '00' && s === '00' && (!frac || /^\.0+$/.test(frac));
  if ((hour > 23 && !midnight24) || Number(mi) > 59 || Number(s) > 59) return false;
  if (tzh !== undefined) {
    const offset = Number(tzh) * 60 + Number(tzm);
    if (Number(tzm) > 59 || offset > 14 * 60) return false;
  }
  return true;
}

const DURATION = /^-?P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** xsd:duration, e.g. PT4H, P1DT2H30M. */
export const isDuration = (v: string) => DURATION.test(v) && !v.endsWith('T');

/** xsd:boolean. */
export const isBoolean = (v: string) => v === 'true' || v === 'false' || v === '1' || v === '0';

/** xsd:integer. */
export const isInteger = (v: string) => /^[+-]?\d+$/.test(v);

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** xsd:long: an integer within 64 bits. */
export function isLong(v: string): boolean {
  if (!isInteger(v)) return false;
  const n = BigInt(v);
  return n >= LONG_MIN && n <= LONG_MAX;
}

/** Canonical form of an integer lexical value ('+01' → '1'), for comparing against lists. */
export const canonicalInteger = (v: string) => BigInt(v).toString();

/** Length in characters as XML Schema counts them (code points, not UTF-16 units). */
export function charLength(v: string): number {
  let n = 0;
  for (const _ of v) n++;
  return n;
}
