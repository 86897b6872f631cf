import { join } from 'node:path';
import express, { type Express } from 'express';
import { labelsModule } from './console-labels';

const CONSOLE_DIR = join(__dirname, '..', 'console');

/**
 * The web console: static ES modules (no build step) that call the API with the operator's key,
 * and labels.js, built here from the contracts. The key stays in the tab's sessionStorage (gone
 * when the tab closes; never in a cookie, so there is no CSRF surface); the page renders data with
 * textContent only, and the CSP allows no inline or foreign script (module scripts from 'self').
 */
export function mountConsole(app: Express): void {
  const labels = labelsModule();
  app.get('/', (_req, res) => res.redirect(302, '/console/'));
  app.use(
    '/console',
    (_req, res, next) => {
      res.set({
        'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      });
      next();
    },
    express.Router().get('/labels.js', (_req, res) => {
      res.type('text/javascript; charset=utf-8').send(labels);
    }),
    express.static(CONSOLE_DIR, { index: 'index.html', fallthrough: true }),
  );
}
