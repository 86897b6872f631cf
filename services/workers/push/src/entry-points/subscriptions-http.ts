import express, { type Router } from 'express';
import { parseContract } from '@gateway/contracts';
import { PROBLEM_BASE, requireScope, sendInvalidFields, sendProblem, type KeyRing, type Logger } from '@gateway/common';
import { jsonBody, routerErrors } from './http-support';
import { DEFAULT_PUSH_ENDPOINT_HOSTS, subscriptionBodySchema, unsubscribeBodySchema } from '../domain/subscription-schema';
import type { SubscriptionStore } from '../data-access/subscription-store';

export interface PushRouterDeps {
  store: SubscriptionStore;
  keys: () => KeyRing;
  logger: Logger;
  /** VAPID public key (base64url), handed to the browser for pushManager.subscribe(). */
  vapidPublicKey: string;
  /** Push service hosts an endpoint may point at; defaults to the browsers' own services. */
  allowedEndpointHosts?: readonly string[];
}

const BODY_LIMIT_BYTES = 8 * 1024;

/**
 * Web push registration, mounted at the root (paths start with /v1/push).
 *
 * Registering and removing need `events:write`: the caller is the agency web app, a source
 * system that already holds such a key, acting for its logged-in user. `directory:write` would
 * also let it rewrite anyone's phone and email; `notifications:read` is meant to be read-only.
 * The VAPID public key is public by design (every browser that subscribes receives it), so
 * that route needs no key.
 */
export function createPushRouter(deps: PushRouterDeps): Router {
  if (!deps?.store || typeof deps.keys !== 'function' || !deps.logger || !deps.vapidPublicKey) {
    throw new TypeError('createPushRouter: store, keys, logger and vapidPublicKey are required');
  }
  const { store } = deps;
  const logger = deps.logger.child({ component: 'push-subscriptions-http' });
  const bodySchema = subscriptionBodySchema(deps.allowedEndpointHosts ?? DEFAULT_PUSH_ENDPOINT_HOSTS);
  const writer = requireScope({ keys: deps.keys, logger }, 'events:write');
  const router = express.Router();

  router.get('/v1/push/vapid-public-key', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600');
    res.json({ publicKey: deps.vapidPublicKey });
  });

  router.post('/v1/push/subscriptions', writer, ...jsonBody(BODY_LIMIT_BYTES), async (req, res) => {
    const parsed = parseContract(bodySchema, req.body);
    if (!parsed.ok) {
      sendInvalidFields(res, 'The push subscription has invalid fields', parsed.issues);
      return;
    }
    const { userId, endpoint, keys, expirationTime } = parsed.value;
    const { created, evicted } = await store.save(userId, { endpoint, keys, expirationTime: expirationTime ?? null, createdAt: new Date().toISOString() });
    logger.info({ userId, host: new URL(endpoint).host, created, evicted }, 'push subscription saved');
    res.status(created ? 201 : 200).json({ userId, endpoint, created });
  });

  router.delete('/v1/push/subscriptions', writer, ...jsonBody(BODY_LIMIT_BYTES), async (req, res) => {
    const parsed = parseContract(unsubscribeBodySchema, req.body);
    if (!parsed.ok) {
      sendInvalidFields(res, 'The request has invalid fields', parsed.issues);
      return;
    }
    const { userId, endpoint } = parsed.value;
    if (await store.remove(userId, endpoint)) {
      logger.info({ userId }, 'push subscription removed');
      res.status(204).end();
      return;
    }
    sendProblem(res, { type: `${PROBLEM_BASE}not-found`, title: 'No such subscription', status: 404, detail: `User "${userId}" has no push subscription with that endpoint.` });
  });

  router.use(routerErrors(logger, 'Push subscriptions'));
  return router;
}
