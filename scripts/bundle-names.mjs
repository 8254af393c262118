// Which property names the Espruino build may rename (terser `mangle.properties`).
//
// terser renames a property name everywhere in the bundle or nowhere, so a name is safe
// to rename when no use of it reaches outside the bundle. The TypeScript checker
// answers that for every use in the sources the build compiles; a name is kept when any
// of its uses
//   - resolves to a declaration in a declaration file (.d.ts): the language's built-ins
//     (length, push, set, ...) and the platform's (Serial.setup, Storage.readArrayBuffer,
//     the setWatch options and event);
//   - resolves to a declaration in a boundary file: a shape that is stored or written by
//     something else (the compact configuration written by `cellmail config`);
//   - does not resolve to a declaration at all (a value typed any/unknown, an index
//     signature such as the Storage settings object);
//   - is an object literal key whose contextual type is one of the above;
//   - is a string used as a property name (o["name"], "name" in o);
//   - is called by the platform by name (RESERVED).
// Every other name (class members, interfaces between the bundle's own modules, internal
// records) is renamed. No source follows a naming convention for this.
// test/build/espruino-gate.test.ts boots the renamed bundle against the simulated module.
import ts from "typescript";
import { dirname, resolve } from "node:path";

/** Called by Espruino itself. */
const RESERVED = ["onInit"];

const NAMED_MEMBER_KINDS = new Set([
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.PropertyAssignment,
  ts.SyntaxKind.ShorthandPropertyAssignment,
  ts.SyntaxKind.EnumMember,
  ts.SyntaxKind.Parameter,
]);

/**
 * @param {string} tsconfigPath the configuration the build compiles with
 * @param {string[]} boundaryFiles sources whose declared names cross the bundle's edge
 * @returns {{ mangled: string[], kept: string[] }} names safe to rename, and names kept
 */
export function bundleNames(tsconfigPath, boundaryFiles) {
  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(resolve(tsconfigPath)));
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const boundary = new Set(boundaryFiles.map((f) => resolve(f)));
  const seen = new Set();
  const kept = new Set(RESERVED);

  const outside = (decl) => {
    const file = decl.getSourceFile();
    return file.isDeclarationFile || boundary.has(resolve(file.fileName));
  };
  /** A use resolving to `symbol`: kept unless every declaration is inside. */
  const judge = (name, symbol) => {
    seen.add(name);
    const decls = symbol && symbol.declarations;
    if (!decls || decls.length === 0 || decls.some(outside)) kept.add(name);
  };
  /** An object literal key: judged by the property of its contextual type(s), if any. */
  const judgeKey = (name, literal) => {
    seen.add(name);
    const context = checker.getContextualType(literal);
    if (!context) return;
    const types = context.isUnion() ? context.types : [context];
    for (const t of types) {
      if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) kept.add(name);
      const prop = checker.getPropertyOfType(t, name);
      if (prop) judge(name, prop);
      else if (checker.getIndexInfosOfType(t).length > 0) kept.add(name);
    }
  };

  const visit = (node) => {
    if (NAMED_MEMBER_KINDS.has(node.kind) && node.name) {
      if (ts.isComputedPropertyName(node.name)) throw new Error("computed property key: the core bans them (DESIGN.md section 3)");
      const name = ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : null;
      if (name !== null && node.kind !== ts.SyntaxKind.Parameter) {
        if (outside(node) || ts.isStringLiteral(node.name)) {
          seen.add(name);
          kept.add(name);
        } else if (ts.isObjectLiteralExpression(node.parent)) judgeKey(name, node.parent);
        else seen.add(name);
      }
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
      const name = node.name.text;
      const owner = checker.getApparentType(checker.getTypeAtLocation(node.expression));
      // A name the type does not declare is reached through an index signature or any.
      if (!checker.getPropertyOfType(owner, name)) {
        seen.add(name);
        kept.add(name);
      } else judge(name, checker.getSymbolAtLocation(node.name));
    }
    // A string used as a property name: o["name"], "name" in o.
    const keyText = (n) => (n && ts.isStringLiteralLike(n) ? n.text : null);
    const key = ts.isElementAccessExpression(node)
      ? keyText(node.argumentExpression)
      : ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InKeyword ? keyText(node.left) : null;
    if (key !== null) {
      seen.add(key);
      kept.add(key);
    }
    ts.forEachChild(node, visit);
  };
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile) continue;
    visit(file);
  }
  return { mangled: [...seen].filter((n) => !kept.has(n)).sort(), kept: [...kept].filter((n) => seen.has(n)).sort() };
}

/** A terser `mangle.properties.regex` matching exactly the given names (never matches when empty). */
export function exactNames(names) {
  return names.length ? new RegExp(`^(?:${names.join("|")})$`) : /^\b$/;
}
