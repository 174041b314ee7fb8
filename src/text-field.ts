// The one rule for free text that ends up in YAML (Talos configs, patches, plan-derived files).
import { describeChar, invalidInput } from './errors.js';

/**
 * True for characters a YAML reader treats as a line break or that have no business in one line
 * of text: C0 controls and DEL, every C1 control (U+0080–U+009F, which includes NEL U+0085, a
 * YAML 1.1 line break), and the Unicode line and paragraph separators U+2028/U+2029 (line breaks
 * to YAML 1.1 readers such as Go's yaml.v3 in Talos, ordinary characters to YAML 1.2 readers, so
 * the same text would mean different things to different tools).
 */
function isForbiddenInTextField(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029
  );
}

/**
 * Refuse a text field holding a line break, separator or control character, with a one-line
 * `invalid-input` error naming the field, the character (as U+XXXX) and its 1-based position.
 */
export function checkTextField(text: string, field: string): string {
  let position = 0;
  for (const ch of text) {
    position++;
    const codePoint = ch.codePointAt(0) ?? 0;
    if (isForbiddenInTextField(codePoint)) {
      throw invalidInput(
        field,
        `invalid character ${describeChar(ch)} at position ${position}; expected one line of text without control characters or Unicode line/paragraph separators`,
      );
    }
  }
  return text;
}
