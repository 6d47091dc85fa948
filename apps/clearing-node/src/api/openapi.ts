import type { INestApplication } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Address } from 'viem';

import type { ConsumerStatus } from '../ledger/input-consumer.js';
import type { AccountDto, MarketDto, OrderDto, RiskDto } from './views.js';

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

const RATIO = (description: string) => ({
  type: String,
  pattern: '^([0-9]+|Infinity)$',
  description: `${description}, 18 decimals; "Infinity" with nothing to divide by`,
  example: '1500000000000000000',
});

class BalanceSchema {
  @ApiProperty({ description: 'Collateral asset (price symbol)', example: 'WETH' }) asset!: string;
  @ApiProperty({ description: 'LayerZero endpoint id of the spoke chain', example: 40102 }) eid!: number;
  @ApiProperty({ ...ADDRESS, description: 'Token on that chain (EIP-55)' }) token!: string;
  @ApiProperty(AMOUNT('Confirmed balance, token base units (negative = debt)')) balance!: string;
  @ApiProperty(
    AMOUNT(
      'In flight out (seizures ordered, withdrawals approved, requests not yet decided as far as those leave them), token base units',
    ),
  )
  pending!: string;
  @ApiProperty(
    AMOUNT(
      'What a liquidation may seize: balance − seizures ordered − withdrawals approved and not yet done, token base units',
    ),
  )
  seizable!: string;
  @ApiProperty({ ...AMOUNT('Last oracle price, USD, 18 decimals'), nullable: true }) price!: string | null;
  @ApiProperty(AMOUNT('balance × price, USD, 18 decimals, rounded down')) value!: string;
}

class PositionSchema {
  @ApiProperty({ example: 'ETH-PERP@40102:0x…' }) id!: string;
  @ApiProperty({ example: 'ETH-PERP' }) market!: string;
  @ApiProperty({ enum: ['cross', 'isolated'] }) mode!: string;
  @ApiProperty(AMOUNT('Signed size, 18 decimals')) qty!: string;
  @ApiProperty(AMOUNT('Signed open cost (size × entry), USD, 18 decimals')) openCost!: string;
  @ApiProperty(AMOUNT('|size × mark|, USD')) notional!: string;
  @ApiProperty(AMOUNT('Initial margin rate')) imr!: string;
  @ApiProperty(AMOUNT('Maintenance margin rate')) mmr!: string;
  @ApiProperty(AMOUNT('notional × MMR, USD')) maintenanceMargin!: string;
  @ApiProperty(AMOUNT('Unsettled PnL incl. funding, USD')) unsettledPnl!: string;
  @ApiProperty({ ...AMOUNT('Mark price at which the account becomes liquidatable'), nullable: true })
  liquidationPrice!: string | null;
}

class MaxWithdrawSchema {
  @ApiProperty({ example: 'WETH' }) asset!: string;
  @ApiProperty({ example: 40102 }) eid!: number;
  @ApiProperty(AMOUNT('Largest approvable withdrawal, token base units')) amount!: string;
}

/** `GET /accounts/{address}`. */
export class AccountSchema implements AccountDto {
  @ApiProperty({ ...ADDRESS, description: 'The account (EIP-55)' }) account!: Address;
  @ApiProperty({ type: [BalanceSchema] }) balances!: BalanceSchema[];
  @ApiProperty({ type: [PositionSchema] }) positions!: PositionSchema[];
  @ApiProperty(AMOUNT('Weighted collateral − debt + unsettled PnL, USD')) totalCollateral!: string;
  @ApiProperty(AMOUNT('Collateral at maintenance weights, USD')) weightedCollateral!: string;
  @ApiProperty(AMOUNT('Negative balances at full price, USD')) debt!: string;
  @ApiProperty(AMOUNT('Unsettled PnL of cross positions, USD')) unsettledPnl!: string;
  @ApiProperty(AMOUNT('Initial margin, USD')) initialMargin!: string;
  @ApiProperty(AMOUNT('Maintenance margin, USD')) maintenanceMargin!: string;
  @ApiProperty(AMOUNT('Initial-weight collateral − initial margin, USD')) freeCollateral!: string;
  @ApiProperty(RATIO('Total collateral / cross notional')) marginRatio!: string;
  @ApiProperty(RATIO('(weighted collateral + PnL) / (debt + maintenance margin)')) healthFactor!: string;
  @ApiProperty() liquidatable!: boolean;
  @ApiProperty({ type: [MaxWithdrawSchema] }) maxWithdraw!: MaxWithdrawSchema[];
  @ApiProperty({ type: [String], description: 'Held assets or markets without a price yet (decisions wait)' })
  missingPrices!: string[];
  @ApiProperty({
    type: [String],
    description: 'Held assets whose price is older than their maximum age: decisions about the account wait',
  })
  stalePrices!: string[];
  @ApiProperty({ type: String, nullable: true, enum: ['missing-price', 'stale-price', 'sequence-gap'] })
  deferred!: string | null;
}

/** One order of `GET /orders` and of the `order` events of `GET /events`. */
export class OrderSchema implements OrderDto {
  @ApiProperty({ type: String, description: 'keccak256 of the order and its input sequence' }) orderId!: string;
  @ApiProperty({ enum: ['liquidate', 'withdraw-decision'] }) kind!: 'liquidate' | 'withdraw-decision';
  @ApiProperty({ description: 'Destination chain (LayerZero eid)', example: 40102 }) dstEid!: number;
  @ApiProperty(ADDRESS) account!: Address;
  @ApiProperty({ example: 'WETH' }) asset!: string;
  @ApiProperty(ADDRESS) token!: string;
  @ApiProperty(AMOUNT('Amount to seize or to withdraw, token base units')) amount!: string;
  @ApiProperty(AMOUNT('OMNI_IN sequence of the input that triggered the order')) inputSeq!: string;
  @ApiProperty({ ...ADDRESS, nullable: true, description: 'Liquidations: who receives the seizure' })
  recipient!: string | null;
  @ApiProperty({ ...AMOUNT("Liquidations: the insurance fund's part, base units"), nullable: true })
  insuranceAmount!: string | null;
  @ApiProperty({ ...AMOUNT("Withdrawal decisions: the vault's request id"), nullable: true })
  requestId!: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) approved!: boolean | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['approved', 'insufficient-margin', 'missing-price', 'stale-price', 'exceeds-balance'],
  })
  reason!: string | null;
  @ApiProperty({
    enum: ['pending', 'done', 'expired'],
    description:
      'pending until the vault acknowledges it (done); expired when the hub never dispatched it by its expiry ' +
      '(plus OMNI_ORDER_EXPIRY_GRACE_SECONDS) or the vault acknowledged it EXPIRED (delivered after its expiry, ' +
      'nothing executed): its amount counts again, a withdrawal request is decided anew. ' +
      'A done order is listed until OMNI_ORDER_RETENTION_SECONDS past the moment it became done',
  })
  status!: 'pending' | 'done' | 'expired';
  @ApiProperty({ description: 'The hub dispatched it to its vault (an OrderDispatched log)' }) dispatched!: boolean;
  @ApiProperty({ ...AMOUNT('Unix seconds after which the hub refuses it'), nullable: true }) expiry!: string | null;
  @ApiProperty({ ...AMOUNT('What really left the account (from the vault)'), nullable: true })
  executed!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['paid', 'rejected', 'escaped'] }) outcome!: string | null;
  @ApiProperty({
    ...AMOUNT(
      "The stream's time (unix seconds) when the vault's acknowledgement closed it; listed until this " +
        'plus OMNI_ORDER_RETENTION_SECONDS',
    ),
    nullable: true,
  })
  doneAt!: string | null;
}

export class MarketSchema implements MarketDto {
  @ApiProperty({ example: 'ETH-PERP' }) market!: string;
  @ApiProperty({ ...AMOUNT('Last mark price, USD, 18 decimals'), nullable: true }) markPrice!: string | null;
  @ApiProperty(AMOUNT('Cumulative funding per unit, USD, 18 decimals')) cumFunding!: string;
  @ApiProperty(AMOUNT('Volatility scale on IMR/MMR (≥ 1), 18 decimals')) volScale!: string;
  @ApiProperty({ description: 'Accounts with a position in the market' }) holders!: number;
}

export class MarketsSchema {
  @ApiProperty({ type: [MarketSchema] }) markets!: MarketSchema[];
}

class PendingOrdersSchema {
  @ApiProperty({ example: 40102 }) eid!: number;
  @ApiProperty() pending!: number;
}

/** `GET /risk`. */
class RiskStalePriceSchema {
  @ApiProperty({ example: 'WETH' }) asset!: string;
  @ApiProperty(AMOUNT("The last price's publish time (unix seconds)")) publishTime!: string;
  @ApiProperty(AMOUNT("Its age at the book's clock")) ageSeconds!: string;
  @ApiProperty(AMOUNT('The configured maximum age')) maxAgeSeconds!: string;
}

export class RiskSchema implements RiskDto {
  @ApiProperty() accounts!: number;
  @ApiProperty({ type: [String], description: 'Accounts liquidatable now (EIP-55)' }) liquidatable!: string[];
  @ApiProperty({ type: [String], description: 'Accounts with actions held back by rate limits' }) queued!: string[];
  @ApiProperty(AMOUNT('Insurance fund, USD, 18 decimals')) insuranceFund!: string;
  @ApiProperty(AMOUNT('Loss socialized once the insurance fund ran out, USD')) socializedLoss!: string;
  @ApiProperty(AMOUNT('Bad debt booked so far, USD')) badDebt!: string;
  @ApiProperty(AMOUNT('Penalties to the insurance fund, USD')) penaltiesToInsurance!: string;
  @ApiProperty(AMOUNT('Penalties to liquidators, USD')) penaltiesToLiquidators!: string;
  @ApiProperty({ type: [PendingOrdersSchema] }) pendingOrders!: PendingOrdersSchema[];
  @ApiProperty({
    type: [RiskStalePriceSchema],
    description: 'Assets whose price is older than their maximum age: their holders’ decisions wait',
  })
  stalePrices!: RiskStalePriceSchema[];
  @ApiProperty(AMOUNT("The book's clock: latest event time applied, unix seconds")) now!: string;
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
  @ApiProperty(AMOUNT('OMNI_IN sequence of the snapshot the node started from (0: full replay)')) snapshotSeq!: string;
  @ApiProperty(AMOUNT('OMNI_IN sequence of the last snapshot written')) lastSnapshotSeq!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Pending orders re-published once live that OMNI_OUT lacked (null until done)',
  })
  reemitted!: number | null;
}

class SourceSchema {
  @ApiProperty({ example: 40102 }) eid!: number;
  @ApiProperty(AMOUNT('Highest vault sequence number applied from that chain')) lastSeq!: string;
  @ApiProperty(AMOUNT('Every number up to this one has been applied')) contiguous!: string;
  @ApiProperty({ description: '1 while a sequence gap is open (decisions for the chain wait)' }) gaps!: number;
  @ApiProperty(AMOUNT('Numbers missing below lastSeq')) missing!: string;
}

class BrokerSchema {
  @ApiProperty({ example: '2.9.10', description: "The connected nats-server's version" }) version!: string;
  @ApiProperty({
    description:
      'The server is 2.10+, where `sync_interval: always` fsyncs every JetStream write before the ack (whether it is set is the server config). Older servers acknowledge before fsync.',
  })
  syncIntervalSupported!: boolean;
}

class StalePriceSchema {
  @ApiProperty({ example: 'WETH' }) asset!: string;
  @ApiProperty(AMOUNT("The last price's publish time (unix seconds)")) publishTime!: string;
  @ApiProperty(AMOUNT("Its age at the stream's time (the latest input's, not the node's clock)")) ageSeconds!: string;
  @ApiProperty(AMOUNT('The configured maximum age')) maxAgeSeconds!: string;
  @ApiProperty({
    type: [String],
    example: ['liquidations', 'withdrawal approvals'],
    description: "What waits for a fresh price, for the asset's holders",
  })
  waiting!: string[];
}

/** `GET /health`: progress and state fingerprint (always 200 while the process serves). */
export class NodeHealthSchema {
  @ApiProperty({ enum: ['ok', 'failing'] }) status!: 'ok' | 'failing';
  @ApiProperty() nodeId!: string;
  @ApiProperty({ type: BrokerSchema }) broker!: BrokerSchema;
  @ApiProperty({ type: ConsumerStatusSchema }) input!: ConsumerStatusSchema;
  @ApiProperty({ description: 'Fingerprint of the book, equal on every node at the same input sequence' })
  stateHash!: string;
  @ApiProperty({ type: [SourceSchema] }) sources!: SourceSchema[];
  @ApiProperty({
    type: [StalePriceSchema],
    description: 'Assets whose price is older than their maximum age: their holders’ decisions wait',
  })
  stalePrices!: StalePriceSchema[];
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
