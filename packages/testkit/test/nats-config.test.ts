import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  NatsConfigError,
  NatsVersionError,
  natsServerBinary,
  natsServerConfig,
  natsServerVersion,
  parseNatsServerVersion,
  startNats,
} from '../src/index.js';

const v = (major: number, minor: number, patch: number) => ({ major, minor, patch });
const base = { host: '127.0.0.1', port: 14222, storeDir: '/var/lib/omni/nats' };

describe('natsServerConfig', () => {
  it('leaves sync_interval out for 2.9.10, which refuses the field', () => {
    const text = natsServerConfig({ ...base, version: v(2, 9, 10) });
    expect(text).not.toMatch(/^\s*sync_interval/m);
    expect(text).toMatch(/^host: "127\.0\.0\.1"$/m);
    expect(text).toMatch(/^port: 14222$/m);
    expect(text).toMatch(/^jetstream \{\n(?:\s*#.*\n)*\s*store_dir: "\/var\/lib\/omni\/nats"\n(?:\s*#.*\n)*\}$/m);
    expect(text).not.toMatch(/http_port/);
  });

  it.each([
    ['2.10.0', v(2, 10, 0)],
    ['2.11.4', v(2, 11, 4)],
    ['3.0.0', v(3, 0, 0)],
  ])('sets sync_interval: always inside the jetstream block for %s', (_, version) => {
    const text = natsServerConfig({ ...base, version });
    const block = /^jetstream \{\n([\s\S]*?)^\}$/m.exec(text)?.[1] ?? '';
    expect(block).toMatch(/^\s*sync_interval: always$/m);
    expect(block).toMatch(/^\s*store_dir: "\/var\/lib\/omni\/nats"$/m);
    expect(text.match(/^\s*sync_interval/gm)).toHaveLength(1);
  });

  it('quotes a store dir with spaces, quotes and backslashes', () => {
    const text = natsServerConfig({ ...base, storeDir: '/tmp/my "nats" store\\x', version: v(2, 9, 10) });
    expect(text).toContain('store_dir: "/tmp/my \\"nats\\" store\\\\x"');
  });

  it('writes http_port only when asked', () => {
    expect(natsServerConfig({ ...base, httpPort: 18222, version: v(2, 9, 10) })).toMatch(/^http_port: 18222$/m);
  });

  it('refuses port 0 (nats-server would read it as 4222) and control characters', () => {
    expect(() => natsServerConfig({ ...base, port: 0, version: v(2, 9, 10) })).toThrow(NatsConfigError);
    expect(() => natsServerConfig({ ...base, storeDir: '/tmp/a\u0000b', version: v(2, 9, 10) })).toThrow(
      NatsConfigError,
    );
  });
});

describe('parseNatsServerVersion', () => {
  it.each([
    ['nats-server: v2.9.10\n', v(2, 9, 10)],
    ['nats-server: v2.10.0', v(2, 10, 0)],
    ['nats-server: v2.11.4\n', v(2, 11, 4)],
    ['nats-server: v2.12.0-RC.3\n', v(2, 12, 0)],
    ['nats-server v2.10.22', v(2, 10, 22)],
  ])('reads %j', (output, expected) => {
    expect(parseNatsServerVersion(output)).toEqual(expected);
  });

  it.each([[''], ['command not found'], ['nats-server: unknown'], ['nats-server: v2.10'], ['gnatsd: v1.4.1']])(
    'refuses %j with a NatsVersionError',
    (output) => {
      expect(() => parseNatsServerVersion(output)).toThrow(NatsVersionError);
    },
  );

  it('reports a binary that cannot run as a NatsVersionError', async () => {
    await expect(natsServerVersion('/nonexistent/nats-server')).rejects.toBeInstanceOf(NatsVersionError);
  });

  it('reports a binary that prints no version as a NatsVersionError', async () => {
    await expect(natsServerVersion('/bin/true')).rejects.toMatchObject({ name: 'NatsVersionError' });
  });
});

describe('startNats from a rendered config', () => {
  // Asked independently of the kit: the Debian package installed here is 2.9.10, where the test
  // proves the file without sync_interval is accepted; on a 2.10+ server it proves the opposite.
  const installed = /v(\d+)\.(\d+)\.(\d+)/
    .exec(execFileSync(natsServerBinary(), ['--version'], { encoding: 'utf8' }))!
    .slice(1, 4)
    .map(Number) as [number, number, number];
  const expectSync = installed[0] > 2 || (installed[0] === 2 && installed[1] >= 10);

  it('the installed server validates the file rendered for its version, and refuses sync_interval when older than 2.10', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-nats-t-'));
    const check = (version: { major: number; minor: number; patch: number }) => {
      const file = path.join(dir, 'nats-server.conf');
      fs.writeFileSync(file, natsServerConfig({ ...base, storeDir: dir, version }));
      // `-t` parses the file and exits: nothing listens.
      return spawnSync(natsServerBinary(), ['-c', file, '-t'], { encoding: 'utf8' });
    };
    try {
      expect(check(v(...installed)).status).toBe(0);
      const newer = check(v(2, 10, 0));
      if (expectSync) expect(newer.status).toBe(0);
      else
        expect({ status: newer.status, out: newer.stderr + newer.stdout }).toMatchObject({
          status: 1,
          out: expect.stringMatching(/unknown field "sync_interval"/),
        });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`runs the installed ${installed.join('.')} server (sync_interval: ${expectSync ? 'always' : 'absent'}) and accepts JetStream writes`, async () => {
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni nats "quoted" '));
    const server = await startNats({ storeDir });
    try {
      expect(server.version).toEqual(v(...installed));
      expect(server.syncAlways).toBe(expectSync);
      const conf = fs.readFileSync(server.configFile, 'utf8');
      expect(/^\s*sync_interval: always$/m.test(conf)).toBe(expectSync);
      expect(server.process.output()).not.toMatch(/unknown field/);

      const nc = await connect({ servers: server.url });
      try {
        expect(nc.info?.version).toBe(installed.join('.'));
        const jsm = await jetstreamManager(nc);
        await jsm.streams.add({ name: 'SYNC_TEST', subjects: ['sync.test.>'] });
        const ack = await jetstream(nc).publish('sync.test.one', new TextEncoder().encode('x'), { msgID: 'one' });
        expect(ack).toMatchObject({ stream: 'SYNC_TEST', seq: 1, duplicate: false });
      } finally {
        await nc.close();
      }
      // The store is the directory given, path characters and all.
      expect(fs.existsSync(path.join(storeDir, 'jetstream'))).toBe(true);

      const restarted = await server.restart();
      try {
        expect(restarted.port).toBe(server.port);
        expect(restarted.syncAlways).toBe(expectSync);
        const nc2 = await connect({ servers: restarted.url });
        try {
          expect((await (await jetstreamManager(nc2)).streams.info('SYNC_TEST')).state.messages).toBe(1);
        } finally {
          await nc2.close();
        }
      } finally {
        await restarted.stop();
      }
      expect(fs.existsSync(server.configFile)).toBe(false);
    } finally {
      await server.stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
