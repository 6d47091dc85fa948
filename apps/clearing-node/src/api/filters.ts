import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { InvalidInputError } from '@omniclear/margin-engine';
import { EventSchemaError } from '@omniclear/protocol';
import { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

import { InvalidAddressError, InvalidQueryError } from '../errors.js';

/** Domain errors that mean "the request is wrong", mapped to 400 / an RPC error of kind bad-request. */
function isBadRequest(error: unknown): error is Error {
  return (
    error instanceof InvalidAddressError ||
    error instanceof InvalidQueryError ||
    error instanceof InvalidInputError ||
    error instanceof EventSchemaError
  );
}

/** The HTTP edge's one exception filter: domain errors → 4xx with their message; the rest → 500. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: unknown, host: ArgumentsHost): void {
    // Through the adapter, so the filter does not depend on fastify's reply type.
    const reply = (body: unknown, status: number) =>
      this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
    if (error instanceof HttpException) {
      const body = error.getResponse();
      reply(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body, error.getStatus());
      return;
    }
    if (isBadRequest(error)) {
      reply({ statusCode: 400, error: error.name, message: error.message }, HttpStatus.BAD_REQUEST);
      return;
    }
    this.logger.error(`unhandled error: ${(error as Error)?.message}`, (error as Error)?.stack);
    reply({ statusCode: 500, error: 'InternalError', message: 'internal error' }, HttpStatus.INTERNAL_SERVER_ERROR);
  }
}

/** What an RPC caller receives in `err`. */
export interface RpcErrorBody {
  status: 'bad-request' | 'internal';
  error: string;
  message: string;
}

/** The RPC edge's one exception filter: the same mapping, as an error reply. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(RpcErrorFilter.name);

  catch(error: unknown): Observable<never> {
    if (isBadRequest(error)) {
      return throwError(
        () => ({ status: 'bad-request', error: error.name, message: error.message }) satisfies RpcErrorBody,
      );
    }
    this.logger.error(`unhandled error: ${(error as Error)?.message}`, (error as Error)?.stack);
    return throwError(
      () => ({ status: 'internal', error: 'InternalError', message: 'internal error' }) satisfies RpcErrorBody,
    );
  }
}
