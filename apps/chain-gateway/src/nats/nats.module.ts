import { Module } from '@nestjs/common';

import { NatsClient } from './nats.client.js';

/** The gateway's single NATS connection, shared by the follower and the executor. */
@Module({ providers: [NatsClient], exports: [NatsClient] })
export class NatsModule {}
