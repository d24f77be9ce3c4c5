// The package's typings: every name that `echostream` exports is declared
// without `any`, and the typings compile under `strict`.

import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const entry = join(root, "dist", "index.d.ts");

function program() {
  // The settings of a strict TypeScript project that runs in browsers.
  return ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  });
}

// Returns "file:line name" for each `any` keyword inside `node`.
function anyKeywords(node, name, found) {
  if (node.kind === ts.SyntaxKind.AnyKeyword) {
    const source = node.getSourceFile();
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${relative(root, source.fileName)}:${line + 1} ${name}`);
  }
  // forEachChild stops at the first callback that returns a value.
  ts.forEachChild(node, (child) => {
    anyKeywords(child, name, found);
  });
  return found;
}

test("exported declarations use no any", () => {
  const checked = program();
  const checker = checked.getTypeChecker();
  const module = checker.getSymbolAtLocation(checked.getSourceFile(entry));
  const exported = checker.getExportsOfModule(module);
  assert.ok(exported.length > 40, `only ${exported.length} exports found`);
  const found = [];
  for (const symbol of exported) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    for (const declaration of target.declarations ?? []) {
      anyKeywords(declaration, symbol.name, found);
    }
  }
  assert.deepEqual(found, []);
});

test("typings compile under strict", () => {
  const diagnostics = ts.getPreEmitDiagnostics(program()).map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  );
  assert.deepEqual(diagnostics, []);
});

test("any in a declaration is found", () => {
  // The check above must be able to fail: a declaration with `any` in a
  // parameter is reported with its name.
  const source = ts.createSourceFile("probe.d.ts", "export declare function probe(value: any): void;", ts.ScriptTarget.ES2022, true);
  const found = anyKeywords(source.statements[0], "probe", []);
  assert.deepEqual(found, ["probe.d.ts:1 probe"]);
});
