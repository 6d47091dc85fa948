import type { INestApplication } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Address } from 'viem';

import type { ConsumerStatus } from '../ledger/input-consumer.js';
import type { AccountDto, OrderDto } from './views.js';

// OpenAPI schemas of the JSON the API serves. The shapes themselves are the interfaces of
// views.ts; each class here `implements` one, so a field added there and not documented here
// fails the type check instead of drifting silently.

const ADDRESS = { type: String, pattern: '^0x[0-9a-fA-F]{40}$', example: '0x00000000000000000000000000000000000A11cE' };
const AMOUNT = (description: string) => ({
  type: String,
  pattern: '^-?[0-9]+$',
  description,
  example: '1000000000000000000',
});

class BalanceSchema {
  @ApiProperty({ description: 'LayerZero endpoint id of the spoke chain', example: 40102 }) eid!: number;
  @ApiProperty({ ...ADDRESS, description: 'Token on that chain (EIP-55)' }) token!: Address;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Price symbol; null for a token that is not configured collateral',
  })
  symbol!: string | null;
  @ApiProperty(AMOUNT('Confirmed balance, token base units')) balance!: string;
  @ApiProperty(AMOUNT('Seizures ordered and not yet acknowledged, token base units')) pending!: string;
  @ApiProperty(AMOUNT('USD value, 18 decimals, rounded down')) value!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['unknown-token', 'missing-price'],
    description: 'Why the holding counts as zero',
  })
  unvalued!: AccountDto['balances'][number]['unvalued'];
}

class ExposureSchema {
  @ApiProperty({ example: 40102 }) eid!: number;
  @ApiProperty({ ...ADDRESS, description: 'The integrated protocol that reported the exposure' }) protocol!: Address;
  @ApiProperty(AMOUNT('USD, 18 decimals')) exposure!: string;
}

/** `GET /accounts/{address}`. */
export class AccountSchema implements AccountDto {
  @ApiProperty({ ...ADDRESS, description: 'The account (EIP-55)' }) account!: Address;
  @ApiProperty({ type: [BalanceSchema] }) balances!: BalanceSchema[];
  @ApiProperty({ type: [ExposureSchema] }) exposures!: ExposureSchema[];
  @ApiProperty(AMOUNT('Total exposure, USD, 18 decimals')) exposure!: string;
  @ApiProperty(AMOUNT('Collateral value, USD, 18 decimals, rounded down')) value!: string;
  @ApiProperty() liquidatable!: boolean;
  @ApiProperty({
    type: [String],
    description: 'Held assets without a price yet (valued at zero; liquidation deferred)',
  })
  missingPrices!: string[];
}

/** One order of `GET /orders` and of the `order` events of `GET /events`. */
export class OrderSchema implements OrderDto {
  @ApiProperty({
    type: String,
    pattern: '^0x[0-9a-f]{64}$',
    description: 'keccak256 of the order and its input sequence',
  })
  orderId!: string;
  @ApiProperty({ enum: ['liquidate'] }) kind!: 'liquidate';
  @ApiProperty({ description: 'Destination chain (LayerZero eid)', example: 40102 }) dstEid!: number;
  @ApiProperty(ADDRESS) account!: Address;
  @ApiProperty(ADDRESS) token!: Address;
  @ApiProperty(AMOUNT('Amount to seize, token base units')) amount!: string;
  @ApiProperty(ADDRESS) recipient!: Address;
  @ApiProperty(AMOUNT('OMNI_IN sequence of the input that triggered the order')) inputSeq!: string;
  @ApiProperty({ enum: ['pending', 'acknowledged'] }) status!: 'pending' | 'acknowledged';
  @ApiProperty({ ...AMOUNT('What the vault really seized (once acknowledged)'), nullable: true }) seized!:
    string | null;
}

export class OrdersSchema {
  @ApiProperty({ type: [OrderSchema] }) orders!: OrderSchema[];
}

/** Every 4xx/5xx body of the HTTP API (see `filters.ts`). */
export class ErrorSchema {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiPropertyOptional({ example: 'InvalidAddressError', description: 'Error class' }) error?: string;
  @ApiProperty({
    example: 'invalid address "0x12": expected 0x followed by 40 hex digits (lower case or EIP-55 checksummed)',
  })
  message!: string;
}

class ConsumerStatusSchema implements ConsumerStatus {
  @ApiProperty({ enum: ['starting', 'replaying', 'live', 'stopped', 'failed'] }) state!: ConsumerStatus['state'];
  @ApiProperty(AMOUNT('OMNI_IN sequence of the last input handled')) lastInputSeq!: string;
  @ApiProperty(AMOUNT("OMNI_IN's last sequence at start-up: replay is done once reached")) replayTarget!: string;
  @ApiProperty() processed!: number;
  @ApiProperty() deadLettered!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

class SourceSchema {
  @ApiProperty({ example: 40102 }) eid!: number;
  @ApiProperty(AMOUNT('Last sequence number applied from that chain')) lastSeq!: string;
  @ApiProperty({ description: 'Sequence gaps seen' }) gaps!: number;
}

/** `GET /health`: progress and state fingerprint (always 200 while the process serves). */
export class NodeHealthSchema {
  @ApiProperty({ enum: ['ok', 'failing'] }) status!: 'ok' | 'failing';
  @ApiProperty() nodeId!: string;
  @ApiProperty({ type: ConsumerStatusSchema }) input!: ConsumerStatusSchema;
  @ApiProperty({ description: 'Fingerprint of the book, equal on every node at the same input sequence' })
  stateHash!: string;
  @ApiProperty({ type: [SourceSchema] }) sources!: SourceSchema[];
}

/**
 * Serves the OpenAPI 3 document at `GET /docs/json` and Swagger UI at `GET /docs` (its assets come
 * from the `swagger-ui-dist` package: nothing is fetched from the network). Call before `listen`.
 */
export function setupOpenApi(app: INestApplication, opts: { nodeId: string }): void {
  const config = new DocumentBuilder()
    .setTitle('Omniclear clearing node')
    .setDescription(
      `Queries of node ${opts.nodeId}'s margin book, its orders, the live update stream, health and metrics. ` +
        'Amounts are decimal strings (integers; USD values have 18 decimals); addresses are EIP-55.',
    )
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs/json',
    yamlDocumentUrl: 'docs/yaml',
  });
}
