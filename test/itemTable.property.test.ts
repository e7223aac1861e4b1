import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemEntries, itemList, ItemTableWriter, readItem, type ItemTable } from '../src/machines/workflow/ItemTable.js';

/** A sequence of events, each writing some items (value `null` clears an entry). */
const events = fc.array(fc.array(fc.tuple(fc.nat({ max: 200 }), fc.option(fc.integer(), { nil: null })), { maxLength: 8 }), { maxLength: 30 });

describe('ItemTable', () => {
  it('for all write sequences: reads match a plain array, and every earlier version is left unchanged', () => {
    fc.assert(
      fc.property(events, (sequence) => {
        let table: ItemTable<number> = [];
        const model: (number | null)[] = [];
        const versions: { table: ItemTable<number>; json: string }[] = [];
        for (const writes of sequence) {
          versions.push({ table, json: JSON.stringify(table) });
          const writer = new ItemTableWriter();
          const next = writer.own(table);
          for (const [index, value] of writes) {
            writer.write(next, index, value);
            model[index] = value;
          }
          table = next;
        }
        for (let i = 0; i <= 200; i++) expect(readItem(table, i)).toBe(model[i] ?? null);
        expect([...itemEntries(table)]).toEqual(model.flatMap((v, i) => (v === null || v === undefined ? [] : [[i, v]])));
        expect(itemList(table, model.length)).toEqual(Array.from({ length: model.length }, (_, i) => model[i] ?? null));
        for (const version of versions) expect(JSON.stringify(version.table)).toBe(version.json);
        expect(JSON.parse(JSON.stringify(table))).toEqual(table); // JSON data: a persisted snapshot restores it
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });
});
