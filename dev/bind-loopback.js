/**
 * Preload (`node -r ./dev/bind-loopback.js ...`) that makes every TCP server in the process listen on
 * 127.0.0.1 only. The Microsoft 365 Agents Playground has no host option and binds every interface; it
 * posts unauthenticated activities to a bot in local mode, so it must stay on loopback like the bot.
 *
 * Plain CommonJS on purpose: it is loaded by path from the project root (never compiled or copied), both
 * by `npm start` (from dist/) and by the tests (from the TypeScript sources).
 */
'use strict';
const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const isLoopback = (h) => h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(String(h));
const original = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (first === undefined || first === null || typeof first === 'function') {
    // listen() / listen(cb): an ephemeral port on every interface; make it loopback.
    const rest = first === undefined || first === null ? args.slice(1) : args;
    return original.call(this, 0, LOOPBACK, ...rest);
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, cb])
    if (typeof args[1] === 'string') {
      if (!isLoopback(args[1])) args[1] = LOOPBACK;
    } else {
      args.splice(1, 0, LOOPBACK);
    }
    return original.apply(this, args);
  }
  if (typeof first === 'object' && !first.path && !first._handle && !first.fd && first.handle === undefined) {
    // listen({ port, host, ... }[, cb])
    if (!first.host || !isLoopback(first.host)) args[0] = { ...first, host: LOOPBACK };
    return original.apply(this, args);
  }
  // A Unix socket or an inherited handle: nothing to bind.
  return original.apply(this, args);
};
