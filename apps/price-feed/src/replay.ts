import path from 'node:path';

import { parseDecimal18 } from './decimal.js';
import { CsvFormatError, DecimalFormatError } from './errors.js';

/** One recorded price: an asset's USD close (18 decimals) at a unix second. */
export interface RecordedPrice {
  readonly asset: string;
  readonly price: bigint;
  readonly publishTime: bigint;
  /** Where the row came from, `<file>:<line>`, for logs. */
  readonly origin: string;
  /** The file's base name (the event's `source` is derived from it). */
  readonly file: string;
  /** The recorded mark price (USD, 18 decimals) of the optional `mark` column, when the row has one. */
  readonly mark?: bigint;
}

const HEADER = 'timestamp,asset,price';
const HEADER_WITH_MARK = 'timestamp,asset,price,mark';
const ASSET = /^[A-Z0-9_]{1,32}$/;
// Whole seconds only: publishTime is in seconds, and a sub-second stamp would collide or reorder.
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.0+)?Z$/;

/** Parses an ISO-8601 UTC timestamp (`2020-03-12T02:50:00Z`) into unix seconds; undefined if invalid. */
export function parseIsoUtc(text: string): bigint | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 2021-02-30 over to March: a round trip catches impossible dates.
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  ) {
    return undefined;
  }
  return BigInt(ms / 1000);
}

/**
 * Parses a recorded series: the header `timestamp,asset,price`, then one row per candle with an
 * ISO-8601 UTC timestamp, an upper-case symbol and a decimal USD price (parsed exactly). Each
 * asset's timestamps must strictly increase. `assetMap` renames symbols (e.g. BTC → WBTC). With the
 * header `timestamp,asset,price,mark` each row has a fourth field: the recorded mark price of the
 * perp markets that follow the asset, positive, or empty when the row has none.
 *
 * @throws {CsvFormatError} naming the file, the line and what is wrong with it.
 * @example parseSeries('btc.csv', 'timestamp,asset,price\n2020-03-12T02:50:00Z,BTC,7691.49\n');
 */
export function parseSeries(
  file: string,
  text: string,
  assetMap: Readonly<Record<string, string>> = {},
): RecordedPrice[] {
  const base = path.basename(file);
  const lines = text.split(/\r?\n/);
  const fail = (line: number, why: string): never => {
    throw new CsvFormatError(`${file}:${line}: ${why}`, { details: { file, line } });
  };
  const header = lines[0]?.replace(/^\uFEFF/, '').trim();
  if (header !== HEADER && header !== HEADER_WITH_MARK) {
    fail(
      1,
      `expected the header ${JSON.stringify(HEADER)} or ${JSON.stringify(HEADER_WITH_MARK)}, got ${JSON.stringify(lines[0] ?? '')}`,
    );
  }
  const width = header === HEADER ? 3 : 4;
  const rows: RecordedPrice[] = [];
  const lastTime = new Map<string, bigint>();
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i]!;
    if (raw.trim() === '') {
      // Only trailing blank lines are allowed: a hole in the middle means a damaged file.
      if (lines.slice(i).every((l) => l.trim() === '')) break;
      fail(line, 'empty line');
    }
    const fields = raw.split(',');
    if (fields.length !== width) fail(line, `expected ${width} fields (${header}), got ${fields.length}`);
    const [ts, symbol, priceText, markText] = fields.map((f) => f.trim()) as [string, string, string, string?];
    const publishTime = parseIsoUtc(ts);
    if (publishTime === undefined)
      fail(line, `invalid timestamp ${JSON.stringify(ts)} (expected ISO-8601 UTC, e.g. 2020-03-12T02:50:00Z)`);
    if (!ASSET.test(symbol)) fail(line, `invalid asset ${JSON.stringify(symbol)} (expected 1-32 of A-Z, 0-9, _)`);
    let price = 0n;
    try {
      price = parseDecimal18(priceText);
    } catch (err) {
      if (!(err instanceof DecimalFormatError)) throw err;
      fail(line, `invalid price: ${err.message}`);
    }
    if (price <= 0n) fail(line, `invalid price ${JSON.stringify(priceText)}: expected a positive number`);
    let mark: bigint | undefined;
    if (markText !== undefined && markText !== '') {
      try {
        mark = parseDecimal18(markText);
      } catch (err) {
        if (!(err instanceof DecimalFormatError)) throw err;
        fail(line, `invalid mark: ${err.message}`);
      }
      if (mark! <= 0n) fail(line, `invalid mark ${JSON.stringify(markText)}: expected a positive number`);
    }
    const asset = assetMap[symbol] ?? symbol;
    const previous = lastTime.get(asset);
    if (previous !== undefined && publishTime! <= previous) {
      fail(line, `timestamp ${ts} does not advance past the previous ${asset} row`);
    }
    lastTime.set(asset, publishTime!);
    rows.push({
      asset,
      price,
      publishTime: publishTime!,
      origin: `${file}:${line}`,
      file: base,
      ...(mark === undefined ? {} : { mark }),
    });
  }
  return rows;
}

/**
 * Merges several series into one play order: by timestamp, ties kept in the order of the files as
 * given (so a restart plays the same order).
 */
export function mergeSeries(series: readonly RecordedPrice[][]): RecordedPrice[] {
  const all = series.flatMap((rows, fileIndex) => rows.map((row, rowIndex) => ({ row, fileIndex, rowIndex })));
  all.sort((a, b) =>
    a.row.publishTime !== b.row.publishTime
      ? a.row.publishTime < b.row.publishTime
        ? -1
        : 1
      : a.fileIndex - b.fileIndex || a.rowIndex - b.rowIndex,
  );
  return all.map((x) => x.row);
}
