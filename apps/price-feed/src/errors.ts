import { OmniError } from '@omniclear/protocol';

/** Thrown when a recorded price series (CSV) is malformed; the message names the file and the line. */
export class CsvFormatError extends OmniError {
  override readonly name = 'CsvFormatError' as const;
}

/** Thrown when a decimal price string cannot be represented exactly with 18 decimals. */
export class DecimalFormatError extends OmniError {
  override readonly name = 'DecimalFormatError' as const;
}

/** Thrown when the input stream does not acknowledge a price (NATS down, stream missing, timeout). */
export class PublishError extends OmniError {
  override readonly name = 'PublishError' as const;
}
