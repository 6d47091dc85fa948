import { Module } from '@nestjs/common';

import { HubModule } from '../hub/hub.module.js';
import { NatsModule } from '../nats/nats.module.js';
import { HubFollowerService } from './hub-follower.service.js';

/** Hub chain → `OMNI_IN`: follows `MessageReceived` logs and publishes them as `HubEvent`s. */
@Module({ imports: [HubModule, NatsModule], providers: [HubFollowerService], exports: [HubFollowerService] })
export class FollowerModule {}
