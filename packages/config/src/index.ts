export { ConfigError, type ConfigIssue } from './errors.js';
export { loadConfig } from './load.js';
export {
  zAddress,
  zPrivateKey,
  zHttpUrl,
  zNatsUrl,
  zPort,
  zPositiveInt,
  zBigintString,
  zBool,
  zJson,
} from './fields.js';
