import express from 'express';
import request from 'supertest';
import { allReady, healthRoutes, noRoute, type Readiness } from '../src/health';

function appWith(readiness: () => Readiness | Promise<Readiness>): express.Express {
  const app = express();
  healthRoutes(app, readiness);
  app.get('/v1/thing', (_req, res) => {
    res.json({ thing: true });
  });
  app.use(noRoute());
  return app;
}

describe('health routes', () => {
  it('when the service is ready, then /readyz answers 200 with ready first and the report beside it', async () => {
    const res = await request(appWith(async () => ({ ready: true, report: { kafka: true, consuming: { push: true, inapp: true } } }))).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"ready":true,"kafka":true,"consuming":{"push":true,"inapp":true}}');
  });

  it('when the service is not ready, then /readyz answers 503 with the fields the service shows, even ones that do not decide readiness', async () => {
    const res = await request(appWith(() => ({ ready: false, report: { redis: true, consuming: false, circuits: { twilio: 'open' } } }))).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ ready: false, redis: true, consuming: false, circuits: { twilio: 'open' } });
  });

  it('when readiness changes between probes, then each probe asks again', async () => {
    let consuming = false;
    const app = appWith(() => allReady({ consuming }));
    expect((await request(app).get('/readyz')).status).toBe(503);
    consuming = true;
    expect((await request(app).get('/readyz')).body).toEqual({ ready: true, consuming: true });
  });

  it('when /healthz is asked, then it answers ok without asking readiness', async () => {
    let asked = 0;
    const res = await request(
      appWith(() => {
        asked += 1;
        return { ready: false, report: {} };
      }),
    ).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(asked).toBe(0);
  });

  it('when every check of a report is true, then allReady is ready; when one is false, it is not', () => {
    expect(allReady({ kafka: true, redis: true })).toEqual({ ready: true, report: { kafka: true, redis: true } });
    expect(allReady({ kafka: true, redis: false }).ready).toBe(false);
    expect(allReady({}).ready).toBe(true);
  });
});

describe('no route', () => {
  it('when no route matches, then a 404 problem names the method and path (without the query)', async () => {
    const res = await request(appWith(() => allReady({}))).post('/v1/nothing?x=1');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual({ type: '/problems/not-found', title: 'Not found', status: 404, detail: 'No route for POST /v1/nothing.' });
  });

  it('when a route matches, then it answers and the 404 stays out of the way', async () => {
    const res = await request(appWith(() => allReady({}))).get('/v1/thing');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ thing: true });
  });
});
