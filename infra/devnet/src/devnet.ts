import fs from 'node:fs';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  formatVersion,
  freePort,
  startAnvil,
  startNats,
  type AnvilChain,
  type ManagedProcess,
} from '@omniclear/testkit';
import { deployOmniclear, type Deployment } from '@omniclear/chain';
import { parseEther } from 'viem';
import { DEVNET_ACTORS, DEVNET_ASSET, DEVNET_CHAINS } from './topology.js';
import { startApp } from './services.js';

export interface DevnetOptions {
  /** Fixed ports (the launcher) or free ones (tests, when omitted). */
  readonly ports?: { readonly chains?: readonly number[]; readonly nats?: number; readonly http?: number };
  /** Where the deployment file and service state go. */
  readonly stateDir: string;
  /** Mirror every process's output to this process's stdout. */
  readonly echo?: boolean;
  /** Relayer and gateway polling interval. */
  readonly pollMs?: number;
  /**
   * Runs `apps/price-feed` with this configuration (its `OMNI_FEED_*` keys; the NATS URL is
   * added). Without it nothing publishes prices: tests publish their own.
   */
  readonly priceFeed?: Readonly<Record<string, string>>;
  /** Extra clearing-node configuration (its `OMNI_*` keys), over the devnet's own. */
  readonly clearingNode?: Readonly<Record<string, string>>;
}

/** A running devnet. `stop()` tears everything down, in reverse order, and never throws. */
export interface Devnet {
  readonly deployment: Deployment;
  readonly deploymentFile: string;
  readonly natsUrl: string;
  /** The broker's release, and whether it fsyncs every JetStream write (`sync_interval: always`, 2.10+). */
  readonly nats: { readonly version: string; readonly syncAlways: boolean };
  readonly apiUrl: string;
  readonly chains: readonly AnvilChain[];
  readonly services: Readonly<Record<string, ManagedProcess>>;
  stop(): Promise<void>;
}

/**
 * Brings up the whole system on this machine: three anvil chains with the real LayerZero
 * EndpointV2 + SimpleMessageLib, the Omniclear contracts, nats-server with JetStream, the
 * relayer, the chain gateway and a clearing node.
 */
export async function startDevnet(opts: DevnetOptions): Promise<Devnet> {
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stoppers.reverse()) {
      await fn().catch(() => undefined);
    }
    stoppers.length = 0;
  };
  try {
    fs.mkdirSync(opts.stateDir, { recursive: true });
    // The chains start empty every time, so the broker's streams must too: events of an earlier
    // run would describe contracts that no longer exist.
    const natsDir = path.join(opts.stateDir, 'nats');
    fs.rmSync(natsDir, { recursive: true, force: true });
    const chainPorts = opts.ports?.chains ?? [];
    const [chains, nats] = await Promise.all([
      Promise.all(
        DEVNET_CHAINS.map((spec, i) => startAnvil({ chainId: spec.chainId, port: chainPorts[i], echo: false })),
      ),
      startNats({ port: opts.ports?.nats, storeDir: natsDir }),
    ]);
    for (const chain of chains) stoppers.push(() => chain.stop());
    stoppers.push(() => nats.stop());

    const targets = DEVNET_CHAINS.map((spec, i) => ({
      name: spec.name,
      chainId: spec.chainId,
      eid: spec.eid,
      rpcUrl: chains[i]!.rpcUrl,
    }));
    const deployment = await deployOmniclear({
      hub: targets[0]!,
      spokes: targets.slice(1),
      deployerKey: DEVNET_ACTORS.deployer.key,
      // One clearing node: its signer key is the whole signer set.
      signers: [DEVNET_ACTORS.clearingSigner.address],
      threshold: 1,
      tokens: [DEVNET_ASSET],
      protocols: [DEVNET_ACTORS.protocol.address],
      // Each vault pays the insurance fund's part of a liquidation penalty here.
      insuranceFunds: Object.fromEntries(targets.slice(1).map((t) => [t.name, DEVNET_ACTORS.insuranceFund.address])),
      // Vaults pay the LayerZero fee of their acknowledgements from this native reserve.
      ackReserveWei: parseEther('10'),
    });
    const deploymentFile = path.join(opts.stateDir, 'deployment.json');
    fs.writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2));

    const pollMs = String(opts.pollMs ?? 200);
    const echo = opts.echo ?? false;
    const hub = deployment.chains.find((c) => c.role === 'hub')!;
    const httpPort = opts.ports?.http ?? (await freePort());

    const relayer = await startApp({
      app: 'lz-relayer',
      env: {
        OMNI_DEPLOYMENT_FILE: deploymentFile,
        OMNI_RELAYER_KEY: DEVNET_ACTORS.relayer.key,
        OMNI_RELAYER_POLL_MS: pollMs,
      },
      readyLine: /relayer started/i,
      echo,
    });
    stoppers.push(() => relayer.stop());

    const clearingNode = await startApp({
      app: 'clearing-node',
      env: {
        OMNI_NATS_URL: nats.url,
        OMNI_HTTP_PORT: String(httpPort),
        OMNI_HTTP_HOST: '127.0.0.1',
        OMNI_NODE_ID: 'devnet-node-1',
        OMNI_SIGNER_KEY: DEVNET_ACTORS.clearingSigner.key,
        OMNI_HUB_CHAIN_ID: String(hub.chainId),
        OMNI_HUB_ADDRESS: hub.hub!,
        OMNI_LIQUIDATION_RECIPIENT: DEVNET_ACTORS.liquidator.address,
        // the node refuses at boot a recipient that is one of these (a seizure sent there is locked)
        OMNI_VAULTS: JSON.stringify(
          deployment.chains.filter((c) => c.role === 'spoke').map((c) => ({ eid: c.eid, address: c.vault! })),
        ),
        OMNI_ASSETS: JSON.stringify([
          {
            symbol: DEVNET_ASSET.symbol,
            decimals: DEVNET_ASSET.decimals,
            tokens: deployment.chains
              .filter((c) => c.role === 'spoke')
              .map((c) => ({ eid: c.eid, token: c.tokens[DEVNET_ASSET.symbol]!.address })),
            initialWeight: '0.8',
            maintenanceWeight: '0.85',
          },
        ]),
        // The devnet has no mark feed: ETH-PERP's mark and index follow the WETH oracle price.
        OMNI_MARKETS: JSON.stringify([
          {
            symbol: 'ETH-PERP',
            indexAsset: DEVNET_ASSET.symbol,
            baseIMR: '0.05',
            baseMMR: '0.025',
            imrFactor: '0.0000003754',
            maxLeverage: '20',
          },
        ]),
        ...opts.clearingNode,
      },
      port: httpPort,
      echo,
    });
    stoppers.push(() => clearingNode.stop());

    const gateway = await startApp({
      app: 'chain-gateway',
      env: {
        OMNI_NATS_URL: nats.url,
        OMNI_HUB_RPC_URL: hub.rpcUrl,
        OMNI_HUB_CHAIN_ID: String(hub.chainId),
        OMNI_HUB_ADDRESS: hub.hub!,
        OMNI_SUBMITTER_KEY: DEVNET_ACTORS.submitter.key,
        OMNI_GATEWAY_CONFIRMATIONS: '0',
        OMNI_GATEWAY_POLL_MS: pollMs,
        OMNI_GATEWAY_START_BLOCK: '0',
        OMNI_GATEWAY_CONSUMER: 'gateway-devnet',
      },
      readyLine: /started: hub 0x/,
      echo,
    });
    stoppers.push(() => gateway.stop());

    const services: Record<string, ManagedProcess> = { relayer, clearingNode, gateway };
    if (opts.priceFeed) {
      const priceFeed = await startApp({
        app: 'price-feed',
        env: { ...opts.priceFeed, OMNI_NATS_URL: nats.url },
        readyLine: /price feed started/,
        echo,
      });
      stoppers.push(() => priceFeed.stop());
      services.priceFeed = priceFeed;
    }

    return {
      deployment,
      deploymentFile,
      natsUrl: nats.url,
      nats: { version: formatVersion(nats.version), syncAlways: nats.syncAlways },
      apiUrl: `http://127.0.0.1:${httpPort}`,
      chains,
      services,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A NATS connection to the devnet's broker (the caller closes it). */
export function connectNats(devnet: Pick<Devnet, 'natsUrl'>): Promise<NatsConnection> {
  return connect({ servers: devnet.natsUrl });
}
