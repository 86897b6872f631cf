// @ts-check
/* global location, URLSearchParams */

/** @type {() => unknown} */
let render = () => undefined;

/**
 * app.js hands its router here, so pages can redraw without importing app.js.
 * @param {() => unknown} fn
 */
export function setRenderer(fn) {
  render = fn;
}

/** Draws the current page again (a job still running, a message still on its way). */
export const redraw = () => render();

/** The page's hash without its query. */
export const routeBase = () => location.hash.split('?')[0] || '';

/**
 * @param {string} base
 * @param {Record<string, string>} params
 */
export function go(base, params) {
  const qs = new URLSearchParams(params).toString();
  const next = `${base}${qs ? `?${qs}` : ''}`;
  if (location.hash === next) render();
  else location.hash = next;
}
