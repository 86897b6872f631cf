// @ts-check
import { api } from './api.js';
import { byId } from './dom.js';

/** @type {import('./types.js').Me | null} */
let me = null;

/** Who is signed in, once loadMe() answered. */
export const currentUser = () => me;

/** Asks who the key belongs to and shows the menu that person may use. */
export async function loadMe() {
  const who = await api.me();
  me = who;
  byId('nav').hidden = false;
  byId('nav-audit').hidden = !who.isAdmin;
  byId('nav-outbox').hidden = !who.devOutbox;
  byId('logout').hidden = false;
  const role = who.isAdmin ? 'quản trị' : who.canResend ? 'điều hành' : 'chỉ xem';
  byId('who').textContent = `${who.name} (${role})`;
}

export function forgetUser() {
  me = null;
  byId('nav').hidden = true;
  byId('logout').hidden = true;
  byId('who').textContent = '';
}
