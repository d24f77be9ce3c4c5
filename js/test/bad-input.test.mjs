// Bad input through the package's text, ottypes and board functions: each
// must throw an Error that names the value, leave the document unchanged
// and leave the WebAssembly module working for the next call.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  Board,
  BoardOp,
  BoardSyncClient,
  TextAuthority,
  TextDocument,
  TextOp,
  TextSyncClient,
  VectorClock,
  textType,
} from "echostream";

// Checks that the module still works after a rejected call: a trap or
// a stack overflow inside it breaks every later call.
function assertModuleWorks() {
  const doc = new TextDocument("ab");
  doc.apply(TextOp.insert(1, "x"));
  assert.equal(doc.toString(), "axb");
  assert.equal(new Board().size, 0);
}

function nestedArrays(depth) {
  let value = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

test("deep nesting is rejected", () => {
  const cases = [
    () => TextOp.fromJSON([nestedArrays(200)]),
    () => textType.apply("abc", [nestedArrays(5000)]),
    () => BoardOp.fromJSON([{ create: { id: "A".repeat(22), shape: { kind: "rectangle", props: { x: nestedArrays(10000) } }, z: 0 } }]),
  ];
  for (const [index, call] of cases.entries()) {
    assert.throws(call, (error) => error instanceof Error && /invalid (text|board) operation: /.test(error.message), `case ${index}`);
    assertModuleWorks();
  }
  assert.throws(() => TextOp.fromJSON([nestedArrays(200)]), {
    message: "invalid text operation: arrays and objects nest deeper than the maximum of 128 levels",
  });
});

test("nesting that overflows JSON.stringify names the limit", () => {
  const hint = "it cannot be read as JSON: Maximum call stack size exceeded (arrays and objects may nest at most 128 levels)";
  const deep = nestedArrays(100_000);
  const cases = [
    [() => TextOp.fromJSON([deep]), `invalid text operation: ${hint}`],
    [() => VectorClock.fromJSON({ a: deep }), `invalid vector clock: ${hint}`],
    [() => new Board().createOp({ kind: "rectangle", props: { x: deep } }), `invalid shape: ${hint}`],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, { message });
    assertModuleWorks();
  }
});

test("Map and Set are rejected with their place", () => {
  const site = "00000000000000a1";
  const board = new Board();
  const { id, op } = board.createOp({ kind: "line", props: { x: { number: 0 }, y: { number: 0 } } });
  board.apply(op);
  const map = "a Map, which JSON.stringify writes as {}; pass a plain object, for example Object.fromEntries(map)";
  const set = "a Set, which JSON.stringify writes as {}; pass an array, for example Array.from(set)";
  const cases = [
    [() => VectorClock.fromJSON(new Map([[site, 3]])), `invalid vector clock: it is ${map}`],
    [() => VectorClock.fromJSON(new Map()), `invalid vector clock: it is ${map}`],
    [() => board.createOp({ kind: "rectangle", props: new Map([["x", { number: 1 }]]) }), `invalid shape: the value at props is ${map}`],
    [() => board.setOp(id, "points", { points: new Set([[0, 0]]) }), `invalid property value: the value at points is ${set}`],
    [() => TextOp.fromJSON([2, new Set(["x"])]), `invalid text operation: the value at [1] is ${set}`],
    [
      () => Board.fromJSON({ shapes: [{ id, kind: "line", props: { x: { number: 0 }, y: new Map() } }] }),
      `invalid board: the value at shapes[0].props.y is ${map}`,
    ],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, { message });
  }
  // Empty plain objects are still read as JSON.
  assert.deepEqual(VectorClock.fromJSON({}).toJSON(), {});
  assert.equal(Board.fromJSON({ shapes: [{ id, kind: "line", props: {} }] }).size, 1);
});

test("cyclic value is rejected", () => {
  const cyclic = [1];
  cyclic.push(cyclic);
  assert.throws(() => TextOp.fromJSON(cyclic), /invalid text operation: it cannot be read as JSON: Converting circular structure/);
  assertModuleWorks();
});

test("throwing getter leaves document usable", () => {
  const doc = new TextDocument("abc");
  const change = {
    get from() {
      throw new Error("getter failed");
    },
    to: 0,
  };
  assert.throws(() => doc.opFromChanges([change]), { message: "invalid change list: it cannot be read as JSON: getter failed" });
  doc.apply(TextOp.insert(0, "x"));
  assert.equal(doc.toString(), "xabc");
  const board = new Board();
  const shape = new Proxy({}, {
    ownKeys() {
      throw new Error("proxy failed");
    },
  });
  assert.throws(() => board.createOp(shape), /invalid shape: it cannot be read as JSON: proxy failed/);
  assert.equal(board.size, 0);
  assert.equal(board.createOp({ kind: "text" }).op.isNoop, false);
});

test("thrown non-Error value is quoted", () => {
  const cases = [
    [42, "42"],
    [null, "null"],
    ["busy", '"busy"'],
    [{ code: 7 }, '{"code":7}'],
    [Symbol("s"), "of type symbol"],
  ];
  for (const [thrown, quoted] of cases) {
    const value = {
      toJSON() {
        throw thrown;
      },
    };
    assert.throws(() => TextOp.fromJSON(value), { message: `invalid text operation: it cannot be read as JSON: it threw ${quoted}` });
  }
  assertModuleWorks();
});

test("non-string side is rejected", () => {
  const op = TextOp.insert(0, "x");
  const other = TextOp.insert(0, "y");
  for (const side of [0, 12345, {}, null, undefined, Symbol("left")]) {
    assert.throws(() => op.transform(other, side), /^Error: invalid side .*: expected "left" or "right"$/, String(side));
    assert.throws(() => textType.transform([1, "a"], [1, "b"], side), /invalid side/, String(side));
    assert.throws(() => op.transformPosition(0, side), /invalid side/, String(side));
  }
  assert.throws(() => op.transform(other, 0), { message: 'invalid side 0: expected "left" or "right"' });
  assertModuleWorks();
});

test("non-number position is rejected", () => {
  const doc = new TextDocument("ab😀cd");
  const cases = [
    [null, "null"],
    ["3", '"3"'],
    [true, "true"],
    [[2], "[2]"],
    [undefined, "undefined"],
  ];
  for (const [value, shown] of cases) {
    assert.throws(() => TextOp.insert(value, "x"), { message: `invalid position ${shown}: expected a non-negative integer` });
    assert.throws(() => doc.insertUtf16(value, "x"), { message: `invalid UTF-16 range start ${shown}: expected a non-negative integer` });
    assert.throws(() => doc.slice(0, value), { message: `invalid range end ${shown}: expected a non-negative integer` });
    assert.throws(() => textType.transformPosition(value, [1, "x"]), { message: `invalid position ${shown}: expected a non-negative integer` });
  }
  assert.equal(doc.toString(), "ab😀cd");
});

test("odd numbers are written as JavaScript", () => {
  assert.throws(() => TextOp.insert(Infinity, "x"), { message: "invalid position Infinity: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(NaN, "x"), { message: "invalid position NaN: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(1e300, "x"), { message: "invalid position 1e+300: the maximum is 4294967295" });
  assert.throws(() => TextOp.insert(-1e-7, "x"), { message: "invalid position -1e-7: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(2 ** 53, "x"), { message: "invalid position 9007199254740992: the maximum is 4294967295" });
  assert.throws(() => TextOp.insert(-Infinity, "x"), { message: "invalid position -Infinity: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(-1e21, "x"), { message: "invalid position -1e+21: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(1.5, "x"), { message: "invalid position 1.5: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(-1, "x"), { message: "invalid position -1: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(1e-9, "x"), { message: "invalid position 1e-9: expected a non-negative integer" });
  assert.throws(() => TextOp.insert(0.000001, "x"), { message: "invalid position 0.000001: expected a non-negative integer" });
});

test("non-string text is rejected", () => {
  for (const [value, shown] of [[5, "5"], [{}, "{}"], [null, "null"], [undefined, "undefined"]]) {
    assert.throws(() => TextOp.insert(0, value), { message: `invalid inserted text ${shown}: expected a string` });
  }
  assert.throws(() => new TextDocument(5), { message: "invalid document text 5: expected a string" });
  assert.throws(() => textType.apply(5, [1]), { message: "invalid snapshot 5: expected a string" });
});

test("lone surrogate in JSON is rejected", () => {
  const cases = [
    [["\ud800"], 0],
    [["a\udc00"], 1],
    [["ok", { d: "😀\udc00\ud800" }], 2],
  ];
  for (const [json, offset] of cases) {
    assert.throws(() => TextOp.fromJSON(json), {
      message: `invalid text operation: it holds a lone UTF-16 surrogate at offset ${offset}, which is no code point`,
    });
  }
  assert.deepEqual(TextOp.fromJSON(["😀"]).toJSON(), ["😀"]);
});

test("board ids must be strings", () => {
  const board = new Board();
  const { id, op } = board.createOp({ kind: "rectangle", props: { x: { number: 0 }, y: { number: 0 } } });
  board.apply(op);
  const before = JSON.stringify(board.toJSON());
  for (const [value, shown] of [[5, "5"], [null, "null"], [undefined, "undefined"], [{}, "{}"]]) {
    assert.throws(() => BoardOp.translate(value, 1, 1), { message: `invalid shape id ${shown}: expected a string` });
    assert.throws(() => board.shape(value), { message: `invalid shape id ${shown}: expected a string` });
    assert.throws(() => board.setOp(id, value, { number: 1 }), { message: `invalid property key ${shown}: expected a string` });
    assert.throws(() => board.groupOp(value, [id]), { message: `invalid group id ${shown}: expected a string` });
  }
  assert.throws(() => BoardOp.translate(id, null, 0), { message: "invalid translation dx null: expected a number" });
  assert.throws(() => board.moveOp(id, "0"), { message: 'invalid z-order position "0": expected a non-negative integer' });
  assert.throws(() => board.groupOp("B".repeat(22), [5]), /invalid shape id list: invalid type: integer `5`, expected a string/);
  assert.throws(() => Board.fromExcalidraw(5), { message: "invalid Excalidraw JSON 5: expected a string" });
  assert.equal(JSON.stringify(board.toJSON()), before);
  assertModuleWorks();
});

test("unknown shape field is rejected", () => {
  const board = new Board();
  assert.throws(() => board.createOp({ kind: "rectangle", colour: "red" }), /^Error: invalid shape: unknown field `colour`, expected one of `kind`, `props`, `text`, `groups`$/);
  assert.throws(() => board.createOp(new Map([["kind", "rectangle"]])), {
    message: "invalid shape: it is a Map, which JSON.stringify writes as {}; pass a plain object, for example Object.fromEntries(map)",
  });
  assert.throws(() => BoardOp.fromJSON([{ translate: { id: "A".repeat(22), dx: 1, dy: 1, dz: 1 } }]), /invalid board operation: unknown field `dz`/);
  assert.equal(board.size, 0);
});

test("__proto__ property key is rejected", () => {
  // A plain object takes `__proto__` as its prototype, not as a property,
  // so the key would vanish from toJSON and from the operation sent to
  // other clients.
  const board = new Board();
  const reason = "the key __proto__ is reserved: JavaScript objects do not keep it as a property";
  const shape = JSON.parse('{"kind": "rectangle", "props": {"__proto__": {"number": 1}}}');
  assert.throws(() => board.createOp(shape), (error) => error instanceof Error && error.message.includes(reason));
  assert.equal(board.size, 0);

  const created = board.createOp({ kind: "rectangle" });
  board.apply(created.op);
  const before = JSON.stringify(board.toJSON());
  assert.throws(() => board.setOp(created.id, "__proto__", { number: 1 }), (error) => error instanceof Error && error.message.includes(reason));
  assert.throws(() => board.setOp(created.id, "__proto__", null), (error) => error instanceof Error && error.message.includes(reason));
  const set = BoardOp.fromJSON(JSON.parse(`[{"set": {"id": "${created.id}", "key": "__proto__", "old": null, "new": {"number": 1}}}]`));
  assert.throws(() => board.apply(set), (error) => error instanceof Error && error.message.includes(reason));
  assert.equal(JSON.stringify(board.toJSON()), before);

  // Keys that name members of Object.prototype become own properties.
  for (const key of ["constructor", "toString", "hasOwnProperty"]) {
    const named = board.createOp(JSON.parse(`{"kind": "rectangle", "props": {"${key}": {"number": 2}}}`));
    board.apply(named.op);
    assert.deepEqual(board.shape(named.id).props[key], { number: 2 }, key);
    assert.ok(Board.fromJSON(board.toJSON()).equals(board), key);
  }
  assertModuleWorks();
});

test("object with toJSON is read", () => {
  assert.deepEqual(TextOp.fromJSON(TextOp.insert(1, "x")).toJSON(), [1, "x"]);
  assert.equal(textType.apply("abc", TextOp.insert(3, "!")), "abc!");
});

test("sites, texts and revisions of the sync classes are checked", () => {
  const site = "00000000000000a1";
  const cases = [
    [() => new VectorClock().increment(5), "invalid site 5: expected a string"],
    [() => new VectorClock().get(null), "invalid site null: expected a string"],
    [() => new VectorClock().set(site, "3"), 'invalid counter "3": expected a non-negative integer'],
    [() => new VectorClock().contains(site, null), "invalid sequence number null: expected a non-negative integer"],
    [() => new TextSyncClient(5, "x", 0), "invalid site 5: expected a string"],
    [() => new TextSyncClient(site, 5, 0), "invalid text 5: expected a string"],
    [() => new TextSyncClient(site, "x", null), "invalid revision null: expected a non-negative integer"],
    [() => new TextSyncClient(site, "x", true), "invalid revision true: expected a non-negative integer"],
    [() => new BoardSyncClient({}, new Board().toJSON(), 0), "invalid site {}: expected a string"],
    [() => new BoardSyncClient(site, new Board().toJSON(), "0"), 'invalid revision "0": expected a non-negative integer'],
    [() => new TextAuthority().since(null), "invalid revision null: expected a non-negative integer"],
    [() => new TextAuthority().lastSeq(7), "invalid site 7: expected a string"],
    [() => new Board().importExcalidrawOp({}), "invalid Excalidraw JSON {}: expected a string"],
  ];
  for (const [index, [call, message]] of cases.entries()) {
    assert.throws(call, (error) => error instanceof Error && error.message === message, `case ${index}: ${message}`);
    assertModuleWorks();
  }
  const client = new TextSyncClient(site, "x", 0);
  assert.throws(() => client.acknowledge({ site, seq: 1 }, undefined), {
    message: "invalid revision undefined: expected a non-negative integer",
  });
  assert.throws(() => client.rebaseOntoSnapshot(["x"], 1, 0), {
    message: 'invalid text ["x"]: expected a string',
  });
  assert.equal(client.text, "x");
  client.free();
});
