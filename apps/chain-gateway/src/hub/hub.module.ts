import { Module } from '@nestjs/common';

import { HubClient } from './hub.client.js';

/** The hub chain RPC and the operator key, shared by the follower (reads) and the executor (writes). */
@Module({ providers: [HubClient], exports: [HubClient] })
export class HubModule {}
