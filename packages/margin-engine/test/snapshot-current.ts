import type { MarginBook } from '../src/index.js';

/**
 * The book's snapshot text — each account's entry kept from an earlier snapshot until the account
 * changes — is exactly a fresh serialization of the whole book: no change left an entry stale.
 */
export function expectSnapshotCurrent(book: MarginBook): void {
  expect(book.snapshotJson()).toBe(JSON.stringify(book.snapshot()));
}
