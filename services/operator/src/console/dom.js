// @ts-check
/* global document, window, setTimeout, clearTimeout */
// Every value from the API reaches the page through text nodes (h() below) or attributes set one
// by one, never through innerHTML: that is the console's escaping.

/** @typedef {string | number | boolean | null | undefined | ((event: Event) => unknown)} AttrValue */
/** @typedef {Record<string, AttrValue>} Attrs */
/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[]} Children */

/**
 * An element with its attributes (`on*` functions become listeners) and children as text nodes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} attrs
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    } else if (name === 'className') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * The element with this id; the page's skeleton (index.html) has it.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

/** @param {...Children} children */
export function view(...children) {
  byId('app').replaceChildren(...children.flat().filter(isNode));
}

/**
 * @param {Child} child
 * @returns {child is Node | string}
 */
function isNode(child) {
  return child !== undefined && child !== null && child !== false && typeof child !== 'number';
}

/** @param {string} message */
export const errorBox = (message) => h('div', { className: 'error', role: 'alert' }, message);

/** @param {string | undefined} iso */
export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour12: false }) : '');

/** @type {ReturnType<typeof setTimeout>[]} */
let timers = [];

/**
 * Runs fn later unless the page changes first.
 * @param {() => unknown} fn
 * @param {number} ms
 */
export function later(fn, ms) {
  timers.push(setTimeout(fn, ms));
}

/** Called when the page changes: what the old page asked to run later does not run. */
export function cancelLater() {
  timers.forEach(clearTimeout);
  timers = [];
}
