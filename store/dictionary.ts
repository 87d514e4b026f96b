/**
 * A column's string dictionary: append-only, codes dense from 0 and stable for the life of the
 * column state, shared by every version of the column (a rolled-back transaction may leave
 * unused entries; compaction drops them). `strings` is the array the read API hands out.
 *
 * V8 caps one Map at 2^24 entries, so codes are looked up in maps of at most 2^23 entries each.
 *
 * A bulk append of codes into another store dictionary (a source column's, as a scan hands it
 * out) translates each source entry once per target dictionary, ever: the translation is kept
 * here, keyed by the source's `strings` array, and stays valid because both sides are
 * append-only with stable codes.
 */
import { limits } from '../common/index.js';
import { StoreError } from './errors.js';

const MAP_ENTRIES_MAX = 2 ** 23;

/** The `strings` arrays of every Dictionary: append-only, entries never change. */
const OWNED = new WeakSet<readonly string[]>();

export class Dictionary {
  readonly strings: string[] = [];
  private readonly maps: Map<string, number>[] = [new Map()];
  /** Per source dictionary: source code → this dictionary's code + 1 (0: not translated yet). */
  private translations: WeakMap<readonly string[], Uint32Array> | undefined;

  constructor() {
    OWNED.add(this.strings);
  }

  /** True when `strings` is a store dictionary's array (append-only, entries fixed). */
  static owns(strings: readonly string[]): boolean {
    return OWNED.has(strings);
  }

  /**
   * The kept translation from the store dictionary `source` into this one (code + 1, 0 when
   * not translated yet), at least `source.length` long. The caller fills entries it translates.
   */
  translation(source: readonly string[]): Uint32Array {
    this.translations ??= new WeakMap();
    let table = this.translations.get(source);
    if (table === undefined || table.length < source.length) {
      const grown = new Uint32Array(Math.max(source.length, Math.ceil((table?.length ?? 0) * 1.5)));
      if (table !== undefined) grown.set(table);
      table = grown;
      this.translations.set(source, table);
    }
    return table;
  }

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
