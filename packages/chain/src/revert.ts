import { BaseError, decodeErrorResult, type Abi, type Hex } from 'viem';

/** Finds the raw revert data carried somewhere in a viem error chain (RPC errors nest it differently). */
export function revertData(err: unknown): Hex | undefined {
  if (!(err instanceof BaseError)) return undefined;
  let found: Hex | undefined;
  err.walk((e) => {
    const data = (e as { data?: unknown }).data;
    const hex = typeof data === 'string' ? data : (data as { data?: unknown } | undefined)?.data;
    if (typeof hex === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(hex)) {
      found = hex as Hex;
      return true;
    }
    return false;
  });
  return found;
}

/**
 * A one-line, human-readable reason for a failed call or transaction: the decoded custom error
 * (`RateLimited(0x…, 100, 0)`) when `abi` knows it, else viem's short message.
 * @example describeRevert(err, [...endpointV2Abi, ...collateralVaultAbi])
 */
export function describeRevert(err: unknown, abi: Abi): string {
  const data = revertData(err);
  if (data) {
    try {
      const decoded = decodeErrorResult({ abi, data });
      const args = (decoded.args ?? []).map((a) => (typeof a === 'bigint' ? a.toString() : String(a)));
      return `${decoded.errorName}(${args.join(', ')})`;
    } catch {
      return `unknown revert ${data.slice(0, 10)}`;
    }
  }
  if (err instanceof BaseError) return err.shortMessage;
  return err instanceof Error ? err.message : String(err);
}
