import { Module } from '@nestjs/common';

import { HubModule } from '../hub/hub.module.js';
import { NatsModule } from '../nats/nats.module.js';
import { HubFollowerService } from './hub-follower.service.js';

/**
 * Hub chain → `OMNI_IN`: follows `MessageReceived` and `OrderDispatched` logs and publishes them as
 * `HubEvent`s and `DispatchEvent`s.
 */
@Module({ imports: [HubModule, NatsModule], providers: [HubFollowerService], exports: [HubFollowerService] })
export class FollowerModule {}
