import fs from 'node:fs';
import { OmniError } from '@omniclear/protocol';
import { DeploymentError } from '../errors.js';
import { checkPathways } from './check.js';
import { parseNetworkConfig, resolveNetworkSecrets, resolveRpcUrls } from './config.js';
import { configureNetwork, deployNetwork, verifyNetwork, type NetworkDeployment } from './deploy.js';
import { parseNetworkDeployment } from './deployment.js';
import { NetworkConfigError, NetworkVerificationError, PathwayCheckError, type NetworkIssue } from './errors.js';
import { planPathways } from './plan.js';

const USAGE = `usage: deploy-network --config <file.json> [--check-only | --verify <deployment.json> |
                      --configure <deployment.json> | --out <deployment.json>]

  --config      network deployment config (see infra/deploy/example.testnet.json)
  --check-only  validate the config and check every pathway; send nothing, need no key or RPC
  --verify      read a past deployment's settings back from the chains and compare them with the
                config; send nothing, need no key
  --configure   apply the config's pathway settings to a past deployment, sending only what differs
                (finish an interrupted run, or apply a change); signed by the deployer key, which
                must be the OApps' endpoint delegate
  --out         where to write the deployment (default: print it)

The deployer's key is read from the variable named by the config's deployerKeyEnv
(OMNI_DEPLOYER_KEY by default); RPC URLs from each chain's rpcUrl or rpcUrlEnv.`;

/** Where the CLI writes; a test passes its own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

function issuesOf(err: unknown): readonly NetworkIssue[] | undefined {
  if (err instanceof NetworkConfigError) return err.issues;
  if (err instanceof PathwayCheckError) return err.problems;
  if (err instanceof NetworkVerificationError) return err.mismatches;
  return undefined;
}

/**
 * The `deploy:network` command: reads a config file, checks it, and (unless `--check-only`)
 * deploys it with {@link deployNetwork}. `env` is the environment, read once by the entry script.
 * Returns the process exit code: 0 done, 1 refused or failed, 2 bad usage.
 * @example process.exitCode = await runNetworkCli(process.argv.slice(2), process.env);
 */
export async function runNetworkCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) },
): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i === -1 ? undefined : args[i + 1];
  };
  const file = value('--config');
  const out = value('--out');
  const verify = value('--verify');
  const configure = value('--configure');
  const checkOnly = args.includes('--check-only');
  const known = new Set(['--config', '--out', '--verify', '--configure', '--check-only', file, out, verify, configure]);
  const unknown = args.filter((a) => !known.has(a));
  const modes = [checkOnly, verify !== undefined, configure !== undefined, out !== undefined].filter(Boolean).length;
  if (!file || unknown.length > 0 || modes > 1 || args.includes('--help')) {
    io.err(unknown.length > 0 ? `unknown argument(s): ${unknown.join(' ')}\n${USAGE}` : USAGE);
    return 2;
  }
  try {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (cause) {
      throw new NetworkConfigError([{ path: '', message: `cannot read ${file}: ${(cause as Error).message}` }]);
    }
    const config = checkPathways(parseNetworkConfig(text, file));
    if (checkOnly) {
      for (const p of planPathways(config)) {
        io.out(
          `ok ${p.path} ${p.from} → ${p.to}: ${p.sendUln.requiredDVNs.length} required DVN(s), ` +
            `${p.sendUln.optionalDVNs.length} optional (threshold ${p.sendUln.optionalDVNThreshold}), ` +
            `${p.sendUln.confirmations} confirmations; ${p.options.map((o) => `${o.type} ${o.gas}`).join(', ')}`,
        );
      }
      io.out(`${file}: ${config.pathways.length} pathway(s) pass the check`);
      return 0;
    }
    const readDeployment = (where: string): NetworkDeployment => {
      try {
        return parseNetworkDeployment(fs.readFileSync(where, 'utf8'), where);
      } catch (cause) {
        if (cause instanceof NetworkConfigError) throw cause;
        throw new NetworkConfigError([{ path: '', message: `cannot read ${where}: ${(cause as Error).message}` }]);
      }
    };
    if (verify) {
      await verifyNetwork(config, readDeployment(verify), { rpcUrls: resolveRpcUrls(config, env) });
      io.out(`${verify}: every pathway setting read back equals ${file}`);
      return 0;
    }
    if (configure) {
      const deployment = readDeployment(configure);
      const sent = await configureNetwork({
        config,
        secrets: resolveNetworkSecrets(config, env),
        deployment,
        onStep: ({ chain, step }) => io.err(`[${chain}] ${step}`),
      });
      io.out(`${configure}: ${sent} transaction(s) sent; every pathway setting read back equals ${file}`);
      return 0;
    }
    const secrets = resolveNetworkSecrets(config, env);
    const deployment: NetworkDeployment = await deployNetwork({
      config,
      secrets,
      onStep: ({ chain, step, address }) => io.err(`[${chain}] ${step}${address ? ` ${address}` : ''}`),
    });
    const json = JSON.stringify(deployment, null, 2);
    if (out) {
      fs.writeFileSync(out, `${json}\n`);
      io.err(`deployment written to ${out}`);
    } else {
      io.out(json);
    }
    for (const c of deployment.chains) {
      io.err(
        `[${c.name}] owned by OmniTimelock ${c.timelock} (delay ${deployment.timelock.minDelaySeconds} s): schedule every owner action there`,
      );
    }
    return 0;
  } catch (err) {
    const issues = issuesOf(err);
    if (issues) {
      io.err(`${(err as OmniError).name}:`);
      for (const i of issues) io.err(`  ${i.path || '(root)'}: ${i.message}`);
      return 1;
    }
    if (err instanceof DeploymentError) {
      io.err(`${err.name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
