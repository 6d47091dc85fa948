import { ANVIL_KEYS, startAnvil, startNats, type AnvilChain, type NatsServer } from '@omniclear/testkit';
import { addressToBytes32, clearingHubAbi, deployOmniclear, hubChain, type Deployment } from '@omniclear/chain';
import { encodeMessage, type HubBoundMessage } from '@omniclear/protocol';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  parseEther,
  toHex,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

import { loadGatewayConfig, type GatewayConfig } from '../src/config.js';

export const HUB_EID = 40101;
export const SPOKE_EID = 40102;
/** Sends and pays for dispatch transactions (any funded account). */
export const SUBMITTER_KEY = ANVIL_KEYS[1];
export const SUBMITTER = privateKeyToAccount(SUBMITTER_KEY).address;
/** The hub's clearing signers (2 of 3), and a key that is not one of them. */
export const SIGNER_KEYS = [ANVIL_KEYS[7], ANVIL_KEYS[8], ANVIL_KEYS[9]] as Hex[];
export const SIGNERS = SIGNER_KEYS.map((k) => privateKeyToAccount(k).address);
export const THRESHOLD = 2;
export const STRANGER_KEY = ANVIL_KEYS[6] as Hex;

/** A real nats-server, a hub and a spoke anvil, and Omniclear deployed on them by @omniclear/chain. */
export interface Devnet {
  nats: NatsServer;
  hubChain: AnvilChain;
  spokeChain: AnvilChain;
  deployment: Deployment;
  hub: Address;
  endpoint: Address;
  vault: Address;
  token: Address;
  stop(): Promise<void>;
}

export async function startDevnet(): Promise<Devnet> {
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const nats = await startNats();
    started.push(nats);
    const hubAnvil = await startAnvil({ chainId: 31337 });
    started.push(hubAnvil);
    const spokeAnvil = await startAnvil({ chainId: 31338 });
    started.push(spokeAnvil);
    const deployment = await deployOmniclear({
      hub: { name: 'hub', chainId: 31337, eid: HUB_EID, rpcUrl: hubAnvil.rpcUrl },
      spokes: [{ name: 'spoke-a', chainId: 31338, eid: SPOKE_EID, rpcUrl: spokeAnvil.rpcUrl }],
      deployerKey: ANVIL_KEYS[0],
      signers: SIGNERS,
      threshold: THRESHOLD,
      tokens: [{ symbol: 'USDC', decimals: 6 }],
    });
    const hubInfo = hubChain(deployment);
    const spoke = deployment.chains.find((c) => c.role === 'spoke')!;
    const devnet: Devnet = {
      nats,
      hubChain: hubAnvil,
      spokeChain: spokeAnvil,
      deployment,
      hub: hubInfo.hub,
      endpoint: hubInfo.endpoint,
      vault: spoke.vault!,
      token: spoke.tokens.USDC!.address,
      // Stops what `nats` is now: a test may have replaced it with a restarted server.
      async stop() {
        await Promise.allSettled([devnet.nats.stop(), hubAnvil.stop(), spokeAnvil.stop()]);
      },
    };
    return devnet;
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw err;
  }
}

/** The gateway's config for a devnet, through the same loader `main.ts` uses. */
export function gatewayConfig(devnet: Devnet, overrides: Record<string, string> = {}): GatewayConfig {
  return loadGatewayConfig({
    OMNI_NATS_URL: devnet.nats.url,
    OMNI_HUB_RPC_URL: devnet.hubChain.rpcUrl,
    OMNI_HUB_CHAIN_ID: '31337',
    OMNI_HUB_ADDRESS: devnet.hub,
    OMNI_SUBMITTER_KEY: SUBMITTER_KEY,
    OMNI_GATEWAY_POLL_MS: '100',
    OMNI_GATEWAY_MAX_DELIVER: '2',
    OMNI_GATEWAY_RETRY_DELAY_MS: '200',
    OMNI_GATEWAY_CONSUMER: 'test-executor',
    ...overrides,
  });
}

/**
 * Delivers hub-bound messages as LayerZero would: `hub.lzReceive` called by the hub's endpoint
 * (impersonated on anvil) with the vault as the origin sender. With `sameBlock`, all of them are
 * mined in one block, so the block holds several `MessageReceived` logs.
 */
export class HubDeliverer {
  private nonce = 0n;
  private readonly test;
  private readonly endpointWallet;
  private readonly pub;

  constructor(private readonly devnet: Devnet) {
    const transport = http(devnet.hubChain.rpcUrl);
    this.test = createTestClient({ mode: 'anvil', transport });
    this.pub = createPublicClient({ transport });
    this.endpointWallet = createWalletClient({ account: devnet.endpoint, transport });
  }

  async deliver(messages: HubBoundMessage[], opts: { sameBlock?: boolean } = {}): Promise<Hex[]> {
    await this.test.impersonateAccount({ address: this.devnet.endpoint });
    await this.test.setBalance({ address: this.devnet.endpoint, value: parseEther('10') });
    if (opts.sameBlock) await this.test.setAutomine(false);
    const hashes: Hex[] = [];
    try {
      let accountNonce = await this.pub.getTransactionCount({ address: this.devnet.endpoint, blockTag: 'pending' });
      for (const message of messages) {
        this.nonce += 1n;
        hashes.push(
          await this.endpointWallet.writeContract({
            chain: null,
            address: this.devnet.hub,
            abi: clearingHubAbi,
            functionName: 'lzReceive',
            args: [
              { srcEid: SPOKE_EID, sender: addressToBytes32(this.devnet.vault), nonce: this.nonce },
              keccak256(toHex(`guid-${this.nonce}`)),
              encodeMessage(message),
              devnet_executor,
              '0x',
            ],
            gas: 500_000n,
            nonce: accountNonce++,
          }),
        );
      }
      if (opts.sameBlock) await this.test.mine({ blocks: 1 });
    } finally {
      if (opts.sameBlock) await this.test.setAutomine(true);
      await this.test.stopImpersonatingAccount({ address: this.devnet.endpoint });
    }
    for (const hash of hashes) {
      const receipt = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== 'success') throw new Error(`lzReceive reverted in ${hash}`);
    }
    return hashes;
  }
}

const devnet_executor: Address = '0x000000000000000000000000000000000000e0e0';

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export function balanceMessage(seq: bigint, account: Address, token: Address, balance: bigint): HubBoundMessage {
  return { type: 'BALANCE', account, token, balance, delta: balance, seq };
}
