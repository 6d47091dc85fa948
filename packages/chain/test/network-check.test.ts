import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkPathways,
  EXECUTOR_GAS_FLOOR,
  INTEGRATOR_CALLBACK_GAS,
  LIQUIDATE_WORST_CASE_GAS,
  MAX_INTEGRATORS,
  parseNetworkConfig,
  PathwayCheckError,
  pathwayProblems,
  type NetworkConfig,
} from '../src/index.js';

const examplePath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../infra/deploy/example.testnet.json',
);
const exampleJson = JSON.parse(fs.readFileSync(examplePath, 'utf8')) as Record<string, unknown>;

/** The example config, with `edit` applied to a deep copy of its JSON first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the edits break the JSON's shape on purpose
function config(edit: (json: any) => void = () => undefined): NetworkConfig {
  const json = structuredClone(exampleJson);
  edit(json);
  return parseNetworkConfig(json);
}

/** The problems checkPathways reports, as `path: message` lines. */
function refusals(c: NetworkConfig): string[] {
  try {
    checkPathways(c);
  } catch (err) {
    expect(err).toBeInstanceOf(PathwayCheckError);
    expect((err as PathwayCheckError).name).toBe('PathwayCheckError');
    return (err as PathwayCheckError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe('checkPathways', () => {
  it('accepts the example testnet config', () => {
    expect(pathwayProblems(config())).toEqual([]);
    expect(checkPathways(config())).toEqual(config());
  });

  it('refuses a side with fewer than two required DVNs, naming its path', () => {
    const problems = refusals(
      config((j) => {
        j.pathways[0].send.requiredDVNs = ['dvn-one'];
        j.pathways[0].receive.requiredDVNs = ['dvn-one'];
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pathways\[0\]\.send\.requiredDVNs: 1 required DVN\(s\); at least 2/),
        expect.stringMatching(/^pathways\[0\]\.receive\.requiredDVNs: 1 required DVN\(s\); at least 2/),
      ]),
    );
  });

  it('refuses one required DVN even with optional DVNs behind it', () => {
    const problems = refusals(
      config((j) => {
        for (const side of ['send', 'receive']) {
          j.pathways[1][side].requiredDVNs = ['dvn-one'];
          j.pathways[1][side].optionalDVNs = ['dvn-two'];
          j.pathways[1][side].optionalDVNThreshold = 1;
        }
      }),
    );
    expect(problems.filter((p) => p.includes('required DVN(s)'))).toHaveLength(2);
  });

  it('refuses a DVN listed twice, across required and optional, or two names with one address', () => {
    const twice = refusals(
      config((j) => {
        j.pathways[0].send.requiredDVNs = ['dvn-one', 'dvn-two', 'dvn-one'];
        j.pathways[0].receive.requiredDVNs = ['dvn-one', 'dvn-two', 'dvn-one'];
      }),
    );
    expect(twice).toContainEqual(
      expect.stringMatching(/^pathways\[0\]\.send\.requiredDVNs\[2\]: DVN "dvn-one" is listed twice/),
    );

    const overlap = refusals(
      config((j) => {
        for (const side of ['send', 'receive']) {
          j.pathways[0][side].optionalDVNs = ['dvn-two'];
          j.pathways[0][side].optionalDVNThreshold = 1;
        }
      }),
    );
    expect(overlap).toContainEqual(
      expect.stringMatching(/^pathways\[0\]\.send\.optionalDVNs\[0\]: DVN "dvn-two" is listed twice/),
    );

    const alias = refusals(config((j) => (j.hub.dvns['dvn-two'] = j.hub.dvns['dvn-one'])));
    expect(alias).toContainEqual(
      expect.stringMatching(
        /^pathways\[0\]\.send\.requiredDVNs\[1\]: DVN "dvn-two" has the same address on chain arbitrum-sepolia as "dvn-one"/,
      ),
    );
  });

  it('refuses a DVN name the chain does not define', () => {
    const problems = refusals(
      config((j) => {
        j.pathways[1].receive.requiredDVNs = ['dvn-one', 'dvn-three'];
        j.pathways[1].send.requiredDVNs = ['dvn-one', 'dvn-three'];
      }),
    );
    expect(problems).toContainEqual(
      'pathways[1].receive.requiredDVNs[1]: DVN "dvn-three" is not defined on chain arbitrum-sepolia (hub.dvns has dvn-one, dvn-two)',
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^pathways\[1\]\.send\.requiredDVNs\[1\]: .*spokes\[0\]\.dvns/),
    );
  });

  it('refuses zero confirmations', () => {
    const problems = refusals(
      config((j) => {
        j.pathways[1].send.confirmations = 0;
        j.pathways[1].receive.confirmations = 0;
      }),
    );
    expect(problems).toContainEqual(expect.stringMatching(/^pathways\[1\]\.send\.confirmations: zero confirmations/));
    expect(problems).toContainEqual(
      expect.stringMatching(/^pathways\[1\]\.receive\.confirmations: zero confirmations/),
    );
  });

  it('refuses an optional threshold outside 1..optional, or one without optional DVNs', () => {
    const problems = refusals(
      config((j) => {
        j.hub.dvns['dvn-three'] = '0x000000000000000000000000000000000000d003';
        j.spokes[0].dvns['dvn-three'] = '0x000000000000000000000000000000000000d103';
        for (const side of ['send', 'receive']) {
          j.pathways[0][side].optionalDVNs = ['dvn-three'];
          j.pathways[0][side].optionalDVNThreshold = 2;
          j.pathways[1][side].optionalDVNThreshold = 1;
        }
      }),
    );
    expect(problems).toContainEqual(
      'pathways[0].send.optionalDVNThreshold: threshold 2 must be between 1 and the 1 optional DVN(s)',
    );
    expect(problems).toContainEqual('pathways[1].send.optionalDVNThreshold: threshold 1 without optional DVNs; use 0');
  });

  it('refuses a receive side whose DVNs, threshold or confirmations differ from the send side', () => {
    const problems = refusals(
      config((j) => {
        j.spokes[0].dvns['dvn-three'] = '0x000000000000000000000000000000000000d103';
        j.pathways[0].receive.requiredDVNs = ['dvn-one', 'dvn-three'];
        j.pathways[0].receive.confirmations = 40;
      }),
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^pathways\[0\]\.receive\.requiredDVNs: the receive side on base-sepolia \(required \[dvn-one, dvn-three\].*differs from the send side on arbitrum-sepolia \(required \[dvn-one, dvn-two\]/,
    );
    expect(problems[1]).toMatch(/^pathways\[0\]\.receive\.confirmations: .*40 confirmations.*20 confirmations/);
  });

  it('refuses a missing enforced option for every message type sent on the pathway', () => {
    const problems = refusals(
      config((j) => {
        delete j.pathways[0].enforcedOptions.WITHDRAW_DECISION;
        j.pathways[1].enforcedOptions = {};
      }),
    );
    expect(problems).toContainEqual(
      'pathways[0].enforcedOptions.WITHDRAW_DECISION: missing: WITHDRAW_DECISION (type 6) is sent arbitrum-sepolia → base-sepolia and needs an enforced lzReceive gas',
    );
    for (const type of ['BALANCE', 'WITHDRAW_REQUEST', 'EXPOSURE', 'ORDER_ACK', 'WITHDRAW_DONE']) {
      expect(problems).toContainEqual(
        expect.stringMatching(new RegExp(`^pathways\\[1\\]\\.enforcedOptions\\.${type}: missing`)),
      );
    }
    expect(problems).toHaveLength(6);
  });

  it('refuses executor gas below the measured floor, and a type not sent that way', () => {
    const problems = refusals(
      config((j) => {
        j.pathways[0].enforcedOptions.LIQUIDATE = EXECUTOR_GAS_FLOOR.LIQUIDATE - 1;
        j.pathways[0].enforcedOptions.BALANCE = 100_000;
      }),
    );
    expect(problems).toEqual([
      `pathways[0].enforcedOptions.LIQUIDATE: ${EXECUTOR_GAS_FLOOR.LIQUIDATE - 1} gas is below the floor of ${EXECUTOR_GAS_FLOOR.LIQUIDATE} for LIQUIDATE (its receive path was measured to spend more)`,
      'pathways[0].enforcedOptions.BALANCE: BALANCE is not a message type sent arbitrum-sepolia → base-sepolia (expected LIQUIDATE, WITHDRAW_DECISION)',
    ]);
    expect(
      pathwayProblems(config((j) => (j.pathways[0].enforcedOptions.LIQUIDATE = EXECUTOR_GAS_FLOOR.LIQUIDATE))),
    ).toEqual([]);
  });

  it('sizes the LIQUIDATE floor for the integrator cap: a one-callback figure is refused', () => {
    // every approved integrator may burn its whole stipend: the measured worst case of eight, not one
    expect(EXECUTOR_GAS_FLOOR.LIQUIDATE).toBe(LIQUIDATE_WORST_CASE_GAS);
    expect(EXECUTOR_GAS_FLOOR.LIQUIDATE).toBeGreaterThan(346_000 + (MAX_INTEGRATORS - 1) * INTEGRATOR_CALLBACK_GAS);
    expect(refusals(config((j) => (j.pathways[0].enforcedOptions.LIQUIDATE = 346_000)))).toEqual([
      `pathways[0].enforcedOptions.LIQUIDATE: 346000 gas is below the floor of ${EXECUTOR_GAS_FLOOR.LIQUIDATE} for LIQUIDATE (its receive path was measured to spend more)`,
    ]);
  });

  it('refuses a spoke without both pathways, unknown chains and pathways listed twice', () => {
    expect(refusals(config((j) => j.pathways.pop()))).toEqual(['pathways: no pathway base-sepolia → arbitrum-sepolia']);
    const problems = refusals(
      config((j) => {
        j.pathways.push(structuredClone(j.pathways[0]));
        j.pathways.push({ ...structuredClone(j.pathways[0]), to: 'optimism-sepolia' });
      }),
    );
    expect(problems).toEqual([
      'pathways[2]: pathway arbitrum-sepolia → base-sepolia is also listed at pathways[0]',
      'pathways[3].to: no chain named "optimism-sepolia"',
    ]);
  });

  it('refuses an executor whose maxMessageSize cannot carry the largest payload', () => {
    expect(refusals(config((j) => (j.spokes[0].executor.maxMessageSize = 100)))).toEqual([
      'spokes[0].executor.maxMessageSize: 100 bytes is below the largest payload (288 bytes)',
    ]);
  });

  it('refuses duplicate eids and chain ids', () => {
    const problems = refusals(config((j) => (j.spokes[0].eid = j.hub.eid)));
    expect(problems).toContainEqual('spokes[0].eid: eid 40231 is also used by hub');
  });

  it('lists every problem at once', () => {
    const problems = refusals(
      config((j) => {
        j.pathways[0].send.confirmations = 0;
        j.pathways[1].send.requiredDVNs = ['dvn-one'];
        delete j.pathways[1].enforcedOptions.ORDER_ACK;
      }),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'pathways[0].send.confirmations',
      'pathways[0].receive.confirmations',
      'pathways[1].send.requiredDVNs',
      'pathways[1].receive.requiredDVNs',
      'pathways[1].enforcedOptions.ORDER_ACK',
    ]);
  });
});
