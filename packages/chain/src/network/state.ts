import { getAddress, pad, type Abi, type Address, type Hex, type PublicClient } from 'viem';
import { clearingHubAbi, collateralVaultAbi, endpointV2Abi } from '../generated/abis.js';
import type { NetworkIssue } from './errors.js';
import {
  CONFIG_TYPE_EXECUTOR,
  CONFIG_TYPE_ULN,
  decodeExecutorConfig,
  decodeUlnConfig,
  type ExecutorConfig,
  type UlnConfig,
} from './layerzero.js';
import type { PlannedOption, PlannedPathway } from './plan.js';

/** One end of a pathway on chain: its OApp, endpoint and a client to read them. */
export interface PathwayEndState {
  readonly name: string;
  readonly role: 'hub' | 'spoke';
  readonly oapp: Address;
  readonly endpoint: Address;
  readonly pub: PublicClient;
}

/** What the chains report for one pathway; a field is `undefined` when it could not be read. */
export interface PathwayState {
  readonly peer?: Hex;
  readonly sendLib?: Address;
  readonly sendLibIsDefault?: boolean;
  readonly executor?: ExecutorConfig;
  readonly sendUln?: UlnConfig;
  readonly receiveLib?: Address;
  readonly receiveLibIsDefault?: boolean;
  readonly receiveUln?: UlnConfig;
  /**
   * Whether the OApp's own config (not LayerZero's default, which LayerZero may change) fixes
   * every field: the executor config, the send side's and the receive side's ULN config.
   */
  readonly executorPinned?: boolean;
  readonly sendUlnPinned?: boolean;
  readonly receiveUlnPinned?: boolean;
  /** Enforced options bytes by message type name. */
  readonly options: Readonly<Record<string, Hex | undefined>>;
  /** The reads that failed, as issues. */
  readonly unreadable: readonly NetworkIssue[];
}

/** A setting of a pathway that differs from the plan, and which transaction puts it right. */
export interface PathwayDiff extends NetworkIssue {
  readonly fix:
    | { kind: 'peer' }
    | { kind: 'sendLib' }
    | { kind: 'executor' }
    | { kind: 'sendUln' }
    | { kind: 'option'; option: PlannedOption }
    | { kind: 'receiveLib' }
    | { kind: 'receiveUln' };
}

const endpointAbi = endpointV2Abi as Abi;

/** The ULN302 views that tell an OApp's own settings from LayerZero's defaults. */
const uln302Abi = [
  {
    type: 'function',
    name: 'getAppUlnConfig',
    stateMutability: 'view',
    inputs: [
      { name: 'oapp', type: 'address' },
      { name: 'remoteEid', type: 'uint32' },
    ],
    outputs: [
      {
        name: '',
        type: 'tuple',
        components: [
          { name: 'confirmations', type: 'uint64' },
          { name: 'requiredDVNCount', type: 'uint8' },
          { name: 'optionalDVNCount', type: 'uint8' },
          { name: 'optionalDVNThreshold', type: 'uint8' },
          { name: 'requiredDVNs', type: 'address[]' },
          { name: 'optionalDVNs', type: 'address[]' },
        ],
      },
    ],
  },
  {
    type: 'function',
    name: 'executorConfigs',
    stateMutability: 'view',
    inputs: [
      { name: 'oapp', type: 'address' },
      { name: 'eid', type: 'uint32' },
    ],
    outputs: [
      { name: 'maxMessageSize', type: 'uint32' },
      { name: 'executor', type: 'address' },
    ],
  },
] as const;

/** Whether an OApp's own ULN config pins every field (0 in any of these means "LayerZero's default"). */
function pinnedUln(c: { confirmations: bigint; requiredDVNCount: number; optionalDVNCount: number }): boolean {
  return c.confirmations !== 0n && c.requiredDVNCount !== 0 && c.optionalDVNCount !== 0;
}

/** The ABI of an end's OApp (both share OApp's `peers` and `enforcedOptions`). */
export function oappAbiOf(role: 'hub' | 'spoke'): Abi {
  return (role === 'hub' ? clearingHubAbi : collateralVaultAbi) as Abi;
}

/** Reads every setting of pathway `p` from its two ends (`from` sends, `to` receives). */
export async function readPathwayState(
  p: PlannedPathway,
  from: PathwayEndState,
  to: PathwayEndState,
): Promise<PathwayState> {
  const unreadable: NetworkIssue[] = [];
  const read = async <T>(chain: string, what: string, fn: () => Promise<unknown>): Promise<T | undefined> => {
    try {
      return (await fn()) as T;
    } catch (cause) {
      unreadable.push({
        path: p.path,
        message: `${chain}: cannot read ${what}: ${(cause as Error).message.split('\n')[0]}`,
      });
      return undefined;
    }
  };
  const endpointRead = (end: PathwayEndState, functionName: string, args: readonly unknown[]) => () =>
    end.pub.readContract({ address: end.endpoint, abi: endpointAbi, functionName, args });
  const oappRead = (end: PathwayEndState, functionName: string, args: readonly unknown[]) => () =>
    end.pub.readContract({ address: end.oapp, abi: oappAbiOf(end.role), functionName, args });

  const [
    peer,
    sendLib,
    sendLibIsDefault,
    executor,
    sendUln,
    receiveLib,
    receiveUln,
    [appExec, appSend, appReceive],
    options,
  ] = await Promise.all([
    read<Hex>(from.name, 'the peer', oappRead(from, 'peers', [p.toEid])),
    read<Address>(from.name, 'the send library', endpointRead(from, 'getSendLibrary', [from.oapp, p.toEid])),
    read<boolean>(from.name, 'isDefaultSendLibrary', endpointRead(from, 'isDefaultSendLibrary', [from.oapp, p.toEid])),
    read<Hex>(
      from.name,
      'the executor config',
      endpointRead(from, 'getConfig', [from.oapp, p.sendLib, p.toEid, CONFIG_TYPE_EXECUTOR]),
    ),
    read<Hex>(
      from.name,
      'the send ULN config',
      endpointRead(from, 'getConfig', [from.oapp, p.sendLib, p.toEid, CONFIG_TYPE_ULN]),
    ),
    read<readonly [Address, boolean]>(
      to.name,
      'the receive library',
      endpointRead(to, 'getReceiveLibrary', [to.oapp, p.fromEid]),
    ),
    read<Hex>(
      to.name,
      'the receive ULN config',
      endpointRead(to, 'getConfig', [to.oapp, p.receiveLib, p.fromEid, CONFIG_TYPE_ULN]),
    ),
    Promise.all([
      read<readonly [number, Address]>(from.name, 'the OApp executor config', () =>
        from.pub.readContract({
          address: p.sendLib,
          abi: uln302Abi,
          functionName: 'executorConfigs',
          args: [from.oapp, p.toEid],
        }),
      ),
      read<{ confirmations: bigint; requiredDVNCount: number; optionalDVNCount: number }>(
        from.name,
        'the OApp send ULN config',
        () =>
          from.pub.readContract({
            address: p.sendLib,
            abi: uln302Abi,
            functionName: 'getAppUlnConfig',
            args: [from.oapp, p.toEid],
          }),
      ),
      read<{ confirmations: bigint; requiredDVNCount: number; optionalDVNCount: number }>(
        to.name,
        'the OApp receive ULN config',
        () =>
          to.pub.readContract({
            address: p.receiveLib,
            abi: uln302Abi,
            functionName: 'getAppUlnConfig',
            args: [to.oapp, p.fromEid],
          }),
      ),
    ]),
    Promise.all(
      p.options.map(
        async (o) =>
          [
            o.type,
            await read<Hex>(
              from.name,
              `the enforced option of ${o.type}`,
              oappRead(from, 'enforcedOptions', [p.toEid, o.msgType]),
            ),
          ] as const,
      ),
    ),
  ]);
  return {
    peer,
    sendLib: sendLib && getAddress(sendLib),
    sendLibIsDefault,
    executor: executor && decodeExecutorConfig(executor),
    sendUln: sendUln && decodeUlnConfig(sendUln),
    receiveLib: receiveLib && getAddress(receiveLib[0]),
    receiveLibIsDefault: receiveLib?.[1],
    receiveUln: receiveUln && decodeUlnConfig(receiveUln),
    executorPinned: appExec && appExec[0] !== 0 && BigInt(appExec[1]) !== 0n,
    sendUlnPinned: appSend && pinnedUln(appSend),
    receiveUlnPinned: appReceive && pinnedUln(appReceive),
    options: Object.fromEntries(options),
    unreadable,
  };
}

function describeUln(c: UlnConfig): string {
  return `required [${c.requiredDVNs.join(', ')}], optional [${c.optionalDVNs.join(', ')}] threshold ${c.optionalDVNThreshold}, ${c.confirmations} confirmations`;
}

/**
 * Whether an effective ULN config read back equals the one set. An empty optional set is written
 * with the NIL count and reads back as count 0; everything else must be equal.
 */
export function sameUln(actual: UlnConfig, expected: UlnConfig): boolean {
  const norm = (c: UlnConfig) =>
    [
      c.confirmations,
      c.requiredDVNs.map((a) => a.toLowerCase()).join(','),
      c.optionalDVNs.map((a) => a.toLowerCase()).join(','),
      c.optionalDVNs.length === 0 ? 0 : c.optionalDVNThreshold,
    ].join('|');
  return norm(actual) === norm(expected);
}

/** Every setting of pathway `p` the state shows different from the plan (unreadable ones are skipped). */
export function pathwayDiffs(p: PlannedPathway, state: PathwayState, toOapp: Address): PathwayDiff[] {
  const diffs: PathwayDiff[] = [];
  const add = (path: string, message: string, fix: PathwayDiff['fix']) =>
    diffs.push({ path: path ? `${p.path}.${path}` : p.path, message, fix });

  if (state.peer !== undefined && state.peer.toLowerCase() !== pad(toOapp, { size: 32 }).toLowerCase()) {
    add('', `${p.from}: peer for eid ${p.toEid} is ${state.peer}, expected ${toOapp}`, { kind: 'peer' });
  }
  if (state.sendLib !== undefined && (state.sendLib !== p.sendLib || state.sendLibIsDefault !== false)) {
    add(
      'send',
      `${p.from}: send library for eid ${p.toEid} is ${state.sendLib}${state.sendLibIsDefault ? ' (the default)' : ''}, configured ${p.sendLib}`,
      { kind: 'sendLib' },
    );
  }
  if (
    state.executor !== undefined &&
    (state.executor.executor !== p.executor.executor || state.executor.maxMessageSize !== p.executor.maxMessageSize)
  ) {
    add(
      'send',
      `${p.from}: executor config for eid ${p.toEid} is ${state.executor.executor} / ${state.executor.maxMessageSize} bytes, configured ${p.executor.executor} / ${p.executor.maxMessageSize} bytes`,
      { kind: 'executor' },
    );
  }
  const unpinned = (chain: string, what: string, eid: number) =>
    `${chain}: the OApp has no ${what} of its own for eid ${eid}: it follows LayerZero's default, which LayerZero may change`;
  if (state.executorPinned === false) {
    add('send', unpinned(p.from, 'executor config', p.toEid), { kind: 'executor' });
  }
  if (state.sendUlnPinned === false) {
    add('send', unpinned(p.from, 'send ULN config', p.toEid), { kind: 'sendUln' });
  }
  if (state.receiveUlnPinned === false) {
    add('receive', unpinned(p.to, 'receive ULN config', p.fromEid), { kind: 'receiveUln' });
  }
  if (state.sendUln !== undefined && !sameUln(state.sendUln, p.sendUln)) {
    add(
      'send',
      `${p.from} send ULN config for eid ${p.toEid} is ${describeUln(state.sendUln)}, configured ${describeUln(p.sendUln)}`,
      { kind: 'sendUln' },
    );
  }
  for (const o of p.options) {
    const actual = state.options[o.type];
    if (actual !== undefined && actual.toLowerCase() !== o.options.toLowerCase()) {
      add(
        `enforcedOptions.${o.type}`,
        `${p.from}: enforced options for eid ${p.toEid} are ${actual}, configured ${o.options} (${o.gas} gas)`,
        { kind: 'option', option: o },
      );
    }
  }
  if (state.receiveLib !== undefined && (state.receiveLib !== p.receiveLib || state.receiveLibIsDefault !== false)) {
    add(
      'receive',
      `${p.to}: receive library for eid ${p.fromEid} is ${state.receiveLib}${state.receiveLibIsDefault ? ' (the default)' : ''}, configured ${p.receiveLib}`,
      { kind: 'receiveLib' },
    );
  }
  if (state.receiveUln !== undefined && !sameUln(state.receiveUln, p.receiveUln)) {
    add(
      'receive',
      `${p.to} receive ULN config for eid ${p.fromEid} is ${describeUln(state.receiveUln)}, configured ${describeUln(p.receiveUln)}`,
      { kind: 'receiveUln' },
    );
  }
  return diffs;
}
