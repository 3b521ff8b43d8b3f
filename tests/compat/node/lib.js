'use strict';
/*
 * Shared helpers for the compat node scripts. They drive a vpaas server with the official,
 * unmodified Kaltura Node client (npm kaltura-client, pinned in package.json) and print ONE JSON
 * object on stdout: {"<flow name>": <outcome>, ...}. pytest asserts on it.
 *
 * Outcome shapes: {"ok": <value>} when the promise resolved, {"rejected": {code, message,
 * objectType, args}} when it rejected with a Kaltura API error, {"crash": "<text>"} for anything
 * else (transport errors, exceptions in the script, a flow that never settled).
 *
 * Input: argv[2] is a JSON object {"url", "partnerId", "adminSecret", "secret", "userId"}.
 */
const crypto = require('crypto');
const kaltura = require('kaltura-client');

const FLOW_TIMEOUT_MS = 15000;

function readInput() {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: node <script>.js \'{"url": ..., "partnerId": ...}\'');
  const input = JSON.parse(raw);
  input.url = String(input.url).replace(/\/+$/, '');
  input.partnerId = Number(input.partnerId);
  return input;
}

/** A client pointed at the server, with the partner set and the client's logging silenced. */
function newClient(input, ks) {
  const config = new kaltura.Configuration();
  config.serviceUrl = input.url;
  config.timeout = FLOW_TIMEOUT_MS;
  config.setLogger({ log() {}, debug() {}, error() {} });
  const client = new kaltura.Client(config);
  client.setPartnerId(input.partnerId);
  if (ks) client.setKs(ks);
  return client;
}

function quotePlus(text) {
  return encodeURIComponent(text).replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * A KS v2 built locally (the Node client has no KS generator): url-safe base64 of
 * "v2|<pid>|" + AES-128-CBC(key = sha1(secret)[:16], zero IV, zero padding) of
 * sha1(R16 + fields) + R16 + fields, where fields = privileges, _e, _t, _u as a query string.
 * expirySeconds may be negative to build an already expired KS.
 */
function buildKsV2(secret, partnerId, userId, type, expirySeconds, privileges) {
  const pairs = [];
  for (const item of String(privileges || '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const priv = item === '*' ? 'all:*' : item;
    const at = priv.indexOf(':');
    pairs.push(at < 0 ? [priv, ''] : [priv.slice(0, at), priv.slice(at + 1)]);
  }
  const expiry = Math.floor(Date.now() / 1000) + expirySeconds;
  pairs.push(['_e', String(expiry)], ['_t', String(type)], ['_u', String(userId)]);
  const fields = Buffer.from(pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&'));
  const body = Buffer.concat([crypto.randomBytes(16), fields]);
  let plain = Buffer.concat([crypto.createHash('sha1').update(body).digest(), body]);
  if (plain.length % 16) plain = Buffer.concat([plain, Buffer.alloc(16 - (plain.length % 16))]);
  const key = crypto.createHash('sha1').update(secret, 'utf8').digest().subarray(0, 16);
  const cipher = crypto.createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
  cipher.setAutoPadding(false);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from(`v2|${partnerId}|`), encrypted]).toString('base64')
    .replace(/\+/g, '-').replace(/\//g, '_');
}

const isApiError = (value) => !!(value && typeof value === 'object' && !(value instanceof Error)
  && value.code && value.message);

function apiError(value) {
  return { code: value.code, message: value.message, objectType: value.objectType,
    args: value.args === undefined ? null : value.args };
}

/** Plain JSON view of a result; API errors inside multirequest results are kept as objects. */
function plain(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

// The client rethrows some transport failures outside the promise it returned; they are routed
// to the running flow so that it reports a crash instead of hanging the script.
let abortFlow = null;
process.on('unhandledRejection', (reason) => { if (abortFlow) abortFlow(reason); });
process.on('uncaughtException', (reason) => { if (abortFlow) abortFlow(reason); });

async function runFlow(fn) {
  let timer;
  try {
    const value = await new Promise((resolve, reject) => {
      abortFlow = reject;
      timer = setTimeout(() => reject(new Error(`no answer within ${FLOW_TIMEOUT_MS} ms`)),
        FLOW_TIMEOUT_MS);
      Promise.resolve().then(fn).then(resolve, reject);
    });
    return { ok: plain(value) };
  } catch (err) {
    if (isApiError(err)) return { rejected: apiError(err) };
    return { crash: String((err && err.stack) || err) };
  } finally {
    clearTimeout(timer);
    abortFlow = null;
  }
}

/** Run named flows in order (later flows may read what earlier ones stored) and print JSON. */
async function runAll(flows) {
  const out = {};
  for (const [name, fn] of Object.entries(flows)) {
    out[name] = await runFlow(fn);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

module.exports = { kaltura, readInput, newClient, buildKsV2, isApiError, runAll };
