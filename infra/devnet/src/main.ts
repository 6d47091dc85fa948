import { parseEther } from 'viem';
import { loadDevnetConfig } from './config.js';
import { startDevnet, connectNats } from './devnet.js';
import { DEVNET_ACTORS, DEVNET_ASSET } from './topology.js';
import { mintAndDeposit, publishPrice, reportExposure } from './actions.js';
import { eventually } from './wait.js';

/**
 * `pnpm devnet`: the whole system on this machine, with a demo account and a price that walks.
 * Stop it with Ctrl-C; everything it started stops with it.
 */
async function main(): Promise<void> {
  const config = loadDevnetConfig(process.env, process.env.INIT_CWD ?? process.cwd());
  const log = (msg: string) => console.log(`[devnet] ${msg}`);
  log('starting anvil chains, nats-server, contracts and services…');
  const devnet = await startDevnet({
    stateDir: config.OMNI_DEVNET_DIR,
    echo: config.OMNI_DEVNET_ECHO,
    ports: {
      chains: [config.OMNI_DEVNET_HUB_PORT, config.OMNI_DEVNET_SPOKE_A_PORT, config.OMNI_DEVNET_SPOKE_B_PORT],
      nats: config.OMNI_DEVNET_NATS_PORT,
      http: config.OMNI_DEVNET_HTTP_PORT,
    },
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    clearInterval(timer);
    await nc.close().catch(() => undefined);
    await devnet.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const nc = await connectNats(devnet);
  let price = parseEther('2000');
  let t = BigInt(Math.floor(Date.now() / 1000));
  await publishPrice(nc, { asset: DEVNET_ASSET.symbol, price, publishTime: t });

  const trader = DEVNET_ACTORS.trader;
  log(`demo trader ${trader.address}: depositing 1 WETH on spoke-a and 2 WETH on spoke-b`);
  await mintAndDeposit({
    deployment: devnet.deployment,
    chain: 'spoke-a',
    userKey: trader.key,
    asset: 'WETH',
    amount: parseEther('1'),
  });
  await mintAndDeposit({
    deployment: devnet.deployment,
    chain: 'spoke-b',
    userKey: trader.key,
    asset: 'WETH',
    amount: parseEther('2'),
  });
  // Packets from two spokes reach the hub in no guaranteed order: report the exposure only once
  // the clearing node has booked both deposits, so the demo starts from a healthy account.
  await eventually('the demo deposits to reach the clearing node', async () => {
    const res = await fetch(`${devnet.apiUrl}/accounts/${trader.address}`);
    const view = (await res.json()) as { balances: Array<{ balance: string }> };
    return view.balances.filter((b) => b.balance !== '0').length === 2 ? true : undefined;
  });
  log('demo protocol on spoke-a reports an exposure of 5000 USD for the trader');
  await reportExposure({
    deployment: devnet.deployment,
    chain: 'spoke-a',
    protocolKey: DEVNET_ACTORS.protocol.key,
    account: trader.address,
    exposure: parseEther('5000'),
  });

  // A random walk with a downward drift: the trader's 3 WETH cover 5000 USD only above ~1667 USD.
  const timer = setInterval(() => {
    t += 1n;
    const stepBps = BigInt(Math.floor(Math.random() * 300)) - 210n;
    price = (price * (10_000n + stepBps)) / 10_000n;
    publishPrice(nc, { asset: DEVNET_ASSET.symbol, price, publishTime: t }).catch((e: Error) =>
      log(`price: ${e.message}`),
    );
  }, config.OMNI_DEVNET_PRICE_INTERVAL_MS);

  const hub = devnet.deployment.chains.find((c) => c.role === 'hub')!;
  log('devnet is up');
  for (const c of devnet.deployment.chains) {
    log(
      `  ${c.name.padEnd(8)} chainId ${c.chainId}  eid ${c.eid}  ${c.rpcUrl}  ${c.role === 'hub' ? `hub ${hub.hub}` : `vault ${c.vault}`}`,
    );
  }
  log(`  nats          ${devnet.natsUrl}`);
  log(`  clearing node ${devnet.apiUrl}  (try: curl ${devnet.apiUrl}/accounts/${trader.address})`);
  log(`  deployment    ${devnet.deploymentFile}`);
  log('WETH walks every few seconds with a downward drift; watch the account get liquidated. Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  console.error(`[devnet] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
