import {
  EventSchemaError,
  MalformedPayloadError,
  OmniError,
  PayloadError,
  SubjectError,
  UnknownMessageTypeError,
  UnsupportedVersionError,
} from '../src/index.js';

class ProjectError extends OmniError {
  override readonly name = 'ProjectError' as const;
}

describe('OmniError', () => {
  it('carries message, details and cause', () => {
    const cause = new Error('root');
    const e = new OmniError('boom', { details: { key: 'X' }, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('OmniError');
    expect(e.message).toBe('boom');
    expect(e.details).toEqual({ key: 'X' });
    expect(e.cause).toBe(cause);
    expect(String(e)).toBe('OmniError: boom');
  });

  it('defaults details to {} and cause to undefined', () => {
    const e = new OmniError('boom');
    expect(e.details).toEqual({});
    expect(e.cause).toBeUndefined();
  });

  it('lets subclasses set a literal name', () => {
    const e = new ProjectError('x');
    expect(e).toBeInstanceOf(OmniError);
    expect(e.name).toBe('ProjectError');
    expect(e.stack).toContain('ProjectError: x');
  });

  it.each([
    [UnsupportedVersionError, 'UnsupportedVersionError', true],
    [UnknownMessageTypeError, 'UnknownMessageTypeError', true],
    [MalformedPayloadError, 'MalformedPayloadError', true],
    [EventSchemaError, 'EventSchemaError', false],
    [SubjectError, 'SubjectError', false],
  ] as const)('%p has the name %s', (Cls, name, isPayload) => {
    const e = new Cls('m');
    expect(e.name).toBe(name);
    expect(e).toBeInstanceOf(OmniError);
    expect(e instanceof PayloadError).toBe(isPayload);
  });
});
