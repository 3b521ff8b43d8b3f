'use strict';
/*
 * Accounts and sessions with the official Node client (JSON, format=1): session.start/get/end,
 * a locally built KS v2, partner.get, system.ping, a chained multirequest with failing calls and
 * the error cases. Prints {"<flow>": outcome} (see lib.js); test_sessions_node.py asserts on it.
 */
const { kaltura, readInput, newClient, buildKsV2, runAll } = require('./lib');

const input = readInput();
const S = kaltura.services;
const ADMIN = kaltura.enums.SessionType.ADMIN;
const USER_ID = input.userId || 'compat-node-user';
const PRIVS = 'disableentitlement';
const state = {};

const call = (builder, ks) => builder.execute(newClient(input, ks));
const raw = (service, action, data) => new kaltura.RequestBuilder(service, action, data || {});

const flows = {
  session_start: async () => {
    state.ks = await call(S.session.start(input.adminSecret, USER_ID, ADMIN, input.partnerId,
      3600, PRIVS));
    return state.ks;
  },
  session_get_own: () => call(S.session.get(), state.ks),
  session_get_local_v2: () => call(S.session.get(
    buildKsV2(input.adminSecret, input.partnerId, USER_ID, ADMIN, 3600, PRIVS)), state.ks),
  local_v2_as_request_ks: () => call(S.session.get(),
    buildKsV2(input.adminSecret, input.partnerId, USER_ID, ADMIN, 3600, PRIVS)),
  partner_get: () => call(S.partner.get(input.partnerId), state.ks),
  system_ping: () => call(S.system.ping()),
  multirequest: () => S.session.start(input.adminSecret, USER_ID, ADMIN, input.partnerId,
    3600, PRIVS)
    .add(S.session.get('{1:result}'))
    .add(S.partner.get(input.partnerId).setKs('{1:result}'))
    .add(S.partner.get(input.partnerId + 1000000))
    .add(raw('nosuchservice', 'list'))
    .add(S.session.get('{4:result}'))
    .add(S.system.ping())
    .execute(newClient(input, state.ks)),
  err_bad_ks: () => call(S.session.get(), 'this-is-not-a-ks'),
  err_expired_ks: () => call(S.session.get(),
    buildKsV2(input.adminSecret, input.partnerId, USER_ID, ADMIN, -3600, PRIVS)),
  err_missing_ks: () => call(S.partner.get(input.partnerId)),
  err_unknown_service: () => call(raw('nosuchservice', 'list'), state.ks),
  err_unknown_action: () => call(raw('system', 'nosuchaction'), state.ks),
  err_missing_parameter: () => call(raw('session', 'start', { partnerId: input.partnerId })),
  err_bad_secret: () => call(S.session.start('not-the-secret', USER_ID, ADMIN, input.partnerId)),
  revoke_end: async () => {
    state.revoked = await call(S.session.start(input.adminSecret, USER_ID, ADMIN,
      input.partnerId, 3600, PRIVS));
    return call(S.session.end(), state.revoked);
  },
  err_revoked_ks: () => call(S.session.get(), state.revoked),
  err_revoked_ks_other_call: () => call(S.partner.get(input.partnerId), state.revoked),
};

runAll(flows).catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(100);
});
