/**
 * `JSON.stringify` that writes every bigint as a decimal string.
 *
 * @example toJson({ amount: 10n ** 30n }); // '{"amount":"1000000000000000000000000000000"}'
 */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space);
}
