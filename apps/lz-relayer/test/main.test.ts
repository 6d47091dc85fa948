import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collateralVaultAbi, createChainClients, demoTokenAbi, deployOmniclear } from '@omniclear/chain';
import { ANVIL_KEYS, startAnvil, type AnvilChain } from '@omniclear/testkit';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

// Runs the built service (`pnpm build` first; turbo's test task depends on build).
const mainJs = path.resolve('dist/main.js');

describe('the relayer service (dist/main.js)', () => {
  const anvils: AnvilChain[] = [];
  let dir: string;

  afterAll(async () => {
    await Promise.all(anvils.map((a) => a.stop()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('relays from a deployment file, logs JSON lines and exits 0 on SIGTERM', async () => {
    anvils.push(...(await Promise.all([31337, 31338].map((chainId) => startAnvil({ chainId })))));
    const [h, a] = anvils as [AnvilChain, AnvilChain];
    const deployment = await deployOmniclear({
      hub: { name: 'hub', chainId: 31337, eid: 40101, rpcUrl: h.rpcUrl },
      spokes: [{ name: 'spoke-a', chainId: 31338, eid: 40102, rpcUrl: a.rpcUrl }],
      deployerKey: ANVIL_KEYS[0] as Hex,
      signers: [privateKeyToAccount(ANVIL_KEYS[7] as Hex).address],
      threshold: 1,
      tokens: [{ symbol: 'USDC', decimals: 6 }],
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relayer-'));
    const file = path.join(dir, 'deployment.json');
    fs.writeFileSync(file, JSON.stringify(deployment));

    const child = spawn(process.execPath, [mainJs], {
      env: {
        PATH: process.env.PATH,
        OMNI_DEPLOYMENT_FILE: file,
        OMNI_RELAYER_KEY: ANVIL_KEYS[2],
        OMNI_RELAYER_POLL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const spoke = deployment.chains[1]!;
      const user = createChainClients({
        rpcUrl: spoke.rpcUrl,
        chainId: spoke.chainId,
        privateKey: ANVIL_KEYS[3] as Hex,
      });
      const token = spoke.tokens.USDC!.address;
      const wait = async (hash: Promise<Hex>) => user.public.waitForTransactionReceipt({ hash: await hash });
      await wait(
        user.wallet.writeContract({
          address: token,
          abi: demoTokenAbi,
          functionName: 'mint',
          args: [user.account.address, 10n],
        }),
      );
      await wait(
        user.wallet.writeContract({
          address: token,
          abi: demoTokenAbi,
          functionName: 'approve',
          args: [spoke.vault!, 10n],
        }),
      );
      await wait(
        user.wallet.writeContract({
          address: spoke.vault!,
          abi: collateralVaultAbi,
          functionName: 'deposit',
          args: [token, 10n],
          value: 10n ** 15n,
        }),
      );

      const deadline = Date.now() + 15_000;
      while (!lines.some((l) => l.msg === 'packet delivered') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const delivered = lines.find((l) => l.msg === 'packet delivered');
      expect(delivered).toMatchObject({
        level: 'info',
        service: 'lz-relayer',
        srcEid: 40102,
        dstEid: 40101,
        nonce: '1',
      });
      expect(lines[0]).toMatchObject({ msg: 'relayer started' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toMatchObject({ msg: 'relayer stopped', delivered: 1 });
  }, 60_000);

  it('exits 1 with the bad key named when the configuration is invalid', async () => {
    const child = spawn(process.execPath, [mainJs], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const line = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', msg: 'relayer failed to start', errorName: 'ConfigError' });
    expect(line.error).toMatch(/OMNI_RELAYER_KEY: required/);
  });
});
