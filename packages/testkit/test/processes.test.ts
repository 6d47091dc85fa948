import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startAnvil, startNats, freePort, ProcessStartError, startProcess } from '../src/index.js';

describe('testkit processes', () => {
  it('starts anvil with the requested chain id and stops it', async () => {
    const chain = await startAnvil({ chainId: 31999 });
    try {
      const res = await fetch(chain.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      const body = (await res.json()) as { result: string };
      expect(Number(body.result)).toBe(31999);
    } finally {
      await chain.stop();
    }
    await expect(fetch(chain.rpcUrl, { method: 'POST' })).rejects.toThrow();
  });

  it('starts nats-server with JetStream enabled', async () => {
    const server = await startNats();
    try {
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      const info = await jsm.getAccountInfo();
      expect(info.limits).toBeDefined();
      await nc.close();
    } finally {
      await server.stop();
    }
  });

  it('reports a process that exits before it is ready, with its output', async () => {
    const port = await freePort();
    await expect(
      startProcess({ name: 'false', command: 'sh', args: ['-c', 'echo boom; exit 3'], port, readyTimeoutMs: 2000 }),
    ).rejects.toThrow(/false exited with code 3 before it was ready:\nboom/);
  });

  it('reports a missing executable as ProcessStartError', async () => {
    await expect(startProcess({ name: 'nope', command: '/nonexistent/bin', args: [] })).rejects.toBeInstanceOf(
      ProcessStartError,
    );
  });
});
