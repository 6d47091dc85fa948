import { brokerInfo } from '../src/nats/nats.client.js';

describe('brokerInfo', () => {
  it.each([
    ['2.9.10', false],
    ['2.9.25', false],
    ['2.10.0', true],
    ['2.11.4', true],
    ['2.12.0-RC.1', true],
    ['3.0.0', true],
  ])('nats-server %s: sync_interval supported = %s', (version, supported) => {
    expect(brokerInfo(version)).toEqual({ version, syncIntervalSupported: supported });
  });

  it('an unreadable or missing version counts as unsupported', () => {
    expect(brokerInfo(undefined)).toEqual({ version: 'unknown', syncIntervalSupported: false });
    expect(brokerInfo('garbage')).toEqual({ version: 'garbage', syncIntervalSupported: false });
  });
});
