/**
 * Positions in a SQL statement. libpg-query reports byte offsets into the UTF-8 text (as
 * PostgreSQL does); catrust's AST keeps character offsets, and errors show line and column.
 */
import { sourceLocation, type SourceLocation } from '../../common/index.js';
import type { Identifier } from './ast.js';

export class SqlText {
  readonly text: string;
  readonly file: string | undefined;
  /** Character offset of each UTF-8 byte offset; undefined for pure ASCII text. */
  private charOfByte: Int32Array | undefined;
  private lineStarts: number[] | undefined;

  constructor(text: string, file?: string) {
    this.text = text;
    this.file = file;
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\x7f]*$/.test(text)) {
      const bytes = Buffer.byteLength(text, 'utf8');
      const map = new Int32Array(bytes + 1);
      let byteOffset = 0;
      for (let charOffset = 0; charOffset < text.length; charOffset++) {
        const code = text.charCodeAt(charOffset);
        const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code < 0xdc00 ? 4 : 3;
        for (let k = 0; k < width; k++) map[byteOffset + k] = charOffset;
        byteOffset += width;
        if (width === 4) charOffset++;
      }
      map[bytes] = text.length;
      this.charOfByte = map;
    }
  }

  /** The character offset of a libpg-query byte location (-1, unknown, gives 0). */
  charOffset(byteLocation: number | undefined): number {
    if (byteLocation === undefined || byteLocation < 0) return 0;
    if (this.charOfByte === undefined) return Math.min(byteLocation, this.text.length);
    return this.charOfByte[Math.min(byteLocation, this.charOfByte.length - 1)] ?? 0;
  }

  /** Line and column (from 1) of a character offset. */
  location(charOffset: number): SourceLocation {
    if (this.lineStarts === undefined) {
      const starts = [0];
      for (let index = 0; index < this.text.length; index++) {
        if (this.text.charCodeAt(index) === 10) starts.push(index + 1);
      }
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= charOffset) low = middle;
      else high = middle - 1;
    }
    return sourceLocation(this.file, low + 1, charOffset - (starts[low] ?? 0) + 1);
  }

  /**
   * The dotted identifier chain written at `charOffset` (`e."Works_In".x`): whether each part was
   * quoted, which libpg-query's tree does not keep. Stops at the first character that cannot
   * continue a chain; `names` (the folded names from the parse tree) are returned with quoting
   * information where the text agrees with them, and as unquoted otherwise.
   */
  identifiers(charOffset: number, names: readonly string[]): Identifier[] {
    const result: Identifier[] = [];
    let offset = charOffset;
    for (const name of names) {
      while (offset < this.text.length && /\s/.test(this.text[offset] ?? '')) offset++;
      const start = offset;
      if (this.text[offset] === '"') {
        let value = '';
        offset++;
        while (offset < this.text.length) {
          const char = this.text[offset];
          if (char === '"') {
            if (this.text[offset + 1] === '"') {
              value += '"';
              offset += 2;
              continue;
            }
            offset++;
            break;
          }
          value += char;
          offset++;
        }
        result.push({ text: name, quoted: value === name, position: start });
      } else {
        while (offset < this.text.length && /[\p{L}\p{N}_$]/u.test(this.text[offset] ?? '')) {
          offset++;
        }
        result.push({ text: name, quoted: false, position: start });
      }
      while (offset < this.text.length && /\s/.test(this.text[offset] ?? '')) offset++;
      if (this.text[offset] === '.') offset++;
    }
    return result;
  }
}
