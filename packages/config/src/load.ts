import type { z } from 'zod';

import { ConfigError, type ConfigIssue } from './errors.js';

function formatKey(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    out += typeof seg === 'number' ? `[${seg}]` : `${out === '' ? '' : '.'}${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates the environment against `schema` (a zod object keyed by env var names) once, at boot,
 * and returns the typed config. An empty value counts as unset, so `FOO=` in a `.env` file falls
 * back to the default or is reported as `required`.
 *
 * @throws ConfigError listing every bad key.
 * @example
 * const config = loadConfig(
 *   z.object({ OMNI_NATS_URL: zNatsUrl, OMNI_HTTP_PORT: zPort.default(8080) }),
 *   process.env,
 * );
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    input[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(input, {
    // Applies where the schema has no message of its own: a missing key reads "required".
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined),
  });
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ key: formatKey([...issue.path, key]), message: 'unexpected key' }))
      : [{ key: formatKey(issue.path), message: issue.message }],
  );
  throw new ConfigError(issues, { cause: result.error });
}
