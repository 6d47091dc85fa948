import { formatEther, parseEther } from 'viem';
import { loadDevnetConfig } from './config.js';
import { startDevnet } from './devnet.js';
import { DEVNET_ACTORS, DEVNET_ASSET } from './topology.js';
import { approveIntegrator, mintAndDeposit, reportExposure } from './actions.js';
import { scenario } from './scenarios.js';
import { eventually } from './wait.js';

/**
 * `pnpm devnet`: the whole system on this machine, with a demo account and a moving WETH price
 * (a random walk, or a recorded crash). Ctrl-C stops it and everything it started.
 */
async function main(): Promise<void> {
  const config = loadDevnetConfig(process.env, process.env.INIT_CWD ?? process.cwd());
  const log = (msg: string) => console.log(`[devnet] ${msg}`);
  const prices = scenario(config.OMNI_DEVNET_SCENARIO, {
    intervalMs: config.OMNI_DEVNET_PRICE_INTERVAL_MS,
    seed: config.OMNI_DEVNET_SEED,
  });
  log(`price scenario '${prices.name}': ${prices.description}`);
  log('starting anvil chains, nats-server, contracts and services…');
  const devnet = await startDevnet({
    stateDir: config.OMNI_DEVNET_DIR,
    echo: config.OMNI_DEVNET_ECHO,
    ports: {
      chains: [config.OMNI_DEVNET_HUB_PORT, config.OMNI_DEVNET_SPOKE_A_PORT, config.OMNI_DEVNET_SPOKE_B_PORT],
      nats: config.OMNI_DEVNET_NATS_PORT,
      http: config.OMNI_DEVNET_HTTP_PORT,
    },
    priceFeed: prices.feed,
    clearingNode: prices.node,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await devnet.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const trader = DEVNET_ACTORS.trader;
  const deposits = [
    { chain: 'spoke-a', amount: parseEther('1') },
    { chain: 'spoke-b', amount: parseEther('2') },
  ];
  for (const d of deposits) {
    log(`demo trader ${trader.address} deposits ${formatEther(d.amount)} ${DEVNET_ASSET.symbol} on ${d.chain}`);
    await mintAndDeposit({
      deployment: devnet.deployment,
      chain: d.chain,
      userKey: trader.key,
      asset: 'WETH',
      amount: d.amount,
    });
  }
  // Packets from two spokes reach the hub in no guaranteed order: report the exposure only once
  // the clearing node has booked both deposits, so the demo starts from a healthy account.
  await eventually('the demo deposits to reach the clearing node', async () => {
    const res = await fetch(`${devnet.apiUrl}/accounts/${trader.address}`);
    const view = (await res.json()) as { balances: Array<{ balance: string }> };
    return view.balances.filter((b) => b.balance !== '0').length === deposits.length ? true : undefined;
  });
  // The trader approves the demo perp DEX on spoke-a, which reports a 25 ETH-PERP long opened at the
  // scenario's start price: about 8× the 3 WETH of collateral, so a fall of several percent
  // liquidates the account.
  const size = parseEther('25');
  log(`demo protocol on spoke-a reports a ${formatEther(size)} ETH-PERP long at ${formatEther(prices.startPrice)} USD`);
  await approveIntegrator({
    deployment: devnet.deployment,
    chain: 'spoke-a',
    userKey: trader.key,
    integrator: DEVNET_ACTORS.protocol.address,
  });
  await reportExposure({
    deployment: devnet.deployment,
    chain: 'spoke-a',
    protocolKey: DEVNET_ACTORS.protocol.key,
    account: trader.address,
    market: 'ETH-PERP',
    size,
    entryPrice: prices.startPrice,
  });

  const hub = devnet.deployment.chains.find((c) => c.role === 'hub')!;
  log('devnet is up');
  for (const c of devnet.deployment.chains) {
    const contract = c.role === 'hub' ? `hub ${hub.hub}` : `vault ${c.vault}`;
    log(`  ${c.name.padEnd(8)} chainId ${c.chainId}  eid ${c.eid}  ${c.rpcUrl}  ${contract}`);
  }
  log(
    `  nats          ${devnet.natsUrl}  (nats-server ${devnet.nats.version}, ` +
      (devnet.nats.syncAlways
        ? 'sync_interval: always: every write fsynced before its ack)'
        : 'no sync_interval before 2.10: writes acknowledged before fsync)'),
  );
  log(`  clearing node ${devnet.apiUrl}  (try: curl ${devnet.apiUrl}/accounts/${trader.address})`);
  log(`  deployment    ${devnet.deploymentFile}`);
  log(
    `watch the account: once the long's loss eats its collateral it is liquidated on both spokes. Ctrl-C stops everything.`,
  );
}

main().catch((error: unknown) => {
  console.error(`[devnet] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
