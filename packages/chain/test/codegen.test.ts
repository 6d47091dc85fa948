import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clearingHubAbi, endpointV2Abi, endpointV2Bytecode } from '../src/index.js';

const script = path.resolve('scripts/codegen.mjs');

describe('codegen', () => {
  it('fails naming the missing artifact and the command that produces it', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'forge-out-'));
    try {
      const run = spawnSync(process.execPath, [script, '--forge-out', empty], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(path.join(empty, 'ClearingHub.sol', 'ClearingHub.json'));
      expect(run.stderr).toContain('pnpm --filter @omniclear/contracts compile');
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('generates typed ABIs and bytecode from the forge and LayerZero artifacts', () => {
    expect(clearingHubAbi.some((item) => item.type === 'event' && item.name === 'MessageReceived')).toBe(true);
    expect(endpointV2Abi.some((item) => item.type === 'event' && item.name === 'PacketSent')).toBe(true);
    expect(endpointV2Bytecode.startsWith('0x60')).toBe(true);
  });
});
