// Counters that cross the JavaScript boundary: revisions, sequence numbers
// and clock counters range from 0 to 2^53 - 1, as JSON input does, and a
// method that throws at that limit leaves its object as it was.

import assert from "node:assert/strict";
import { test } from "node:test";

import { TextAuthority, TextOp, TextSyncClient, VectorClock } from "echostream";

const MAX = Number.MAX_SAFE_INTEGER;
const SITE = "00000000000000a1";

test("counter arguments reach 2^53 - 1", () => {
  const clock = new VectorClock();
  clock.set(SITE, 2 ** 32);
  assert.equal(clock.get(SITE), 4294967296);
  clock.set(SITE, MAX);
  assert.equal(clock.get(SITE), 9007199254740991);
  assert.equal(clock.contains(SITE, MAX), true);
  assert.deepEqual(clock.toJSON(), { [SITE]: 9007199254740991 });

  const client = new TextSyncClient(SITE, "abc", MAX);
  assert.equal(client.revision, 9007199254740991);
  // The revision passes the argument check and reaches the authority's.
  assert.throws(() => new TextAuthority().since(2 ** 40), {
    message: "base revision 1099511627776 is above the head revision 0",
  });
});

test("counter arguments outside the range are named", () => {
  const limit = "the maximum is 9007199254740991";
  const cases = [
    [() => new VectorClock().set(SITE, 2 ** 53), `invalid counter 9007199254740992: ${limit}`],
    [() => new VectorClock().set(SITE, 1e300), `invalid counter 1e+300: ${limit}`],
    [() => new VectorClock().contains(SITE, 2 ** 53), `invalid sequence number 9007199254740992: ${limit}`],
    [() => new VectorClock().set(SITE, -1), "invalid counter -1: expected a non-negative integer"],
    [() => new VectorClock().set(SITE, 0.5), "invalid counter 0.5: expected a non-negative integer"],
    [() => new VectorClock().set(SITE, NaN), "invalid counter NaN: expected a non-negative integer"],
    [() => new TextSyncClient(SITE, "", 2 ** 53), `invalid revision 9007199254740992: ${limit}`],
    [() => new TextAuthority().since(2 ** 53 + 2), `invalid revision 9007199254740994: ${limit}`],
    [() => new TextSyncClient(SITE, "", 0).alignSeqs(2 ** 60), `invalid lastSeq 1152921504606847000: ${limit}`],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, { message });
  }
});

test("positions name the wasm32 limit", () => {
  assert.throws(() => TextOp.insert(2 ** 32, "x"), {
    message: "invalid position 4294967296: the maximum is 4294967295",
  });
  assert.equal(TextOp.insert(2 ** 32 - 1, "x").toJSON()[0], 4294967295);
});

test("increment at 2^53 - 1 leaves the clock unchanged", () => {
  const clock = new VectorClock();
  clock.set(SITE, MAX - 1);
  assert.equal(clock.increment(SITE), 9007199254740991);
  assert.throws(() => clock.increment(SITE), {
    message: `counter 9007199254740991 of site ${SITE} is at the maximum 9007199254740991, so it cannot be incremented`,
  });
  assert.equal(clock.get(SITE), 9007199254740991);
  assert.deepEqual(clock.toJSON(), { [SITE]: 9007199254740991 });
});

const NO_SEQ_LEFT = `site ${SITE} has used every sequence number up to the maximum 9007199254740991, so it cannot make another operation`;

test("sync client with no sequence number left rejects edits", () => {
  const client = new TextSyncClient(SITE, "abc", 0);
  assert.equal(client.alignSeqs(MAX - 1), false);
  client.applyLocal(TextOp.insert(3, "d"));
  // A buffered edit joins the buffer's id and needs no new number.
  client.applyLocal(TextOp.insert(4, "e"));
  const submission = client.nextSubmission();
  assert.deepEqual(submission.id, { site: SITE, seq: 9007199254740991 });

  assert.throws(() => client.applyLocal(TextOp.insert(0, "x")), { message: NO_SEQ_LEFT });
  assert.throws(() => client.undo(), { message: NO_SEQ_LEFT });
  assert.equal(client.text, "abcde");
  assert.equal(client.state, "awaitingAck");
  assert.equal(client.canUndo, true);
  assert.equal(client.nextSubmission(), undefined);
  assert.deepEqual(client.pending().map((pending) => pending.id.seq), [9007199254740991]);
});

test("alignSeqs past the last sequence number changes nothing", () => {
  const client = new TextSyncClient(SITE, "abc", 0);
  client.applyLocal(TextOp.insert(3, "d"));
  assert.throws(() => client.alignSeqs(MAX), { message: NO_SEQ_LEFT });
  assert.deepEqual(client.pending().map((pending) => pending.id.seq), [1]);
  assert.equal(client.alignSeqs(MAX - 1), true);
  assert.deepEqual(client.pending().map((pending) => pending.id.seq), [9007199254740991]);
});

test("counters in JSON input name the range", () => {
  // JSON input reads a number of 2^53 or more, or with a fraction, as a
  // float, which a counter field rejects.
  const range = "counters are integers from 0 to 9007199254740991";
  const entry = (revision) => ({ id: { site: "00000000000000b2", seq: 1 }, revision, op: ["x"], clock: {} });
  const cases = [
    [() => VectorClock.fromJSON({ [SITE]: 2 ** 53 }), `invalid vector clock: invalid type: floating point \`9007199254740992.0\`, expected u64; ${range}`],
    [() => VectorClock.fromJSON({ [SITE]: -1 }), `invalid vector clock: invalid value: integer \`-1\`, expected u64; ${range}`],
    [() => new TextSyncClient(SITE, "abc", 0).receiveRemote(entry(2 ** 53)), `invalid committed operation: invalid type: floating point \`9007199254740992.0\`, expected u64; ${range}`],
    [() => new TextSyncClient(SITE, "abc", 0).receiveRemote(entry(1.5)), `invalid committed operation: invalid type: floating point \`1.5\`, expected u64; ${range}`],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, { message });
  }
});
