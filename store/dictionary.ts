/**
 * A column's string dictionary: append-only, codes dense from 0 and stable for the life of the
 * column state, shared by every version of the column (a rolled-back transaction may leave
 * unused entries; compaction drops them). `strings` is the array the read API hands out.
 *
 * V8 caps one Map at 2^24 entries, so codes are looked up in maps of at most 2^23 entries each.
 */
import { limits } from '../common/index.js';
import { StoreError } from './errors.js';

const MAP_ENTRIES_MAX = 2 ** 23;

export class Dictionary {
  readonly strings: string[] = [];
  private readonly maps: Map<string, number>[] = [new Map()];

  static of(strings: readonly string[]): Dictionary {
    const dictionary = new Dictionary();
    for (const value of strings) dictionary.intern(value);
    return dictionary;
  }

  get size(): number {
    return this.strings.length;
  }

  code(value: string): number | undefined {
    for (const map of this.maps) {
      const code = map.get(value);
      if (code !== undefined) return code;
    }
    return undefined;
  }

  intern(value: string): number {
    const maps = this.maps;
    let code = maps[0]!.get(value);
    if (code !== undefined) return code;
    for (let mapIndex = 1; mapIndex < maps.length; mapIndex++) {
      code = maps[mapIndex]!.get(value);
      if (code !== undefined) return code;
    }
    code = this.strings.length;
    if (code >= limits.dictionaryEntriesMax) {
      throw new StoreError(
        'E_STORE_TYPE',
        `a column dictionary reached ${limits.dictionaryEntriesMax} distinct strings (limits.dictionaryEntriesMax)`,
      );
    }
    let last = maps[maps.length - 1]!;
    if (last.size >= MAP_ENTRIES_MAX) {
      last = new Map();
      maps.push(last);
    }
    last.set(value, code);
    this.strings.push(value);
    return code;
  }
}
