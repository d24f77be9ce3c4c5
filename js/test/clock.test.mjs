// Tests of VectorClock and site ids.

import assert from "node:assert/strict";
import { test } from "node:test";

import { VectorClock, randomSiteId } from "echostream";

test("clock increments and compares", () => {
  const a = new VectorClock();
  const b = new VectorClock();
  assert.equal(a.compare(b), "equal");
  assert.equal(a.increment("a1"), 1);
  assert.equal(a.increment("a1"), 2);
  assert.equal(a.get("a1"), 2);
  assert.equal(a.get("b2"), 0);
  assert.equal(a.compare(b), "after");
  assert.equal(b.compare(a), "before");
  b.increment("b2");
  assert.equal(a.compare(b), "concurrent");
  b.merge(a);
  assert.equal(b.compare(a), "after");
  assert.deepEqual(b.toJSON(), { "00000000000000a1": 2, "00000000000000b2": 1 });
  assert.deepEqual(b.sites, ["00000000000000a1", "00000000000000b2"]);
  assert.ok(b.contains("a1", 2));
  assert.ok(!b.contains("a1", 3));
});

test("clock JSON round trips", () => {
  const clock = VectorClock.fromJSON({ ff: 3, "0a": 1 });
  assert.deepEqual(JSON.parse(JSON.stringify(clock)), { "000000000000000a": 1, "00000000000000ff": 3 });
  clock.set("ff", 0);
  assert.deepEqual(clock.toJSON(), { "000000000000000a": 1 });
  assert.equal(clock.clone().compare(clock), "equal");
});

test("clock rejects bad input", () => {
  const clock = new VectorClock();
  assert.throws(() => clock.get("xyz"), {
    message: 'invalid site id "xyz": expected 1 to 16 hex digits',
  });
  assert.throws(() => clock.set("a", -1), /invalid counter -1: expected a non-negative integer/);
  assert.throws(() => VectorClock.fromJSON({ a: "x" }), /invalid vector clock/);
  assert.throws(() => VectorClock.fromJSON({ "12345678901234567": 1 }), /invalid site id "12345678901234567"/);
});

test("random site ids differ", () => {
  const a = randomSiteId();
  const b = randomSiteId();
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(a, b);
});
