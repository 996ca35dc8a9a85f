import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { SlipwayError } from '@slipway/core';
import type { RedisConnection } from '@slipway/store';
import { requestHasKey } from './auth.js';
import { errorHandler } from './errors.js';
import type { ApiOperations, ApiSettings } from './operations.js';
import { appsRoutes } from './routes-apps.js';
import { domainsRoutes } from './routes-domains.js';
import { formationRoutes } from './routes-formation.js';
import { runRoutes } from './routes-run.js';
import { releasesRoutes } from './routes-releases.js';
import { buildOutputRoute, buildsRoutes } from './routes-builds.js';
import { logSessionStreamRoute, logSessionsRoutes } from './routes-logs.js';

/** The Heroku-shaped HTTP API. Thin: validation in core, state in store, actions through `ops`. */
export function createApi(redis: RedisConnection, settings: ApiSettings, ops: ApiOperations, log: (line: string) => void = () => undefined): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', async (_req, res) => {
    const redisOk = await redis.ping().then(() => true, () => false);
    res.status(redisOk ? 200 : 503).json({ status: redisOk ? 'ok' : 'redis unreachable' });
  });

  // Authorised by their per-build and per-session tokens, not the key (Heroku's CLI fetches them bare).
  app.use(buildOutputRoute(redis));
  app.use(logSessionStreamRoute(redis));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (!requestHasKey(req, settings.apiKey)) return next(new SlipwayError('unauthorized', 'Invalid credentials provided: use Authorization: Bearer <api key>.'));
    next();
  });
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  app.use(appsRoutes(redis, settings, ops));
  app.use(domainsRoutes(redis, settings));
  app.use(formationRoutes(redis, ops));
  app.use(runRoutes(redis, settings, ops));
  app.use(releasesRoutes(redis, ops));
  app.use(buildsRoutes(redis, settings, ops));
  app.use(logSessionsRoutes(redis, settings));
  app.use((req: Request, _res: Response, next: NextFunction) => next(new SlipwayError('not_found', `No such endpoint: ${req.method} ${req.path}`)));
  app.use(errorHandler(log));
  return app;
}
