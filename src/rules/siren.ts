/** SIREN: 9 digits whose last one is a Luhn check digit (§1). */
import { allDigits } from './formats.ts';

/** True when `digits` passes the Luhn check. */
export function luhnValid(digits: string): boolean {
  if (!allDigits(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The Luhn check digit that completes `body`. */
export function luhnCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${body}${d}`)) return String(d);
  throw new Error(`no Luhn digit for ${body}`);
}

export const isSirenShape = (v: string) => v.length === 9 && allDigits(v);

/** A valid SIREN from 8 digits. */
export const sirenFrom = (eightDigits: string) => `${eightDigits}${luhnCheckDigit(eightDigits)}`;
