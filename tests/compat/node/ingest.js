'use strict';
/*
 * Ingest with the official Node client (JSON, Buffer chunks): uploadToken.add, a chunked upload
 * sent out of order with one chunk re-sent, media.add, media.addContent, media.get, media.delete.
 * Input (lib.js) also carries "file": the clip to upload. Prints {"<flow>": outcome};
 * test_ingest_node.py asserts on it.
 */
const fs = require('fs');
const { kaltura, readInput, newClient, buildKsV2, runAll } = require('./lib');

const input = readInput();
const S = kaltura.services;
const O = kaltura.objects;
const ks = buildKsV2(input.adminSecret, input.partnerId, 'compat-node-ingest',
  kaltura.enums.SessionType.ADMIN, 3600, 'disableentitlement');
const client = newClient(input, ks);
const data = fs.readFileSync(input.file);
const step = Math.ceil(data.length / 4);
const chunks = [0, 1, 2, 3].map((i) => ({ at: i * step, bytes: data.subarray(i * step, (i + 1) * step) }));
const state = {};

const run = (builder) => builder.execute(client);
const send = (token, chunk, resume, final) => run(S.uploadToken.upload(token, chunk.bytes, resume,
  final, chunk.at));
const newToken = () => run(S.uploadToken.add(new O.UploadToken({
  fileName: 'clip-node.mp4', fileSize: data.length })));

const flows = {
  token_add: async () => {
    const token = await newToken();
    state.token = token.id;
    return token;
  },
  // A (resume=false starts the file), C (parked: B is missing), B (fills the gap), B again
  // (a retried chunk); none of them is final.
  chunks_before_final: async () => {
    const [a, b, c] = chunks;
    const out = [];
    for (const [chunk, resume] of [[a, false], [c, true], [b, true], [b, true]]) {
      out.push(await send(state.token, chunk, resume, false));
    }
    return out;
  },
  final_chunk: () => send(state.token, chunks[3], true, true),
  token_get: () => run(S.uploadToken.get(state.token)),
  media_add: async () => {
    const entry = await run(S.media.add(new O.MediaEntry({ name: input.entryName,
      mediaType: kaltura.enums.MediaType.VIDEO, tags: 'compat,node' })));
    state.entry = entry.id;
    return entry;
  },
  add_content: () => run(S.media.addContent(state.entry,
    new O.UploadedFileTokenResource({ token: state.token }))),
  token_after_add_content: () => run(S.uploadToken.get(state.token)),
  media_get: () => run(S.media.get(state.entry)),
  media_delete: () => run(S.media.deleteAction(state.entry)),
  media_get_deleted: () => run(S.media.get(state.entry)),
  token_get_unknown: () => run(S.uploadToken.get('0_nosuchtoken')),
};

runAll(flows).catch((err) => {
  process.stderr.write(String((err && err.stack) || err) + '\n');
  process.exit(100);
});
