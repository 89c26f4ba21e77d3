/**
 * Characters XML 1.0 cannot carry at all, even escaped: C0 controls but TAB/LF/CR, U+FFFE/U+FFFF
 * and lone surrogates. Global: reset `lastIndex` before `test`/`exec`, or use {@link firstNonXmlChar}.
 */
export const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Index (UTF-16 unit) of the first character XML 1.0 cannot carry in `s`, or -1. */
export function firstNonXmlChar(s: string): number {
  NOT_XML_CHAR.lastIndex = 0;
  const m = NOT_XML_CHAR.exec(s);
  NOT_XML_CHAR.lastIndex = 0;
  return m ? m.index : -1;
}
